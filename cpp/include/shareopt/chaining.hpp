// Trip chains: which orders a fleet serves and each vehicle's chain, as an exact min-cost flow
// with lazily generated compatibility arcs (seed 001 phase one, Ma et al. 2017).
#pragma once

#include <cmath>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "shareopt/fleet_costs.hpp"
#include "shareopt/network_simplex.hpp"
#include "shareopt/travel.hpp"

namespace shareopt {

// Views of the order columns (n rows); zone and service distance pointers may be null.
struct ChainOrders {
    std::size_t n = 0;
    const double* pickup_time = nullptr;
    const double* dropoff_time = nullptr;
    const double* pickup_xy = nullptr;   // n x 2, in the travel model's coordinate space
    const double* dropoff_xy = nullptr;
    const std::int32_t* pickup_zone = nullptr;
    const std::int32_t* dropoff_zone = nullptr;
    const double* revenue = nullptr;
    const double* service_km = nullptr;  // null: the travel model's pickup-to-dropoff distance
    // Optional: the latest pickup time of an order's successor (NaN or inf: no limit beyond
    // max_idle). Re-optimization uses it for vehicles that must leave now but wait from earlier.
    const double* latest_next = nullptr;
    // Optional: nonzero for orders no new vehicle may start with (re-optimization: a vehicle
    // leaving the depot now would be late).
    const std::uint8_t* no_start = nullptr;
};

struct ChainParams : FleetCosts {
    bool must_serve = false;
    int successors = 0;        // k cheapest (and k earliest) successors and predecessors to start
                               // (0: by the density of compatible pairs, 5 to 16)
    int price_per_order = 4;   // most negative arcs added per order and pricing round (four
                               // times that on the auction's duals)
    int threads = 0;        // 0: hardware concurrency
    // Without a fleet bound, start the simplex from an auction's optimum of the model
    // (chain_auction.cpp) when it starts afresh; false: from the greedy plan. Both are exact.
    bool auction = true;
    // The most auctions one solve runs, pricing the pairs outside the model against each
    // one's duals in between, before the simplex starts (1: the auction only starts it).
    int auction_rounds = 8;
};

// One compatibility arc i -> j (order j may follow order i) with its scaled integer cost.
struct PairArc {
    std::int32_t from;
    std::int32_t to;
    std::int64_t cost;
};

class CellGeometry;  // cells that bound distances (chain_index.hpp)
class CellIndex;     // places by cell and time

// Node layout of the flow network: source 0, sink 1, pickup of order i 2 + 2i, drop-off 3 + 2i.
// Supplies: fleet at the source, -fleet at the sink, -1 at each pickup, +1 at each drop-off.
class TripChainer {
public:
    // Validates every input (throws std::invalid_argument naming the first bad rows) and
    // copies the columns it needs.
    TripChainer(const TravelModel& travel, const ChainOrders& orders, const ChainParams& params);
    ~TripChainer();
    TripChainer(const TripChainer&) = delete;
    TripChainer& operator=(const TripChainer&) = delete;

    std::size_t size() const { return n_; }
    double scale() const { return scale_; }

    // Exact compatibility test and deadhead cost of i -> j.
    bool compatible(std::int32_t i, std::int32_t j) const;
    double pair_cost(std::int32_t i, std::int32_t j) const;

    // A plan to start from (a previous solve's links, from[k] -> to[k]): before the candidate
    // arcs only. Links that are compatible pairs enter the model with the candidates, and the
    // first solve starts from the chains they make; the others are dropped (returns how many
    // were kept). Throws std::out_of_range for an order index out of range and
    // std::invalid_argument for an order with two successors or two predecessors.
    std::int64_t set_start_links(const std::int32_t* from, const std::int32_t* to, std::size_t count);
    // The k cheapest successors and predecessors of every order, added to the model.
    std::int64_t add_candidate_arcs(double time_limit_s);
    // Before the first solve: start the simplex from a greedy plan over the arcs so far
    // (false: it could not, and the solve starts from nothing served or the artificial tree).
    bool start_from_greedy();
    // Re-optimizes the model from its current basis.
    FlowStatus solve_flow(double time_limit_s);
    // Prices every compatible pair with the current potentials and adds those with negative
    // reduced cost. Returns the number added; complete is false when the time limit cut the
    // scan short (then a return of 0 proves nothing).
    std::int64_t price(double time_limit_s, bool& complete);
    // After a complete price(): a lower bound (<= 0, scaled units) on how much any plan over
    // all compatible pairs can cost below the model's optimum that was priced. Every drop-off
    // sends exactly one vehicle, arcs in the model have reduced cost >= 0, so the full optimum
    // is at least the model's plus, for each order, the least reduced cost of its pairs outside
    // the model (or 0). Zero proves optimality; undefined after an incomplete round.
    std::int64_t pricing_bound() const { return pricing_bound_; }

    // Every compatible pair (for cross-checks and peers); throws when more than max_pairs.
    std::vector<PairArc> all_pairs(std::int64_t max_pairs) const;

    // Flow network arcs outside the pair arcs, in model order: source->sink, then per order
    // source->pickup (new vehicle), drop-off->own pickup (order skipped; upper 0 with
    // must_serve; cost revenue - service), drop-off->sink. (tail, head, lower, upper, cost).
    // The model's objective plus the sum of (service - revenue) is the plan's cost.
    struct BaseArc { std::int32_t tail, head; std::int64_t lower, upper, cost; };
    const std::vector<BaseArc>& base_arcs() const { return base_arcs_; }
    std::int64_t fleet_limit() const { return fleet_; }
    std::int64_t supply(std::int32_t node) const { return flow_.supply(node); }

    // Results after an optimal solve_flow.
    std::vector<std::int32_t> successor() const;  // -1: last of its chain or not served
    std::vector<std::uint8_t> served() const;
    std::vector<std::uint8_t> starts_chain() const;
    std::vector<double> potentials() const;       // per node, in cost units, source at 0
    std::int64_t arcs_in_model() const { return static_cast<std::int64_t>(pairs_.size()); }
    std::int64_t arcs_priced() const { return arcs_priced_; }
    std::int64_t pivots() const { return earlier_pivots_ + flow_.pivots(); }
    std::int64_t auction_solves() const { return auction_solves_; }
    // Whether the last auction cut the day in two halves, one per thread (chain_auction.cpp).
    bool auction_halved() const { return auction_halved_; }
    long double scaled_objective() const { return flow_.total_cost(); }

    // Real-valued cost pieces of order i (what the scaled arcs round).
    double start_cost(std::int32_t i) const { return start_cost_[static_cast<std::size_t>(i)]; }
    double end_cost(std::int32_t i) const { return end_cost_[static_cast<std::size_t>(i)]; }
    double service_cost(std::int32_t i) const { return service_cost_[static_cast<std::size_t>(i)]; }
    double service_km(std::int32_t i) const { return service_km_[static_cast<std::size_t>(i)]; }

private:
    std::int64_t to_scaled(double cost) const { return std::llround(cost * scale_); }
    bool precedes(std::size_t i, std::size_t j) const;  // tie order of simultaneous orders
    void add_pairs(std::vector<PairArc>& arcs);
    std::int64_t pair_arc(std::size_t k) const {
        return static_cast<std::int64_t>(base_arcs_.size() + k);
    }
    // The first `count` pair arcs by pickup: those into pickup j are pairs_[index[p]] for p in
    // [start[j], start[j + 1]), in the order of pairs_.
    void pairs_into_pickups(std::size_t count, std::vector<std::size_t>& start, std::vector<std::size_t>& index) const;
    int thread_count() const;
    int candidates_per_order() const;  // params_.successors, or chosen by density
    NetworkSimplex fresh_flow() const;  // supplies, base arcs and the pair arcs so far
    // The auction start (chain_auction.cpp): whether it applies (no fleet bound, no start plan,
    // every pickup may start a vehicle); the model solved as an assignment, its matching left
    // as the start plan's links (false: stopped by the time limit, nothing left); the simplex
    // started from it on a basis of exact duals (chain_tree.cpp; false: no such basis).
    bool auction_applies() const;
    bool solve_by_auction(double time_limit_s);
    bool start_simplex_from_auction();
    // Prices against the auction's duals and solves by auction again while that adds many
    // arcs (time limit measured from began).
    void reprice_by_auction(double time_limit_s, std::chrono::steady_clock::time_point began);
    // The last auction's duals as node potentials (its units: scaled costs times n + 1).
    std::int64_t auction_pickup_potential(std::size_t j) const;
    std::int64_t auction_dropoff_potential(std::size_t i) const;
    // Both rounded down to scaled units (pickups in value, drop-offs in at_dropoff): every arc
    // of the auction's model keeps a reduced cost >= 0, its links one of 0 or 1.
    void scaled_auction_potentials(std::vector<std::int64_t>& value, std::vector<std::int64_t>& at_dropoff) const;
    // price() on given potentials (scaled units) and links; simplex_duals: the simplex's own,
    // which later rounds may re-price incrementally against.
    std::int64_t price_with(std::vector<std::int64_t> value, std::vector<std::int64_t> at_dropoff,
                            const std::vector<std::int32_t>& next, bool simplex_duals, double time_limit_s,
                            bool& complete);

    const TravelModel travel_;
    ChainParams params_;
    std::size_t n_;
    std::vector<double> pickup_time_, dropoff_time_;
    std::vector<Place> pickup_, dropoff_;
    std::vector<double> service_km_, start_cost_, end_cost_, service_cost_;
    std::vector<double> latest_next_;  // empty: no per-order limit
    double scale_ = 1.0;
    double fastest_km_per_s_ = 0.0, slowest_km_per_s_ = 0.0;  // over the hourly speeds
    std::int64_t fleet_ = 0;
    std::vector<BaseArc> base_arcs_;
    std::vector<PairArc> pairs_;  // pair arcs in the model, in model order after the base arcs
    std::int64_t arcs_priced_ = 0;
    std::int64_t pricing_bound_ = 0;
    bool priced_once_ = false;           // a complete pricing round ran (later ones re-price what moved)
    std::vector<std::uint8_t> rescan_;   // per order: its last scan may have stopped early
    std::vector<std::int32_t> start_next_, start_prev_;  // the start plan's links (-1: none)
    std::vector<std::int64_t> last_pickup_, last_dropoff_;  // potentials at the last pricing
    std::unique_ptr<CellGeometry> geometry_;
    std::vector<std::int32_t> pickup_cell_, dropoff_cell_;
    std::unique_ptr<CellIndex> pickups_;      // pickups by cell and pickup time
    std::unique_ptr<CellIndex> dropoffs_;     // drop-offs by cell and drop-off time
    std::unique_ptr<CellIndex> all_pickups_;   // every pickup by time (one cell)
    // Manhattan metric without zones: pricing screens pairs by their distance (pickups_ holds
    // its places); the largest |x| or |y| of any place bounds the screens' rounding error.
    bool manhattan_screens() const { return coordinate_bound_ >= 0.0; }
    double coordinate_bound_ = -1.0;
    NetworkSimplex flow_;
    std::int64_t cost_bound_ = 0;          // largest |scaled cost| of any arc
    std::int64_t arcs_at_last_solve_ = 0;  // pair arcs in the model when the last solve began
    std::int64_t earlier_pivots_ = 0;      // pivots of simplex runs the auction replaced
    std::int64_t auction_solves_ = 0;
    bool auction_halved_ = false;
    std::vector<std::int32_t> auction_match_;  // the last auction's matching and duals
    std::vector<std::int64_t> auction_price_, auction_profit_;
    std::size_t auction_arcs_ = 0;  // the pair arcs the last auction saw (pairs_ grows at its end)
};

}  // namespace shareopt

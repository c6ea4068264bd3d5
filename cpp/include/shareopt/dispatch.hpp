// Real-time dispatch: each new order is answered at once by the cheapest feasible insertion
// into the vehicles' chains (seed 001 phase two), with the trip-chain cost model unchanged.
// Usable from C++ alone: services embed it with this header and the static library.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "shareopt/fleet_costs.hpp"
#include "shareopt/travel.hpp"

namespace shareopt {

class GapIndex;  // gaps by time and place (dispatch_index.hpp)

// The trip-chain cost model, unchanged, and the acceptance rule.
struct DispatchParams : FleetCosts {
    bool accept_always = false;  // the seed's rule: accept whenever feasible
};

// One order: times in seconds, places in the travel model's space. service_km < 0: the travel
// model's pickup-to-dropoff distance.
struct DispatchOrder {
    double pickup_time = 0.0;
    double dropoff_time = 0.0;
    Place pickup{0.0, 0.0, -1};
    Place dropoff{0.0, 0.0, -1};
    double revenue = 0.0;
    double service_km = -1.0;
};

// Bid prices: what a vehicle free at a place from a time on is worth to the plan (the phase-one
// potentials of later pickups it could reach, less the deadhead there), on a grid of square
// cells and time buckets. With them an offer is placed by the least marginal cost plus
// weight x (value of the vehicle state it uses up - value of the state it leaves): appending
// to a chain moves the vehicle's free state from its last drop-off to the new one, and a new
// vehicle adds a free state at the new drop-off. Acceptance still goes by the marginal cost.
struct BidPrices {
    double x0 = 0.0, y0 = 0.0, side = 1.0;  // cell (c, r) covers [x0 + c side, ...) x [y0 + r side, ...)
    std::int32_t nx = 0, ny = 0;
    double t0 = 0.0, bucket_s = 900.0;  // bucket b covers [t0 + b bucket_s, t0 + (b + 1) bucket_s)
    std::int32_t nt = 0;
    std::vector<double> values;  // [(b ny + r) nx + c], >= 0; places off the grid use the edge
    double weight = 0.0;         // cells, times after the last bucket are worth 0
    bool active() const { return weight > 0.0 && !values.empty(); }
    // weight x the value at (x, y) from time t on.
    double at(double x, double y, double t) const;
    // Throws std::invalid_argument on a bad grid (sizes, NaN, negative values).
    void check() const;
};

enum class Verdict : std::int8_t { Accepted = 0, Infeasible = 1, Unprofitable = 2, FleetLimit = 3 };
const char* verdict_name(Verdict verdict);

// The answer to one offer. position: index of the new order in its vehicle's chain after the
// insertion (0: first). vehicle == number of vehicles before the offer: a new vehicle.
// marginal_cost: change of the plan's cost (NaN when nothing is feasible).
struct Decision {
    Verdict verdict = Verdict::Infeasible;
    std::int32_t vehicle = -1;
    std::int32_t position = -1;
    double marginal_cost = std::numeric_limits<double>::quiet_NaN();
    std::int32_t after = -1;  // the order it follows in its chain (-1: first, or a new vehicle)
    std::int32_t order = -1;  // its index in the dispatcher's order table, once accepted
    bool accepted() const { return verdict == Verdict::Accepted; }
};

// Holds the chains and answers offers. Not thread-safe: one dispatcher per thread, or a lock
// around every call (the Python binding holds one).
//
// Gaps of the chains are indexed by time and place: a gap after order a is filed under a's
// drop-off (time and cell: the vehicle waits there), the gap before a vehicle's first order
// under that order's pickup, in classes by what inserting there can save. An offer reads only
// the time buckets a feasible insertion can lie in (drop-offs in [pickup - max_idle, pickup],
// first pickups in [dropoff, dropoff + max_idle]), nearest cells first, only cells within reach
// at the fastest speed and gaps that end after its drop-off, and stops where no gap farther away
// can cost less than the best so far.
class Dispatcher {
public:
    Dispatcher(const TravelModel& travel, const DispatchParams& params);
    ~Dispatcher();
    Dispatcher(Dispatcher&&) noexcept;
    Dispatcher& operator=(Dispatcher&&) noexcept;

    // Adds the reserved orders and their chains (each a list of indices into orders; every
    // order at most once, each chain time-feasible). Throws std::invalid_argument naming the
    // first bad order or chain. Only before the first offer.
    void load(const std::vector<DispatchOrder>& orders, const std::vector<std::vector<std::int32_t>>& chains);

    // Replaces every chain (re-optimization at time now): each order at most once, every link
    // feasible. The first fixed[c] orders of chain c have started (their links stand as they
    // were); every later link must hold as for an offer requested now (the vehicle leaves no
    // earlier than now; the wait still counts from the drop-off). Orders in no chain stay in
    // the table, not served.
    void set_chains(const std::vector<std::vector<std::int32_t>>& chains, double now,
                    const std::vector<std::int32_t>& fixed);

    // The decision for an order requested at request_time (-inf: no request-time limit);
    // commits it when accepted. Throws std::invalid_argument on a bad order (NaN, drop-off
    // before pickup, negative revenue, request after pickup).
    Decision offer(const DispatchOrder& order, double request_time);
    // Throws std::invalid_argument, naming row, when an order could not be offered.
    void check(const DispatchOrder& order, double request_time, std::int64_t row) const {
        validate(order, request_time, "offer", row);
    }
    // Throws std::invalid_argument, naming the earliest and latest rows, when these orders
    // together would stretch the dispatcher's orders over more than kMaxSpanS: the time index
    // is dense from the first bucket to the last, so times years apart (a unit slip,
    // milliseconds for seconds) would take gigabytes.
    static constexpr double kMaxSpanS = 366.0 * 86400.0;
    void check_span(const std::vector<DispatchOrder>& orders, const char* what) const;
    // The same decision without committing it.
    Decision evaluate(const DispatchOrder& order, double request_time) const;
    // The same decision by reading every gap of every chain (no index): for tests.
    Decision evaluate_exhaustive(const DispatchOrder& order, double request_time) const;

    std::int32_t num_vehicles() const { return static_cast<std::int32_t>(first_.size()); }
    std::int32_t num_orders() const { return static_cast<std::int32_t>(orders_.size()); }
    std::vector<std::int32_t> chain(std::int32_t vehicle) const;
    const DispatchOrder& order(std::int32_t index) const { return orders_.at(static_cast<std::size_t>(index)); }
    // Cost of the current plan: vehicles, deadhead, service minus revenue of every order held.
    double objective() const;
    const DispatchParams& params() const { return params_; }
    // Places later offers by bid prices (see BidPrices); weight 0 turns them off.
    void set_bid_prices(BidPrices prices);
    const BidPrices& bid_prices() const { return bid_prices_; }
    const TravelModel& travel() const { return travel_; }

    // The whole state as bytes (travel model, parameters, orders, chains), and back.
    std::string snapshot() const;
    static Dispatcher restore(const std::string& bytes);

private:
    struct Candidate {
        double score = std::numeric_limits<double>::infinity();  // the cost, with bid prices
        double cost = std::numeric_limits<double>::infinity();
        std::int32_t vehicle = -1;
        std::int32_t after = -1;  // insert after this order (-1: first)
    };
    // One offer as the search sees it: base is its service cost less its revenue; released,
    // the bid price of the free state its drop-off leaves (0 without bid prices).
    struct Offer {
        const DispatchOrder& order;
        double request_time;
        double base;
        double released;
    };

    void validate(const DispatchOrder& order, double request_time, const char* what, std::int64_t row) const;
    void check_span(double earliest, double latest, std::int64_t first, std::int64_t last, const char* what) const;
    double service_cost(const DispatchOrder& order) const;
    double deadhead(const Place& a, const Place& b) const { return params_.deadhead_cost_per_km * travel_.distance(a, b); }
    bool reaches(const DispatchOrder& from, double depart_after, const DispatchOrder& to) const;
    Offer make_offer(const DispatchOrder& order, double request_time) const;
    void consider(const Offer& offer, std::int32_t vehicle, std::int32_t after, Candidate& best) const;
    Decision decide(const Offer& offer, Candidate best) const;
    bool new_vehicle(const Offer& offer, double& cost) const;
    void file_gap(std::int32_t after);          // the gap after an order
    void configure_index();
    void file_opening(std::int32_t vehicle);    // the gap before the vehicle's first order
    std::int32_t append_order(const DispatchOrder& order);
    void insert(std::int32_t order, std::int32_t vehicle, std::int32_t after);
    void check_chains(const std::vector<std::vector<std::int32_t>>& chains, std::size_t orders, double now,
                      const std::vector<std::int32_t>& fixed) const;
    void adopt(const std::vector<DispatchOrder>& orders, const std::vector<std::vector<std::int32_t>>& chains,
               const std::vector<std::int32_t>& fixed);

    TravelModel travel_;
    DispatchParams params_;
    std::vector<DispatchOrder> orders_;
    std::vector<std::int32_t> vehicle_of_, next_, prev_;  // per order (-1: none)
    std::vector<std::int32_t> first_, last_, length_;     // per vehicle
    // Gaps after an order (filed at its drop-off) and before a vehicle's first order (filed at
    // that order's pickup), by time and place (dispatch_index.hpp).
    std::unique_ptr<GapIndex> gaps_, openings_;
    bool offered_ = false;
    double seconds_per_km_ = 0.0;  // a lower bound on the travel time of a km
    double earliest_ = std::numeric_limits<double>::infinity();   // over orders_: first pickup
    double latest_ = -std::numeric_limits<double>::infinity();    // and last drop-off
    BidPrices bid_prices_;
};

}  // namespace shareopt

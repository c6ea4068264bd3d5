#include "shareopt/chaining.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "chain_index.hpp"

namespace shareopt {

namespace {

// Collects the first few offending rows of one rule and throws a message naming them.
class RowErrors {
public:
    explicit RowErrors(std::string rule) : rule_(std::move(rule)) {}
    void add(std::size_t row) {
        if (count_++ < 5) rows_.push_back(row);
    }
    void raise_if_any() const {
        if (count_ == 0) return;
        std::ostringstream text;
        text << count_ << " order" << (count_ == 1 ? "" : "s") << " with " << rule_ << " (rows ";
        for (std::size_t k = 0; k < rows_.size(); ++k) text << (k ? ", " : "") << rows_[k];
        text << (count_ > rows_.size() ? ", ...)" : ")");
        throw std::invalid_argument(text.str());
    }

private:
    std::string rule_;
    std::size_t count_ = 0;
    std::vector<std::size_t> rows_;
};

}  // namespace

TripChainer::TripChainer(const TravelModel& travel, const ChainOrders& orders,
                         const ChainParams& params)
    : travel_(travel), params_(params), n_(orders.n), flow_(0) {
    check_fleet_costs(params);
    if (params.successors < 0) throw std::invalid_argument("successors must be >= 1 (0: by density)");
    if (params.price_per_order < 1) throw std::invalid_argument("price_per_order must be >= 1");
    if (params.auction_rounds < 1) throw std::invalid_argument("auction_rounds must be >= 1");
    if (n_ > 500'000'000) throw std::invalid_argument("too many orders for one solve");
    if (n_ > 0 && (!orders.pickup_time || !orders.dropoff_time || !orders.pickup_xy ||
                   !orders.dropoff_xy || !orders.revenue)) {
        throw std::invalid_argument("order columns missing");
    }

    RowErrors bad_time("a missing or infinite time"), backwards("drop-off before pickup"),
        bad_place("a missing or infinite coordinate"), bad_revenue("a missing revenue"),
        bad_service("a missing or negative service distance");
    pickup_time_.resize(n_);
    dropoff_time_.resize(n_);
    pickup_.resize(n_);
    dropoff_.resize(n_);
    service_km_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
        const double tp = orders.pickup_time[i];
        const double td = orders.dropoff_time[i];
        if (!std::isfinite(tp) || !std::isfinite(td)) bad_time.add(i);
        else if (td < tp) backwards.add(i);
        pickup_time_[i] = tp;
        dropoff_time_[i] = td;
        pickup_[i] = Place{orders.pickup_xy[2 * i], orders.pickup_xy[2 * i + 1],
                           orders.pickup_zone ? orders.pickup_zone[i] : -1};
        dropoff_[i] = Place{orders.dropoff_xy[2 * i], orders.dropoff_xy[2 * i + 1],
                            orders.dropoff_zone ? orders.dropoff_zone[i] : -1};
        if (!std::isfinite(pickup_[i].x) || !std::isfinite(pickup_[i].y) ||
            !std::isfinite(dropoff_[i].x) || !std::isfinite(dropoff_[i].y)) {
            bad_place.add(i);
        }
        if (!std::isfinite(orders.revenue[i])) bad_revenue.add(i);
        if (orders.service_km) {
            const double km = orders.service_km[i];
            if (!(km >= 0.0) || !std::isfinite(km)) bad_service.add(i);
            service_km_[i] = km;
        }
    }
    for (const RowErrors* errors : {&bad_time, &backwards, &bad_place, &bad_revenue, &bad_service}) {
        errors->raise_if_any();
    }
    if (orders.latest_next) {
        latest_next_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            const double t = orders.latest_next[i];
            latest_next_[i] = std::isnan(t) ? std::numeric_limits<double>::infinity() : t;
        }
    }

    start_cost_.resize(n_);
    end_cost_.resize(n_);
    service_cost_.resize(n_);
    double largest = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
        if (!orders.service_km) service_km_[i] = travel_.distance(pickup_[i], dropoff_[i]);
        start_cost_[i] = params.vehicle_cost;
        end_cost_[i] = 0.0;
        if (params.has_depot) {
            start_cost_[i] += params.deadhead_cost_per_km * travel_.distance(params.depot, pickup_[i]);
            end_cost_[i] = params.deadhead_cost_per_km * travel_.distance(dropoff_[i], params.depot);
        }
        service_cost_[i] = params.service_cost_per_km * service_km_[i] - orders.revenue[i];
        largest = std::max({largest, start_cost_[i], end_cost_[i], std::abs(service_cost_[i])});
    }

    fastest_km_per_s_ = travel_.fastest_kmh() / 3600.0;
    slowest_km_per_s_ = travel_.slowest_kmh() / 3600.0;

    // Cells of about 128 places each (pickups and drop-offs over the whole horizon) where
    // pricing screens by Manhattan distance (below), else 32. Pricing reads every cell within
    // reach of the potentials, so with that screen its time follows the number of cells, while
    // the candidates' search is as fast with 32 as with 128 (100,000 orders: pricing 1.0-1.15 s
    // in all against 1.6-1.8 s with 32, candidates 1.7-2.0 s either way; 256 slows the
    // candidates). Without it, 128 slows both (30,000 orders, haversine: candidates 0.8 ->
    // 1.3-1.5 s, pricing 1.1-1.2 -> 1.35-1.5 s). Reach: no order more than max_idle away can
    // follow.
    const bool manhattan = travel_.metric() == Metric::Manhattan && travel_.n_zones() == 0;
    std::vector<Place> places(pickup_);
    places.insert(places.end(), dropoff_.begin(), dropoff_.end());
    const double reach_km = std::isfinite(params.max_idle_s)
                                ? travel_.fastest_kmh() * params.max_idle_s / 3600.0 * travel_.detour() + 1e-9
                                : std::numeric_limits<double>::infinity();
    geometry_ = std::make_unique<CellGeometry>(travel_, places, manhattan ? 128.0 : 32.0, reach_km);
    largest = std::max(largest, params.deadhead_cost_per_km * geometry_->max_distance_km());
    pickup_cell_.resize(n_);
    dropoff_cell_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
        pickup_cell_[i] = geometry_->cell_of(pickup_[i]);
        dropoff_cell_[i] = geometry_->cell_of(dropoff_[i]);
    }
    // Search windows span max_idle: buckets of a quarter of it screen them in a few reads.
    pickups_ = std::make_unique<CellIndex>(geometry_->num_cells(), pickup_cell_, pickup_time_,
                                           params.max_idle_s / 4.0);
    dropoffs_ = std::make_unique<CellIndex>(geometry_->num_cells(), dropoff_cell_, dropoff_time_,
                                            params.max_idle_s / 4.0);
    all_pickups_ = std::make_unique<CellIndex>(1, std::vector<std::int32_t>(n_, 0), pickup_time_);
    if (manhattan) {
        pickups_->set_places(pickup_);
        coordinate_bound_ = 0.0;
        for (const Place& place : places) {
            coordinate_bound_ = std::max({coordinate_bound_, std::fabs(place.x), std::fabs(place.y)});
        }
    }

    // A transportation problem (Ma et al.'s DAG with each order's service arc folded away):
    // the drop-off node of every order supplies one vehicle and its pickup node needs one.
    // A pickup gets its vehicle from the source (a new vehicle), from an earlier drop-off (a
    // pair arc), or from its own drop-off (the order is not served); a drop-off sends its
    // vehicle to a later pickup, to the sink (end of chain) or to its own pickup. Serving
    // order i costs start/pair costs plus service - revenue; not serving it is priced as
    // revenue - service on the own arc, with the constant sum(service - revenue) added back.
    // Every bound is implied by the unit supplies, so no arc needs a capacity, no tree arc
    // is ever saturated, and a chain of orders is not a chain of tree arcs.
    const auto nodes = static_cast<std::int64_t>(2 * n_ + 2);
    scale_ = cost_scale(largest * 1.01 + 1e-9, nodes);
    fleet_ = params.max_vehicles < 0 ? static_cast<std::int64_t>(n_) : params.max_vehicles;
    cost_bound_ = to_scaled(largest * 1.01 + 1e-9) + 1;
    base_arcs_.reserve(3 * n_ + 1);
    base_arcs_.push_back({0, 1, 0, fleet_, 0});
    const std::int64_t skip = params.must_serve ? 0 : 1;
    for (std::size_t i = 0; i < n_; ++i) {
        const auto pick = static_cast<std::int32_t>(2 + 2 * i);
        const bool startable = orders.no_start == nullptr || orders.no_start[i] == 0;
        base_arcs_.push_back({0, pick, 0, startable ? 1 : 0, to_scaled(start_cost_[i])});
        base_arcs_.push_back({pick + 1, pick, 0, skip, -to_scaled(service_cost_[i])});
        base_arcs_.push_back({pick + 1, 1, 0, 1, to_scaled(end_cost_[i])});
    }
    flow_ = fresh_flow();
}

NetworkSimplex TripChainer::fresh_flow() const {
    NetworkSimplex flow(static_cast<std::int32_t>(2 * n_ + 2));
    flow.set_supply(0, fleet_);
    flow.set_supply(1, -fleet_);
    for (std::size_t i = 0; i < n_; ++i) {
        flow.set_supply(static_cast<std::int32_t>(2 + 2 * i), -1);
        flow.set_supply(static_cast<std::int32_t>(3 + 2 * i), 1);
    }
    flow.set_cost_bound(cost_bound_);
    flow.set_near_scans(true);  // pricing rounds add a few arcs to millions
    flow.reserve_arcs(static_cast<std::int64_t>(base_arcs_.size() + pairs_.size()));
    for (const BaseArc& a : base_arcs_) {
        const bool closed = a.upper == 0;  // an order that cannot be skipped (must_serve) or started
        flow.add_arc(a.tail, a.head, 0, closed ? 0 : NetworkSimplex::kInfinity, a.cost);
    }
    for (const PairArc& arc : pairs_) {
        flow.add_arc(3 + 2 * arc.from, 2 + 2 * arc.to, 0, NetworkSimplex::kInfinity, arc.cost);
    }
    return flow;
}

TripChainer::~TripChainer() = default;

int TripChainer::thread_count() const {
    if (params_.threads > 0) return params_.threads;
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

bool TripChainer::precedes(std::size_t i, std::size_t j) const {
    if (pickup_time_[i] != pickup_time_[j]) return pickup_time_[i] < pickup_time_[j];
    if (dropoff_time_[i] != dropoff_time_[j]) return dropoff_time_[i] < dropoff_time_[j];
    return i < j;
}

bool TripChainer::compatible(std::int32_t from, std::int32_t to) const {
    const auto i = static_cast<std::size_t>(from);
    const auto j = static_cast<std::size_t>(to);
    if (i >= n_ || j >= n_ || i == j) return false;
    const double slack = pickup_time_[j] - dropoff_time_[i];
    if (slack < 0.0 || slack > params_.max_idle_s) return false;
    if (!latest_next_.empty() && pickup_time_[j] > latest_next_[i]) return false;
    if (!precedes(i, j)) return false;  // only simultaneous zero-length orders get here
    if (travel_.n_zones() == 0) {
        // Between the slowest and the fastest hour the answer is known without walking the
        // hourly profile (the margins keep rounding on the safe side of the exact test).
        const double km = travel_.metric_distance(dropoff_[i].x, dropoff_[i].y, pickup_[j].x, pickup_[j].y);
        if (km > slack * fastest_km_per_s_ * (1.0 + 1e-9)) return false;
        if (km < slack * slowest_km_per_s_ * (1.0 - 1e-9)) return true;
    }
    return can_follow(travel_, params_, dropoff_time_[i], dropoff_[i],
                      -std::numeric_limits<double>::infinity(), pickup_time_[j], pickup_[j]);
}

double TripChainer::pair_cost(std::int32_t from, std::int32_t to) const {
    return params_.deadhead_cost_per_km *
           travel_.distance(dropoff_[static_cast<std::size_t>(from)], pickup_[static_cast<std::size_t>(to)]);
}

void TripChainer::add_pairs(std::vector<PairArc>& arcs) {
    std::sort(arcs.begin(), arcs.end(), [](const PairArc& a, const PairArc& b) {
        return a.from != b.from ? a.from < b.from : a.to < b.to;
    });
    arcs.erase(std::unique(arcs.begin(), arcs.end(),
                           [](const PairArc& a, const PairArc& b) { return a.from == b.from && a.to == b.to; }),
               arcs.end());
    flow_.reserve_arcs(flow_.num_arcs() + static_cast<std::int64_t>(arcs.size()));
    for (const PairArc& arc : arcs) {
        flow_.add_arc(3 + 2 * arc.from, 2 + 2 * arc.to, 0, NetworkSimplex::kInfinity, arc.cost);
        pairs_.push_back(arc);
    }
}

std::int64_t TripChainer::set_start_links(const std::int32_t* from, const std::int32_t* to,
                                          std::size_t count) {
    if (!pairs_.empty() || flow_.started()) {
        throw std::logic_error("a start plan must come before the candidate arcs");
    }
    std::vector<std::int32_t> next(n_, -1), prev(n_, -1);
    std::int64_t kept = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const std::int32_t i = from[k], j = to[k];
        for (const std::int32_t order : {i, j}) {
            if (order < 0 || static_cast<std::size_t>(order) >= n_) {
                throw std::out_of_range("start plan link " + std::to_string(k) + " names order " +
                                        std::to_string(order) + ", not one of the " +
                                        std::to_string(n_) + " orders");
            }
        }
        const auto u = static_cast<std::size_t>(i), v = static_cast<std::size_t>(j);
        if (next[u] >= 0 || prev[v] >= 0) {
            throw std::invalid_argument("start plan link " + std::to_string(k) + ": order " +
                                        std::to_string(next[u] >= 0 ? i : j) + " already has a " +
                                        (next[u] >= 0 ? "successor" : "predecessor"));
        }
        next[u] = j;
        prev[v] = i;
    }
    for (std::size_t u = 0; u < n_; ++u) {
        const std::int32_t j = next[u];
        if (j < 0) continue;
        if (compatible(static_cast<std::int32_t>(u), j)) {
            ++kept;
        } else {  // a plan made under other parameters
            next[u] = -1;
            prev[static_cast<std::size_t>(j)] = -1;
        }
    }
    if (kept > 0) {  // none kept: no plan, so the first solve may start from the auction
        start_next_ = std::move(next);
        start_prev_ = std::move(prev);
    }
    return kept;
}

std::vector<std::int32_t> TripChainer::successor() const {
    std::vector<std::int32_t> next(n_, -1);
    if (!flow_.started()) return next;
    for (std::size_t k = 0; k < pairs_.size(); ++k) {
        if (flow_.flow(pair_arc(k)) > 0) next[static_cast<std::size_t>(pairs_[k].from)] = pairs_[k].to;
    }
    return next;
}

std::vector<std::uint8_t> TripChainer::served() const {
    std::vector<std::uint8_t> out(n_, 0);
    if (!flow_.started()) return out;
    for (std::size_t i = 0; i < n_; ++i) out[i] = flow_.flow(static_cast<std::int64_t>(2 + 3 * i)) == 0;
    return out;
}

std::vector<std::uint8_t> TripChainer::starts_chain() const {
    std::vector<std::uint8_t> out(n_, 0);
    if (!flow_.started()) return out;
    for (std::size_t i = 0; i < n_; ++i) out[i] = flow_.flow(static_cast<std::int64_t>(1 + 3 * i)) > 0;
    return out;
}

std::vector<double> TripChainer::potentials() const {
    std::vector<double> out(2 * n_ + 2, 0.0);
    if (!flow_.started()) return out;
    const auto origin = flow_.potential(0);
    for (std::size_t u = 0; u < out.size(); ++u) {
        out[u] = static_cast<double>(flow_.potential(static_cast<std::int32_t>(u)) - origin) / scale_;
    }
    return out;
}

}  // namespace shareopt

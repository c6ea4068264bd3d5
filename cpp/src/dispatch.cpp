#include "shareopt/dispatch.hpp"

#include "dispatch_index.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>

namespace shareopt {

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::Accepted: return "accepted";
        case Verdict::Infeasible: return "infeasible";
        case Verdict::Unprofitable: return "unprofitable";
        case Verdict::FleetLimit: return "fleet_limit";
    }
    return "unknown";
}

namespace {

bool finite_place(const Place& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

// A gap record's other end when it has none.
constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

// Candidates compare by (cost, vehicle, order after which the new one goes): the same answer
// whatever order the index reads them in.
bool better(double cost, std::int32_t vehicle, std::int32_t after, double best_cost,
            std::int32_t best_vehicle, std::int32_t best_after) {
    if (cost != best_cost) return cost < best_cost;
    if (vehicle != best_vehicle) return best_vehicle < 0 || vehicle < best_vehicle;
    return after < best_after;
}

}  // namespace

Dispatcher::Dispatcher(const TravelModel& travel, const DispatchParams& params)
    : travel_(travel), params_(params), gaps_(std::make_unique<GapIndex>()), openings_(std::make_unique<GapIndex>()) {
    check_fleet_costs(params);
    // At the fastest hour, less a hair for rounding: no trip is quicker.
    seconds_per_km_ = 3600.0 / travel.fastest_kmh() * (1.0 - 1e-9);
}

Dispatcher::~Dispatcher() = default;
Dispatcher::Dispatcher(Dispatcher&&) noexcept = default;
Dispatcher& Dispatcher::operator=(Dispatcher&&) noexcept = default;

void Dispatcher::validate(const DispatchOrder& o, double request_time, const char* what,
                          std::int64_t row) const {
    const auto fail = [&](const std::string& why) {
        std::ostringstream text;
        text << what;
        if (row >= 0) text << " " << row;
        text << ": " << why;
        throw std::invalid_argument(text.str());
    };
    if (!std::isfinite(o.pickup_time) || !std::isfinite(o.dropoff_time)) fail("times must be finite");
    if (o.dropoff_time < o.pickup_time) fail("drop-off before pickup");
    if (!finite_place(o.pickup) || !finite_place(o.dropoff)) fail("places must be finite");
    if (!(o.revenue >= 0.0) || !std::isfinite(o.revenue)) fail("revenue must be finite and >= 0");
    if (std::isnan(o.service_km) || std::isinf(o.service_km)) fail("distance must be finite");
    if (std::isnan(request_time)) fail("request time is NaN");
    if (request_time > o.pickup_time) fail("requested after its pickup time");
    check_span(o.pickup_time, o.dropoff_time, row, row, what);
}

void Dispatcher::check_span(const std::vector<DispatchOrder>& orders, const char* what) const {
    if (orders.empty()) return;
    std::size_t first = 0, last = 0;
    for (std::size_t i = 1; i < orders.size(); ++i) {
        if (orders[i].pickup_time < orders[first].pickup_time) first = i;
        if (orders[i].dropoff_time > orders[last].dropoff_time) last = i;
    }
    check_span(orders[first].pickup_time, orders[last].dropoff_time, static_cast<std::int64_t>(first),
               static_cast<std::int64_t>(last), what);
}

void Dispatcher::check_span(double earliest, double latest, std::int64_t first, std::int64_t last,
                            const char* what) const {
    const double lo = std::min(earliest, earliest_), hi = std::max(latest, latest_);
    if (!(hi - lo > kMaxSpanS)) return;
    std::ostringstream text;
    text << what;
    if (first >= 0) text << (first == last ? " " : "s ") << first << (first == last ? "" : " to " + std::to_string(last));
    text << ": times would span " << (hi - lo) / 86400.0 << " days with the orders so far, more than "
         << kMaxSpanS / 86400.0 << " (are they all in seconds? a dispatcher covers a day or a few)";
    throw std::invalid_argument(text.str());
}

double Dispatcher::service_cost(const DispatchOrder& o) const {
    const double km = o.service_km >= 0.0 ? o.service_km : travel_.distance(o.pickup, o.dropoff);
    return params_.service_cost_per_km * km;
}

bool Dispatcher::reaches(const DispatchOrder& from, double depart_after, const DispatchOrder& to) const {
    // The vehicle waits at from's drop-off and leaves no earlier than depart_after.
    return can_follow(travel_, params_, from.dropoff_time, from.dropoff, depart_after, to.pickup_time, to.pickup);
}

Dispatcher::Offer Dispatcher::make_offer(const DispatchOrder& o, double request_time) const {
    const double released = bid_prices_.active() ? bid_prices_.at(o.dropoff.x, o.dropoff.y, o.dropoff_time) : 0.0;
    return {o, request_time, service_cost(o) - o.revenue, released};
}

void Dispatcher::consider(const Offer& offer, std::int32_t vehicle, std::int32_t after, Candidate& best) const {
    const DispatchOrder& o = offer.order;
    const auto v = static_cast<std::size_t>(vehicle);
    const std::int32_t next = after >= 0 ? next_[static_cast<std::size_t>(after)] : first_[v];
    const DispatchOrder* a = after >= 0 ? &orders_[static_cast<std::size_t>(after)] : nullptr;
    const DispatchOrder* b = next >= 0 ? &orders_[static_cast<std::size_t>(next)] : nullptr;
    // Cheapest tests first: the waits, then the cost (distances), and travel times only for
    // a candidate that would win.
    const double idle = params_.max_idle_s;
    if (a && !(o.pickup_time - a->dropoff_time >= 0.0 && o.pickup_time - a->dropoff_time <= idle)) return;
    if (b && !(b->pickup_time - o.dropoff_time >= 0.0 && b->pickup_time - o.dropoff_time <= idle)) return;
    double cost = offer.base;
    if (a) {
        cost += deadhead(a->dropoff, o.pickup);
        if (!b && params_.has_depot) cost += deadhead(o.dropoff, params_.depot) - deadhead(a->dropoff, params_.depot);
    } else if (params_.has_depot) {
        cost += deadhead(params_.depot, o.pickup);
    }
    if (b) {
        cost += deadhead(o.dropoff, b->pickup);
        if (a) {
            cost -= deadhead(a->dropoff, b->pickup);
        } else if (params_.has_depot) {
            cost -= deadhead(params_.depot, b->pickup);
        }
    }
    double score = cost;
    if (a && !b && bid_prices_.active()) {
        // Appending moves the vehicle's free state from a's drop-off to the new one.
        score += bid_prices_.at(a->dropoff.x, a->dropoff.y, std::max(a->dropoff_time, offer.request_time)) - offer.released;
    }
    if (!better(score, vehicle, after, best.score, best.vehicle, best.after)) return;
    if (a && !reaches(*a, offer.request_time, o)) return;
    if (!a && params_.has_depot && std::isfinite(offer.request_time) &&
        offer.request_time + travel_.travel_time(offer.request_time, params_.depot, o.pickup) > o.pickup_time) {
        return;
    }
    if (b && !reaches(o, -std::numeric_limits<double>::infinity(), *b)) return;
    best = {score, cost, vehicle, after};
}

Decision Dispatcher::evaluate(const DispatchOrder& o, double request_time) const {
    validate(o, request_time, "order", -1);
    const Offer offer = make_offer(o, request_time);
    Candidate best;
    const double idle = params_.max_idle_s;
    // A new vehicle first, when the fleet allows one: its cost bounds the search at once (it
    // still loses every tie to an existing vehicle).
    const bool fleet_full = params_.max_vehicles >= 0 && num_vehicles() >= params_.max_vehicles;
    if (!fleet_full) {
        double cost = 0.0;
        if (new_vehicle(offer, cost)) best = {cost - offer.released, cost, num_vehicles(), -1};
    }
    // A gap whose place is at least lb km away scores at least base + dh (lb - discount), and
    // with bid prices a chain's tail up to what the new drop-off releases less (the other
    // gaps score their cost); the slack keeps rounding from skipping an equal score.
    const double dh = params_.deadhead_cost_per_km;
    const double inf = std::numeric_limits<double>::infinity();
    // (The slack, 1e-9 of each term, is folded into the factors; it is called per cell and gap.)
    const double base_low = offer.base - 1e-9 * (std::abs(offer.base) + 1.0);
    const double dh_low = dh * (1.0 - 1e-9), dh_high = dh * (1.0 + 1e-9);
    const auto low = [](double shift) { return shift - 2e-9 * std::abs(shift); };
    const auto bound_above = [&](double lb_km, double discount, double shift_low) {
        return base_low + shift_low + dh_low * lb_km - dh_high * discount > best.score;
    };
    // A cell may hold a tail unless its gaps all end (latest_end finite); past the ring's stop
    // every cell may.
    const double tail_low = low(-offer.released);
    const auto hopeless = [&](double lb_km, double discount, double latest_end) {
        return bound_above(lb_km, discount, latest_end == inf ? tail_low : 0.0);
    };
    const auto beyond = [&](double lb_km, double largest) { return hopeless(lb_km, largest, inf); };
    // A gap's record rules it out before its orders are read: whether a vehicle there could be
    // in time (at the fastest speed; zones have no places), and its exact detour, the legs to
    // and from its two ends less its discount, against the best so far (a tail's bid price is
    // known from its place and time). `near` is the offer's end that meets the gap's place,
    // `far` the one that meets its other end.
    const bool planar = travel_.n_zones() == 0;
    const auto ruled_out = [&](const GapRecord& r, const Place& near, const Place& far, double depart, double arrive,
                               bool tail) {
        if (!planar) return false;
        const double km = travel_.distance(Place{r.x, r.y, -1}, near);
        if (depart + km * seconds_per_km_ > arrive) return true;
        const double back = std::isnan(r.ox) ? 0.0 : travel_.distance(Place{r.ox, r.oy, -1}, far);
        const double shift = tail && bid_prices_.active() ? low(bid_prices_.at(r.x, r.y, depart) - offer.released) : 0.0;
        return bound_above(km + back, r.discount, shift);
    };
    // Gaps after an order whose drop-off is at most max_idle before the pickup, whose next
    // pickup (if any) comes after the drop-off, and from where the pickup can be reached: a
    // vehicle free in [t0, t1) leaves no earlier than t0 and the request.
    const double km_per_s = 1.0 / seconds_per_km_;
    gaps_->query(o.pickup_time - idle, o.pickup_time, o.dropoff_time, o.pickup.x, o.pickup.y,
                 [&](double t0, double) { return (o.pickup_time - std::max(t0, request_time)) * km_per_s; },
                 hopeless, beyond, [&](const GapRecord& r) {
                     if (!(r.t <= o.pickup_time && o.pickup_time - r.t <= idle)) return;
                     if (r.end != inf && !(r.end - o.dropoff_time <= idle)) return;
                     if (ruled_out(r, o.pickup, o.dropoff, std::max(r.t, request_time), o.pickup_time, r.end == inf)) return;
                     consider(offer, vehicle_of_[static_cast<std::size_t>(r.entry)], r.entry, best);
                 });
    // Gaps before a vehicle's first order, whose pickup is at most max_idle after the drop-off
    // and can be reached from it: a first pickup in [t0, t1) is at most t1 - dropoff away.
    openings_->query(o.dropoff_time, o.dropoff_time + idle, -std::numeric_limits<double>::infinity(),
                     o.dropoff.x, o.dropoff.y, [&](double, double t1) { return (t1 - o.dropoff_time) * km_per_s; },
                     hopeless, beyond, [&](const GapRecord& r) {
                         if (!(r.t >= o.dropoff_time && r.t - o.dropoff_time <= idle)) return;
                         if (ruled_out(r, o.dropoff, o.pickup, o.dropoff_time, r.t, false)) return;
                         consider(offer, vehicle_of_[static_cast<std::size_t>(r.entry)], -1, best);
                     });
    return decide(offer, best);
}

bool Dispatcher::new_vehicle(const Offer& offer, double& cost) const {
    const DispatchOrder& o = offer.order;
    cost = params_.vehicle_cost + offer.base;
    if (!params_.has_depot) return true;
    cost += deadhead(params_.depot, o.pickup) + deadhead(o.dropoff, params_.depot);
    return !std::isfinite(offer.request_time) ||
           offer.request_time + travel_.travel_time(offer.request_time, params_.depot, o.pickup) <= o.pickup_time;
}

Decision Dispatcher::decide(const Offer& offer, Candidate best) const {
    Decision decision;
    // A new vehicle, while the fleet allows one; it wins no tie against an existing vehicle.
    double new_cost = 0.0;
    const bool new_feasible = new_vehicle(offer, new_cost);
    const bool fleet_full = params_.max_vehicles >= 0 && num_vehicles() >= params_.max_vehicles;
    const double new_score = new_cost - offer.released;
    if (new_feasible && !fleet_full && new_score < best.score) best = {new_score, new_cost, num_vehicles(), -1};
    if (best.vehicle < 0) {
        decision.verdict = new_feasible && fleet_full ? Verdict::FleetLimit : Verdict::Infeasible;
        return decision;
    }
    decision.vehicle = best.vehicle;
    decision.after = best.after;
    decision.marginal_cost = best.cost;
    // Counted back from the chain's end: most insertions are appends, and chains grow long.
    std::int32_t position = 0;
    if (best.vehicle < num_vehicles() && best.after >= 0) {
        position = length_[static_cast<std::size_t>(best.vehicle)];
        for (std::int32_t u = next_[static_cast<std::size_t>(best.after)]; u >= 0; u = next_[static_cast<std::size_t>(u)]) {
            --position;
        }
    }
    decision.position = position;
    decision.verdict = params_.accept_always || best.cost < 0.0 ? Verdict::Accepted : Verdict::Unprofitable;
    return decision;
}

Decision Dispatcher::offer(const DispatchOrder& o, double request_time) {
    Decision decision = evaluate(o, request_time);
    offered_ = true;
    if (!decision.accepted()) return decision;
    const std::int32_t index = append_order(o);
    insert(index, decision.vehicle, decision.after);
    decision.order = index;
    return decision;
}

std::int32_t Dispatcher::append_order(const DispatchOrder& o) {
    if (orders_.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max() - 1)) {
        throw std::length_error("too many orders for one dispatcher");
    }
    orders_.push_back(o);
    earliest_ = std::min(earliest_, o.pickup_time);
    latest_ = std::max(latest_, o.dropoff_time);
    vehicle_of_.push_back(-1);
    next_.push_back(-1);
    prev_.push_back(-1);
    return static_cast<std::int32_t>(orders_.size() - 1);
}

void Dispatcher::insert(std::int32_t order, std::int32_t vehicle, std::int32_t after) {
    const auto o = static_cast<std::size_t>(order);
    if (vehicle == num_vehicles()) {
        first_.push_back(order);
        last_.push_back(order);
        length_.push_back(1);
        vehicle_of_[o] = vehicle;
        file_opening(vehicle);
        file_gap(order);
        return;
    }
    const auto v = static_cast<std::size_t>(vehicle);
    const std::int32_t next = after >= 0 ? next_[static_cast<std::size_t>(after)] : first_[v];
    vehicle_of_[o] = vehicle;
    ++length_[v];
    prev_[o] = after;
    next_[o] = next;
    if (after >= 0) {
        next_[static_cast<std::size_t>(after)] = order;
        file_gap(after);  // it now ends at the new pickup
    } else {
        openings_->remove(first_[v]);
        first_[v] = order;
        file_opening(vehicle);
    }
    if (next >= 0) {
        prev_[static_cast<std::size_t>(next)] = order;
    } else {
        last_[v] = order;
    }
    file_gap(order);
}

void Dispatcher::file_gap(std::int32_t after) {
    const DispatchOrder& a = orders_[static_cast<std::size_t>(after)];
    const std::int32_t next = next_[static_cast<std::size_t>(after)];
    // What inserting here can save: the deadhead to the next pickup (or to the depot).
    double discount = 0.0;
    double end = std::numeric_limits<double>::infinity();
    Place other{kNone, kNone, -1};
    if (next >= 0) {
        const DispatchOrder& b = orders_[static_cast<std::size_t>(next)];
        discount = travel_.distance(a.dropoff, b.pickup);
        end = b.pickup_time;
        other = b.pickup;
    } else if (params_.has_depot) {
        discount = travel_.distance(a.dropoff, params_.depot);
        other = params_.depot;
    }
    gaps_->file(after, a.dropoff_time, a.dropoff.x, a.dropoff.y, other.x, other.y, discount, end);
}

void Dispatcher::file_opening(std::int32_t vehicle) {
    const std::int32_t first = first_[static_cast<std::size_t>(vehicle)];
    const DispatchOrder& f = orders_[static_cast<std::size_t>(first)];
    const double discount = params_.has_depot ? travel_.distance(params_.depot, f.pickup) : 0.0;
    const Place other = params_.has_depot ? params_.depot : Place{kNone, kNone, -1};
    openings_->file(first, f.pickup_time, f.pickup.x, f.pickup.y, other.x, other.y, discount,
                    std::numeric_limits<double>::infinity());
}

void Dispatcher::configure_index() {
    std::vector<double> xy;
    xy.reserve(4 * orders_.size());
    for (const DispatchOrder& o : orders_) {
        xy.insert(xy.end(), {o.pickup.x, o.pickup.y, o.dropoff.x, o.dropoff.y});
    }
    // About 100 orders a cell in the finest class, and 5-minute buckets: a gap or two per cell
    // and bucket at a day's pace (coarser cells read more gaps, finer ones more empty cells).
    constexpr double kBucketSeconds = 300.0;
    const auto cells = static_cast<std::int32_t>(std::clamp<std::size_t>(orders_.size() / 100, 1, 4096));
    gaps_->configure(travel_, xy, cells, kBucketSeconds);
    openings_->configure(travel_, xy, cells, kBucketSeconds);
}

std::vector<std::int32_t> Dispatcher::chain(std::int32_t vehicle) const {
    if (vehicle < 0 || vehicle >= num_vehicles()) throw std::out_of_range("vehicle out of range");
    std::vector<std::int32_t> out;
    for (std::int32_t u = first_[static_cast<std::size_t>(vehicle)]; u >= 0; u = next_[static_cast<std::size_t>(u)]) {
        out.push_back(u);
    }
    return out;
}

double Dispatcher::objective() const {
    double total = 0.0;
    for (std::size_t v = 0; v < first_.size(); ++v) {
        total += params_.vehicle_cost;
        const DispatchOrder& head = orders_[static_cast<std::size_t>(first_[v])];
        const DispatchOrder& tail = orders_[static_cast<std::size_t>(last_[v])];
        if (params_.has_depot) total += deadhead(params_.depot, head.pickup) + deadhead(tail.dropoff, params_.depot);
        for (std::int32_t u = first_[v]; u >= 0; u = next_[static_cast<std::size_t>(u)]) {
            const DispatchOrder& o = orders_[static_cast<std::size_t>(u)];
            total += service_cost(o) - o.revenue;
            const std::int32_t w = next_[static_cast<std::size_t>(u)];
            if (w >= 0) total += deadhead(o.dropoff, orders_[static_cast<std::size_t>(w)].pickup);
        }
    }
    return total;
}

}  // namespace shareopt

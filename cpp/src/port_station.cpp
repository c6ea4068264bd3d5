// One station's ports, queues and batteries (the rules are in charging.hpp).
#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>
#include <stdexcept>
#include <string>

#include "shareopt/charging.hpp"

namespace shareopt {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

PortStation::PortStation(std::int32_t ports, double rate_per_second, PortObserver* observer)
    : ports_(ports), rate_(rate_per_second), observer_(observer) {
    if (ports < 0) throw std::invalid_argument("ports must be >= 0, got " + std::to_string(ports));
    if (!(rate_per_second >= 0.0) || !std::isfinite(rate_per_second)) {
        throw std::invalid_argument("charge rate must be finite and >= 0");
    }
}

// When a car of this key holds `need`: comparing times (never recomputed charges) keeps a
// wake-up and the service it triggers in exact agreement.
double PortStation::ready_time(double key, double need) const {
    if (rate_ > 0.0) return (need - key) / rate_;
    return key >= need ? -kInf : kInf;
}

double PortStation::charge_at(double key, double time) const {
    return std::min(1.0, rate_ > 0.0 ? key + rate_ * time : key);
}

void PortStation::plug(std::int64_t request, std::int32_t car, double time, double charge) {
    plugged_.insert(Plugged{charge - rate_ * time, car});
    if (observer_) observer_->parked(request, car, time, charge);
}

void PortStation::plug_initial(std::int32_t car, double time, double charge) {
    if (static_cast<std::int32_t>(plugged_.size()) >= ports_) {
        throw std::invalid_argument("more cars plugged at the start than the station has ports (" +
                                    std::to_string(ports_) + ")");
    }
    now_ = std::max(now_, time);
    plug(-1, car, time, charge);
}

void PortStation::car_returns(std::int64_t request, std::int32_t car, double time, double expiry,
                              double charge) {
    run_before(time);
    const std::int64_t n = arrivals_++;
    cars_waiting_.emplace(n, WaitingCar{request, car, expiry, charge});
    car_expiries_.emplace(expiry, n);
    settle(time);
}

void PortStation::customer_arrives(std::int64_t request, double time, double expiry, double need) {
    run_before(time);
    const std::int64_t n = arrivals_++;
    customers_waiting_.emplace(n, WaitingCustomer{request, expiry, need});
    customer_expiries_.emplace(expiry, n);
    customer_needs_.emplace(need, n);
    settle(time);
}

void PortStation::drop_customer(std::map<std::int64_t, WaitingCustomer>::iterator it) {
    customer_expiries_.erase({it->second.expiry, it->first});
    customer_needs_.erase({it->second.need, it->first});
    customers_waiting_.erase(it);
}

// Free ports take waiting cars; then the earliest customer some car can serve gets the least
// charged such car, which frees a port, and so on until nothing changes.
void PortStation::settle(double time) {
    now_ = std::max(now_, time);
    for (;;) {
        while (static_cast<std::int32_t>(plugged_.size()) < ports_ && !cars_waiting_.empty()) {
            const auto first = cars_waiting_.begin();
            const WaitingCar car = first->second;
            car_expiries_.erase({car.expiry, first->first});
            cars_waiting_.erase(first);
            plug(car.request, car.car, time, car.charge);
        }
        if (plugged_.empty() || customers_waiting_.empty()) return;
        // The fullest car serves a need if any car does: when it cannot serve the smallest
        // need, nobody is served (the usual case, decided without a scan).
        const double fullest = plugged_.rbegin()->key;
        if (!(ready_time(fullest, customer_needs_.begin()->first) <= time)) return;
        auto chosen = customers_waiting_.begin();
        while (!(ready_time(fullest, chosen->second.need) <= time)) ++chosen;
        const auto car = least_ready(chosen->second.need, time);
        const std::int64_t request = chosen->second.request;
        const Plugged taken = *car;
        drop_customer(chosen);
        plugged_.erase(car);
        if (observer_) observer_->served(request, taken.car, time, charge_at(taken.key, time));
    }
}

// The least charged car that holds `need` at `time`, or end(). Ready cars are those of the
// highest keys; the search starts at the exact key and steps to where the time test
// (the one wake-ups use) changes.
std::multiset<PortStation::Plugged, PortStation::Emptier>::iterator PortStation::least_ready(double need,
                                                                                            double time) const {
    auto ready = [&](const Plugged& p) { return ready_time(p.key, need) <= time; };
    if (plugged_.empty() || !ready(*plugged_.rbegin())) return plugged_.end();
    const double threshold = rate_ > 0.0 ? need - rate_ * time : need;
    auto it = plugged_.lower_bound(Plugged{threshold, std::numeric_limits<std::int32_t>::min()});
    while (it != plugged_.end() && !ready(*it)) ++it;
    while (it != plugged_.begin() && ready(*std::prev(it))) --it;
    return it;
}

namespace {
// Arrival numbers of the entries expiring by `time`, in arrival order.
std::vector<std::int64_t> due(const std::set<std::pair<double, std::int64_t>>& expiries, double time) {
    std::vector<std::int64_t> gone;
    for (auto it = expiries.begin(); it != expiries.end() && it->first <= time; ++it) gone.push_back(it->second);
    std::sort(gone.begin(), gone.end());
    return gone;
}
}  // namespace

// Requests still waiting at their expiry fail, in arrival order (customers, then cars).
void PortStation::expire_through(double time) {
    now_ = std::max(now_, time);
    for (const std::int64_t n : due(customer_expiries_, time)) {
        const auto it = customers_waiting_.find(n);
        const WaitingCustomer customer = it->second;
        drop_customer(it);
        ++car_failures_;
        if (observer_) observer_->car_failed(customer.request, customer.expiry);
    }
    for (const std::int64_t n : due(car_expiries_, time)) {
        const auto it = cars_waiting_.find(n);
        const WaitingCar car = it->second;
        car_expiries_.erase({car.expiry, n});
        cars_waiting_.erase(it);
        ++park_failures_;
        if (observer_) observer_->park_failed(car.request, car.car, car.expiry);
    }
}

Moment PortStation::next_moment() const {
    Moment next;
    double expiry = kInf;
    if (!car_expiries_.empty()) expiry = car_expiries_.begin()->first;
    if (!customer_expiries_.empty()) expiry = std::min(expiry, customer_expiries_.begin()->first);
    if (expiry < kInf) next = Moment{expiry, 1};
    if (!plugged_.empty() && rate_ > 0.0) {
        // The fullest car is ready first, and for the smallest need first: the first need
        // it can reach before that customer's expiry gives the wake-up.
        const double key = plugged_.rbegin()->key;
        for (const auto& [need, n] : customer_needs_) {
            const double ready = ready_time(key, need);
            // settle() has served every customer that was ready; guard against a wake-up
            // in the past all the same, so the loop always moves forward.
            const Moment wake{std::max(ready, now_), 0};
            if (!(wake < next)) break;  // larger needs are ready later still
            if (ready <= customers_waiting_.at(n).expiry) {
                next = wake;
                break;
            }
        }
    }
    return next;
}

void PortStation::run_through(Moment limit) {
    for (;;) {
        const Moment next = next_moment();
        if (next.time == kInf || limit < next) return;
        if (next.phase == 0) {
            settle(next.time);
        } else {
            expire_through(next.time);
        }
    }
}

// Internal moments strictly before (time, 0): an event at `time` sees requests expiring
// at `time` still valid.
void PortStation::run_before(double time) {
    if (time < now_) {
        throw std::invalid_argument("events must come in time order");
    }
    for (;;) {
        const Moment next = next_moment();
        if (!(next < Moment{time, 0})) return;
        if (next.phase == 0) {
            settle(next.time);
        } else {
            expire_through(next.time);
        }
    }
}

}  // namespace shareopt

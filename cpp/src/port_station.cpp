// One station's ports, queues and batteries (the rules are in charging.hpp).
#include <algorithm>
#include <cmath>
#include <iterator>
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
    cars_waiting_.push_back(WaitingCar{request, car, expiry, charge});
    settle(time);
}

void PortStation::customer_arrives(std::int64_t request, double time, double expiry, double need) {
    run_before(time);
    customers_waiting_.push_back(WaitingCustomer{request, expiry, need});
    settle(time);
}

// Free ports take waiting cars; then the fullest car goes to the earliest customer it can
// serve, which frees a port, and so on until nothing changes.
void PortStation::settle(double time) {
    now_ = std::max(now_, time);
    for (;;) {
        while (static_cast<std::int32_t>(plugged_.size()) < ports_ && !cars_waiting_.empty()) {
            const WaitingCar car = cars_waiting_.front();
            cars_waiting_.pop_front();
            plug(car.request, car.car, time, car.charge);
        }
        if (plugged_.empty() || customers_waiting_.empty()) return;
        auto car = plugged_.end();
        auto chosen = customers_waiting_.begin();
        for (; chosen != customers_waiting_.end(); ++chosen) {
            car = least_ready(chosen->need, time);
            if (car != plugged_.end()) break;
        }
        if (chosen == customers_waiting_.end()) return;
        const std::int64_t request = chosen->request;
        const Plugged taken = *car;
        customers_waiting_.erase(chosen);
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

void PortStation::expire_through(double time) {
    now_ = std::max(now_, time);
    auto customer_gone = [&](const WaitingCustomer& c) {
        if (c.expiry > time) return false;
        ++car_failures_;
        if (observer_) observer_->car_failed(c.request, c.expiry);
        return true;
    };
    customers_waiting_.erase(std::remove_if(customers_waiting_.begin(), customers_waiting_.end(), customer_gone),
                             customers_waiting_.end());
    auto car_gone = [&](const WaitingCar& c) {
        if (c.expiry > time) return false;
        ++park_failures_;
        if (observer_) observer_->park_failed(c.request, c.car, c.expiry);
        return true;
    };
    cars_waiting_.erase(std::remove_if(cars_waiting_.begin(), cars_waiting_.end(), car_gone), cars_waiting_.end());
}

Moment PortStation::next_moment() const {
    Moment next;
    double expiry = kInf;
    for (const WaitingCar& c : cars_waiting_) expiry = std::min(expiry, c.expiry);
    for (const WaitingCustomer& c : customers_waiting_) expiry = std::min(expiry, c.expiry);
    if (expiry < kInf) next = Moment{expiry, 1};
    if (!plugged_.empty() && rate_ > 0.0) {
        const double key = plugged_.rbegin()->key;  // the fullest car is ready first
        for (const WaitingCustomer& c : customers_waiting_) {
            const double ready = ready_time(key, c.need);
            if (ready <= c.expiry) {
                // settle() has served every customer that was ready; guard against a
                // wake-up in the past all the same, so the loop always moves forward.
                const Moment wake{std::max(ready, now_), 0};
                if (wake < next) next = wake;
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

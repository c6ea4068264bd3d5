// The network of stations: served customers drive their cars to the destination, where the
// car asks for a port; a car that finds none goes to a depot and comes back charged. The
// synthetic generator records this, and the re-simulation runs it again with new ports.
#include <algorithm>
#include <cmath>
#include <memory>
#include <queue>
#include <stdexcept>
#include <string>

#include "shareopt/charging.hpp"

namespace shareopt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ties at one instant: returning cars, then customers, then a station's own moments, each
// in the order they were scheduled (the replay's order for one station).
enum class Kind : int { kArrival = 0, kCustomer = 1, kStation = 2 };

struct Happening {
    Moment moment;
    Kind kind;
    std::int64_t order;
    std::int64_t index;  // park request, customer or station
};

struct Later {
    bool operator()(const Happening& a, const Happening& b) const {
        if (a.moment != b.moment) return b.moment < a.moment;
        if (a.kind != b.kind) return static_cast<int>(a.kind) > static_cast<int>(b.kind);
        return a.order > b.order;
    }
};

class Network;

class StationLog final : public PortObserver {
public:
    StationLog(Network& network, std::int32_t station) : network_(network), station_(station) {}
    void parked(std::int64_t request, std::int32_t car, double time, double charge) override;
    void park_failed(std::int64_t request, std::int32_t car, double time) override;
    void served(std::int64_t request, std::int32_t car, double time, double charge) override;
    void car_failed(std::int64_t request, double time) override;

private:
    Network& network_;
    std::int32_t station_;
};

class Network {
public:
    explicit Network(const NetworkInput& input) : in_(input) {
        const std::size_t n = in_.ports.size();
        logs_.reserve(n);
        stations_.reserve(n);
        for (std::size_t s = 0; s < n; ++s) {
            logs_.push_back(std::make_unique<StationLog>(*this, static_cast<std::int32_t>(s)));
            stations_.emplace_back(in_.ports[s], in_.rate_per_second[s], logs_.back().get());
        }
        scheduled_.assign(n, Moment{});
        depot_bound_.assign(n, 0);
        car_session_.assign(in_.car_station.size(), -1);
        const std::size_t customers = in_.request_time.size();
        log_.served.assign(customers, 0);
        log_.served_time.assign(customers, kNaN);
        log_.served_car.assign(customers, -1);
    }

    NetworkLog run() {
        for (std::size_t car = 0; car < in_.car_station.size(); ++car) {
            const auto s = static_cast<std::size_t>(in_.car_station[car]);
            stations_[s].plug_initial(static_cast<std::int32_t>(car), in_.start, in_.car_charge[car]);
        }
        for (std::size_t i = 0; i < in_.request_time.size(); ++i) {
            push(Moment{in_.request_time[i], 0}, Kind::kCustomer, static_cast<std::int64_t>(i));
        }
        while (!queue_.empty()) {
            const Happening h = queue_.top();
            queue_.pop();
            std::size_t s;
            if (h.kind == Kind::kCustomer) {
                const auto i = static_cast<std::size_t>(h.index);
                s = static_cast<std::size_t>(in_.origin[i]);
                stations_[s].customer_arrives(h.index, in_.request_time[i], in_.request_expiry[i], in_.need[i]);
            } else if (h.kind == Kind::kArrival) {
                const auto r = static_cast<std::size_t>(h.index);
                s = static_cast<std::size_t>(log_.park_station[r]);
                log_.park_order.push_back(h.index);
                if (log_.park_source[r] < 0) --depot_bound_[s];
                stations_[s].car_returns(h.index, log_.park_car[r], log_.park_time[r], log_.park_expiry[r],
                                         log_.park_charge[r]);
            } else {
                s = static_cast<std::size_t>(h.index);
                if (h.moment != scheduled_[s]) continue;  // superseded
                scheduled_[s] = Moment{};
                stations_[s].run_through(h.moment);
            }
            reschedule(s);
        }
        return std::move(log_);
    }

    void parked(std::int32_t station, std::int64_t request, std::int32_t car, double time, double charge) {
        if (request >= 0) {
            log_.parked[static_cast<std::size_t>(request)] = 1;
            log_.parked_time[static_cast<std::size_t>(request)] = time;
        }
        car_session_[static_cast<std::size_t>(car)] = static_cast<std::int64_t>(log_.session_car.size());
        log_.session_car.push_back(car);
        log_.session_station.push_back(station);
        log_.session_in.push_back(time);
        log_.session_charge_in.push_back(charge);
        log_.session_out.push_back(kNaN);
        log_.session_charge_out.push_back(kNaN);
    }

    void park_failed(std::int32_t, std::int32_t car, double time) {
        // The operator takes the car to a depot, charges it and brings it back where the
        // most ports are free, counting the cars already on their way there from the depot.
        std::size_t best = 0;
        auto room = [&](std::size_t s) { return stations_[s].free_ports() - depot_bound_[s]; };
        for (std::size_t s = 1; s < stations_.size(); ++s) {
            if (room(s) > room(best)) best = s;
        }
        if (add_park_request(car, static_cast<std::int32_t>(best), time + in_.depot_delay, 1.0, -1)) ++depot_bound_[best];
    }

    void served(std::int32_t, std::int64_t customer, std::int32_t car, double time, double charge) {
        const auto i = static_cast<std::size_t>(customer);
        log_.served[i] = 1;
        log_.served_time[i] = time;
        log_.served_car[i] = car;
        const auto session = static_cast<std::size_t>(car_session_[static_cast<std::size_t>(car)]);
        log_.session_out[session] = time;
        log_.session_charge_out[session] = charge;
        car_session_[static_cast<std::size_t>(car)] = -1;
        // Arrivals on whole seconds: tables written with datetimes to the second replay exactly.
        add_park_request(car, in_.destination[i], std::ceil(time + in_.trip_seconds[i]), std::max(0.0, charge - in_.use[i]),
                         static_cast<std::int32_t>(customer));
    }

private:
    bool add_park_request(std::int32_t car, std::int32_t station, double time, double charge, std::int32_t source) {
        if (time > in_.end) return false;  // the horizon ends before the car is back
        const auto r = static_cast<std::int64_t>(log_.park_car.size());
        log_.park_car.push_back(car);
        log_.park_station.push_back(station);
        log_.park_source.push_back(source);
        log_.park_time.push_back(time);
        log_.park_expiry.push_back(time + in_.park_patience);
        log_.park_charge.push_back(charge);
        log_.parked.push_back(0);
        log_.parked_time.push_back(kNaN);
        push(Moment{time, 0}, Kind::kArrival, r);
        return true;
    }

    void push(Moment moment, Kind kind, std::int64_t index) {
        queue_.push(Happening{moment, kind, order_++, index});
    }

    void reschedule(std::size_t s) {
        const Moment next = stations_[s].next_moment();
        if (next.time == std::numeric_limits<double>::infinity() || next == scheduled_[s]) return;
        scheduled_[s] = next;
        push(next, Kind::kStation, static_cast<std::int64_t>(s));
    }

    const NetworkInput& in_;
    std::vector<std::unique_ptr<StationLog>> logs_;
    std::vector<PortStation> stations_;
    std::vector<Moment> scheduled_;
    std::vector<std::int32_t> depot_bound_;  // cars on their way from the depot, per station
    std::vector<std::int64_t> car_session_;
    std::priority_queue<Happening, std::vector<Happening>, Later> queue_;
    std::int64_t order_ = 0;
    NetworkLog log_;
};

void StationLog::parked(std::int64_t request, std::int32_t car, double time, double charge) {
    network_.parked(station_, request, car, time, charge);
}
void StationLog::park_failed(std::int64_t, std::int32_t car, double time) {
    network_.park_failed(station_, car, time);
}
void StationLog::served(std::int64_t request, std::int32_t car, double time, double charge) {
    network_.served(station_, request, car, time, charge);
}
void StationLog::car_failed(std::int64_t, double) {}

void check_network(const NetworkInput& in) {
    const std::size_t n = in.ports.size(), cars = in.car_station.size(), m = in.request_time.size();
    if (in.rate_per_second.size() != n) throw std::invalid_argument("one charge rate per station");
    if (in.car_charge.size() != cars) throw std::invalid_argument("one charge per car");
    for (const auto* column : {&in.request_expiry, &in.need, &in.use, &in.trip_seconds}) {
        if (column->size() != m) throw std::invalid_argument("customer columns must have equal lengths");
    }
    if (in.origin.size() != m || in.destination.size() != m) throw std::invalid_argument("customer columns must have equal lengths");
    if (!std::isfinite(in.start) || !std::isfinite(in.end) || in.end < in.start) throw std::invalid_argument("need start <= end, finite");
    if (!(in.park_patience >= 0.0) || !(in.depot_delay > 0.0)) throw std::invalid_argument("park patience >= 0 and depot delay > 0");
    std::vector<std::int32_t> plugged(n, 0);
    for (std::size_t c = 0; c < cars; ++c) {
        const std::int32_t s = in.car_station[c];
        if (s < 0 || static_cast<std::size_t>(s) >= n) throw std::invalid_argument("car " + std::to_string(c) + ": unknown station");
        if (++plugged[static_cast<std::size_t>(s)] > in.ports[static_cast<std::size_t>(s)]) {
            throw std::invalid_argument("station " + std::to_string(s) + ": more cars than ports at the start");
        }
        if (!(in.car_charge[c] >= 0.0 && in.car_charge[c] <= 1.0)) throw std::invalid_argument("car " + std::to_string(c) + ": charge must be in [0, 1]");
    }
    double previous = in.start;
    for (std::size_t i = 0; i < m; ++i) {
        const std::string row = "customer " + std::to_string(i);
        if (!(in.request_time[i] >= previous)) throw std::invalid_argument(row + ": requests must be in time order, after the start");
        previous = in.request_time[i];
        if (!(in.request_expiry[i] >= in.request_time[i]) || !std::isfinite(in.request_expiry[i])) throw std::invalid_argument(row + ": expires before it is created");
        if (!(in.need[i] >= 0.0 && in.need[i] <= 1.0) || !(in.use[i] >= 0.0 && in.use[i] <= in.need[i])) throw std::invalid_argument(row + ": need in [0, 1] and 0 <= use <= need");
        if (!(in.trip_seconds[i] > 0.0) || !std::isfinite(in.trip_seconds[i])) throw std::invalid_argument(row + ": trip duration must be > 0");
        for (const std::int32_t s : {in.origin[i], in.destination[i]}) {
            if (s < 0 || static_cast<std::size_t>(s) >= n) throw std::invalid_argument(row + ": unknown station");
        }
    }
}

}  // namespace

NetworkLog simulate_network(const NetworkInput& input) {
    check_network(input);
    return Network(input).run();
}

}  // namespace shareopt

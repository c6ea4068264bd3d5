// Charging ports at car-sharing stations: one station's ports, queues and batteries, the
// replay of its reservation events with more or fewer ports, and the whole network (cars that
// drive the trips) for the synthetic generator and the network re-simulation.
//
// Rules (the same in every driver, so a replay reproduces what the network recorded):
// - every parking space has a port; a plugged car charges at `rate` (battery share per
//   second) up to a full battery; a car waiting for a port does not charge;
// - a returning car takes a free port at once, else waits in arrival order until its expiry
//   (then its park reservation fails);
// - a customer takes the least charged plugged car that holds the charge the trip needs
//   (best fit: fuller cars stay for longer trips), else waits until its expiry (then the
//   car reservation fails); whenever cars change, the earliest waiting customer that some
//   car can serve is served first;
// - a request is still valid at its expiry instant; at one instant, returning cars come
//   before customers, and events of one kind keep their given order.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace shareopt {

// What a station did, for callers that need more than the failure counts.
class PortObserver {
public:
    virtual ~PortObserver() = default;
    virtual void parked(std::int64_t request, std::int32_t car, double time, double charge) = 0;
    virtual void park_failed(std::int64_t request, std::int32_t car, double time) = 0;
    virtual void served(std::int64_t request, std::int32_t car, double time, double charge) = 0;
    virtual void car_failed(std::int64_t request, double time) = 0;
};

// A point in a station's own timeline: phase 0 serves at `time`, phase 1 expires what was
// still valid at `time`, so everything that happens at `time` comes before the expiries.
struct Moment {
    double time = std::numeric_limits<double>::infinity();
    int phase = 0;
    bool operator<(const Moment& other) const {
        return time < other.time || (time == other.time && phase < other.phase);
    }
    bool operator==(const Moment& other) const { return time == other.time && phase == other.phase; }
    bool operator!=(const Moment& other) const { return !(*this == other); }
};

class PortStation {
public:
    PortStation(std::int32_t ports, double rate_per_second, PortObserver* observer = nullptr);

    // A car plugged in before the first event (request -1 for the observer).
    void plug_initial(std::int32_t car, double time, double charge);
    // External events; times never go back.
    void car_returns(std::int64_t request, std::int32_t car, double time, double expiry, double charge);
    void customer_arrives(std::int64_t request, double time, double expiry, double need);
    // Charging and expiries up to and including `moment`.
    void run_through(Moment moment);
    // Everything still pending runs to its end (served by charging, or expired).
    void finish() { run_through(Moment{}); }
    // The next thing that happens without an external event (time inf when none).
    Moment next_moment() const;

    std::int64_t car_failures() const { return car_failures_; }
    std::int64_t park_failures() const { return park_failures_; }
    std::int32_t plugged() const { return static_cast<std::int32_t>(plugged_.size()); }
    std::int32_t free_ports() const {
        return ports_ - static_cast<std::int32_t>(plugged_.size() + cars_waiting_.size());
    }

private:
    struct Plugged {
        double key;  // charge - rate * plug time: the charge at t is min(1, key + rate * t)
        std::int32_t car;
    };
    struct Emptier {
        bool operator()(const Plugged& a, const Plugged& b) const {
            return a.key < b.key || (a.key == b.key && a.car < b.car);
        }
    };
    struct WaitingCar {
        std::int64_t request;
        std::int32_t car;
        double expiry, charge;
    };
    struct WaitingCustomer {
        std::int64_t request;
        double expiry, need;
    };
    using Keyed = std::set<std::pair<double, std::int64_t>>;  // (value, arrival number)

    double ready_time(double key, double need) const;
    double charge_at(double key, double time) const;
    void run_before(double time);
    void settle(double time);
    std::multiset<Plugged, Emptier>::iterator least_ready(double need, double time) const;
    void expire_through(double time);
    void plug(std::int64_t request, std::int32_t car, double time, double charge);
    void drop_customer(std::map<std::int64_t, WaitingCustomer>::iterator it);

    std::int32_t ports_;
    double rate_;
    PortObserver* observer_;
    std::multiset<Plugged, Emptier> plugged_;  // emptiest first
    // Waiting requests by arrival number (the order they are served in), with their
    // expiries and needs ordered too, so that no step scans a long queue.
    std::map<std::int64_t, WaitingCar> cars_waiting_;
    std::map<std::int64_t, WaitingCustomer> customers_waiting_;
    Keyed car_expiries_, customer_expiries_, customer_needs_;
    std::int64_t arrivals_ = 0;
    std::int64_t car_failures_ = 0, park_failures_ = 0;
    double now_ = -std::numeric_limits<double>::infinity();
};

// One station's reservation events in processing order (see the rules above).
// kind 0: a car returns (charge = its charge on arrival); kind 1: a customer asks for a car
// (charge = what the trip needs).
struct PortEvents {
    const double* time = nullptr;
    const double* expiry = nullptr;
    const double* charge = nullptr;
    const std::int8_t* kind = nullptr;
    std::int64_t count = 0;
    const double* initial_charge = nullptr;  // cars plugged at `start`
    std::int64_t initial_count = 0;
    double start = 0.0;
};

struct ReplayCounts {
    std::int64_t car_failures = 0, park_failures = 0;
};

// Checks one station's events; throws std::invalid_argument naming the event.
void check_port_events(const PortEvents& events, std::int64_t station);
// Replays one station with `ports` ports; `served` (optional, one per event) gets 1 for a
// request that succeeded, 0 for one that failed, and `served_time` the time it succeeded.
ReplayCounts replay_station(const PortEvents& events, std::int32_t ports, double rate_per_second,
                            std::int8_t* served = nullptr, double* served_time = nullptr);

// Many stations, events in CSR form (offsets of n + 1), each station replayed with
// ports[s] + k ports for k = 0..added_max[s]. Results: (n, width) row-major, -1 past added_max.
struct FailureCurves {
    std::int64_t stations = 0, width = 0;
    std::vector<std::int64_t> car, park;
};
FailureCurves failure_curves(const std::int64_t* offsets, const double* time, const double* expiry,
                             const double* charge, const std::int8_t* kind,
                             const std::int64_t* initial_offsets, const double* initial_charge,
                             double start, std::int64_t stations, const std::int32_t* ports,
                             const double* rate_per_second, const std::int32_t* added_max,
                             int threads);

// The network: cars drive the customers' trips between stations.
struct NetworkInput {
    std::vector<std::int32_t> ports;
    std::vector<double> rate_per_second;
    std::vector<std::int32_t> car_station;  // where each car is plugged at `start`
    std::vector<double> car_charge;
    // Customers in time order: trip from origin to destination.
    std::vector<double> request_time, request_expiry, need, use, trip_seconds;
    std::vector<std::int32_t> origin, destination;
    double start = 0.0, end = 0.0;      // nothing arrives after `end`
    double park_patience = 900.0;       // seconds a returning car waits for a port
    double depot_delay = 7200.0;        // a car that found no port comes back charged after this,
                                        // to the station with the most free ports then
};

struct NetworkLog {
    // Per customer: 1 served, 0 failed; the time and car when served.
    std::vector<std::int8_t> served;
    std::vector<double> served_time;
    std::vector<std::int32_t> served_car;
    // Per park request, in processing order.
    std::vector<std::int32_t> park_car, park_station, park_source;  // source: customer, or -1 depot
    std::vector<double> park_time, park_expiry, park_charge, parked_time;
    std::vector<std::int8_t> parked;
    std::vector<std::int64_t> park_order;  // park requests in the order the stations saw them
    // Per charging session (a car plugged at a station).
    std::vector<std::int32_t> session_car, session_station;
    std::vector<double> session_in, session_charge_in, session_out, session_charge_out;
};

NetworkLog simulate_network(const NetworkInput& input);

}  // namespace shareopt

// Replay of one station's reservation events, and the failure curves of many stations.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "shareopt/charging.hpp"

namespace shareopt {

namespace {

std::string where(std::int64_t station, std::int64_t event) {
    return "station " + std::to_string(station) + ", event " + std::to_string(event);
}

bool is_charge(double value) { return value >= 0.0 && value <= 1.0; }

// Records what happened to each event of one replay.
class OutcomeRecorder final : public PortObserver {
public:
    OutcomeRecorder(std::int8_t* served, double* served_time) : served_(served), time_(served_time) {}
    void parked(std::int64_t request, std::int32_t, double time, double) override { mark(request, time); }
    void park_failed(std::int64_t, std::int32_t, double) override {}
    void served(std::int64_t request, std::int32_t, double time, double) override { mark(request, time); }
    void car_failed(std::int64_t, double) override {}

private:
    void mark(std::int64_t request, double time) {
        if (request < 0) return;  // a car plugged at the start
        if (served_) served_[request] = 1;
        if (time_) time_[request] = time;
    }
    std::int8_t* served_;
    double* time_;
};

}  // namespace

void check_port_events(const PortEvents& events, std::int64_t station) {
    if (events.count < 0 || events.initial_count < 0) {
        throw std::invalid_argument("station " + std::to_string(station) + ": negative event count");
    }
    if (!std::isfinite(events.start)) throw std::invalid_argument("start must be finite");
    for (std::int64_t i = 0; i < events.initial_count; ++i) {
        if (!is_charge(events.initial_charge[i])) {
            throw std::invalid_argument("station " + std::to_string(station) + ", initial car " +
                                        std::to_string(i) + ": charge must be in [0, 1]");
        }
    }
    double previous = events.start;
    for (std::int64_t i = 0; i < events.count; ++i) {
        const double t = events.time[i], e = events.expiry[i];
        if (!std::isfinite(t) || !std::isfinite(e)) throw std::invalid_argument(where(station, i) + ": time and expiry must be finite");
        if (t < previous) throw std::invalid_argument(where(station, i) + ": events must be in time order, after the start");
        if (e < t) throw std::invalid_argument(where(station, i) + ": expires before it is created");
        if (!is_charge(events.charge[i])) throw std::invalid_argument(where(station, i) + ": charge must be in [0, 1]");
        if (events.kind[i] != 0 && events.kind[i] != 1) throw std::invalid_argument(where(station, i) + ": kind must be 0 (car returns) or 1 (customer)");
        previous = t;
    }
}

ReplayCounts replay_station(const PortEvents& events, std::int32_t ports, double rate_per_second,
                            std::int8_t* served, double* served_time) {
    OutcomeRecorder recorder(served, served_time);
    const bool record = served != nullptr || served_time != nullptr;
    PortStation station(ports, rate_per_second, record ? &recorder : nullptr);
    if (served) std::fill(served, served + events.count, std::int8_t{0});
    if (served_time) std::fill(served_time, served_time + events.count, std::nan(""));
    for (std::int64_t i = 0; i < events.initial_count; ++i) {
        station.plug_initial(-1, events.start, events.initial_charge[i]);
    }
    for (std::int64_t i = 0; i < events.count; ++i) {
        if (events.kind[i] == 0) {
            station.car_returns(i, -1, events.time[i], events.expiry[i], events.charge[i]);
        } else {
            station.customer_arrives(i, events.time[i], events.expiry[i], events.charge[i]);
        }
    }
    station.finish();
    return ReplayCounts{station.car_failures(), station.park_failures()};
}

FailureCurves failure_curves(const std::int64_t* offsets, const double* time, const double* expiry,
                             const double* charge, const std::int8_t* kind,
                             const std::int64_t* initial_offsets, const double* initial_charge,
                             double start, std::int64_t stations, const std::int32_t* ports,
                             const double* rate_per_second, const std::int32_t* added_max,
                             int threads) {
    FailureCurves curves;
    curves.stations = stations;
    std::int32_t widest = 0;
    auto events_of = [&](std::int64_t s) {
        PortEvents events;
        events.time = time + offsets[s];
        events.expiry = expiry + offsets[s];
        events.charge = charge + offsets[s];
        events.kind = kind + offsets[s];
        events.count = offsets[s + 1] - offsets[s];
        events.initial_charge = initial_charge + initial_offsets[s];
        events.initial_count = initial_offsets[s + 1] - initial_offsets[s];
        events.start = start;
        return events;
    };
    // The offsets first, whole: a later decrease must not let an earlier station read past
    // the arrays.
    if (offsets[0] != 0 || initial_offsets[0] != 0) throw std::invalid_argument("offsets must start at 0");
    for (std::int64_t s = 0; s < stations; ++s) {
        if (offsets[s + 1] < offsets[s] || initial_offsets[s + 1] < initial_offsets[s]) {
            throw std::invalid_argument("station " + std::to_string(s) + ": offsets must not decrease");
        }
        if (static_cast<std::int64_t>(ports[s]) + added_max[s] > std::numeric_limits<std::int32_t>::max()) {
            throw std::invalid_argument("station " + std::to_string(s) + ": too many ports");
        }
    }
    for (std::int64_t s = 0; s < stations; ++s) {
        if (added_max[s] < 0) throw std::invalid_argument("station " + std::to_string(s) + ": added ports must be >= 0");
        if (ports[s] < 0) throw std::invalid_argument("station " + std::to_string(s) + ": ports must be >= 0");
        if (!(rate_per_second[s] >= 0.0) || !std::isfinite(rate_per_second[s])) {
            throw std::invalid_argument("station " + std::to_string(s) + ": charge rate must be finite and >= 0");
        }
        if (initial_offsets[s + 1] - initial_offsets[s] > ports[s]) {
            throw std::invalid_argument("station " + std::to_string(s) + ": more cars plugged at the start than ports");
        }
        check_port_events(events_of(s), s);
        widest = std::max(widest, added_max[s]);
    }
    curves.width = static_cast<std::int64_t>(widest) + 1;
    curves.car.assign(static_cast<std::size_t>(stations * curves.width), -1);
    curves.park.assign(curves.car.size(), -1);

    // Stations differ a lot in size: workers take the next station from a shared counter.
    std::atomic<std::int64_t> next{0};
    const int n_threads = std::max(1, std::min<int>(threads, static_cast<int>(std::min<std::int64_t>(stations, 64))));
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n_threads));
    auto work = [&](int worker) {
        try {
            for (std::int64_t s = next++; s < stations; s = next++) {
                const PortEvents events = events_of(s);
                for (std::int32_t k = 0; k <= added_max[s]; ++k) {
                    const ReplayCounts counts = replay_station(events, ports[s] + k, rate_per_second[s]);
                    curves.car[static_cast<std::size_t>(s * curves.width + k)] = counts.car_failures;
                    curves.park[static_cast<std::size_t>(s * curves.width + k)] = counts.park_failures;
                }
            }
        } catch (...) {
            errors[static_cast<std::size_t>(worker)] = std::current_exception();  // e.g. bad_alloc
            next = stations;  // the others stop at their next station
        }
    };
    std::vector<std::thread> workers;
    for (int i = 1; i < n_threads; ++i) workers.emplace_back(work, i);
    work(0);
    for (std::thread& w : workers) w.join();
    for (const std::exception_ptr& error : errors) {
        if (error) std::rethrow_exception(error);
    }
    return curves;
}

}  // namespace shareopt

// Charging ports: a hand-worked station, and the network log replayed station by station.
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "checks.hpp"
#include "shareopt/charging.hpp"

namespace {

shareopt::test::Checks check{"charging"};
constexpr double kRate = 0.25 / 3600.0;

void test_hand_worked() {
    // See tests/test_charging.py::test_replay_hand_worked_one_port for the arithmetic.
    const std::vector<double> time{0, 1000, 2000, 2100, 2500}, expiry{3600, 1200, 3000, 2200, 2600},
        charge{0.6, 0.2, 0.3, 0.5, 0.3}, initial{0.5};
    const std::vector<std::int8_t> kind{1, 0, 0, 1, 1};
    shareopt::PortEvents events{time.data(), expiry.data(), charge.data(), kind.data(), 5, initial.data(), 1, 0.0};
    std::vector<std::int8_t> served(5);
    std::vector<double> when(5);
    const auto counts = shareopt::replay_station(events, 1, kRate, served.data(), when.data());
    check(counts.car_failures == 1 && counts.park_failures == 1, "one car and one park failure");
    check(served == std::vector<std::int8_t>{1, 0, 1, 0, 1}, "outcome per event");
    check(std::abs(when[0] - 1440.0) < 1e-6, "served when the battery reaches the need");
    const auto two = shareopt::replay_station(events, 2, kRate);
    check(two.car_failures == 1 && two.park_failures == 0, "a second port takes the waiting car");
}

void test_bad_events_are_refused() {
    const std::vector<double> time{10, 5}, expiry{20, 4}, charge{0.5, 1.5}, initial{};
    const std::vector<std::int8_t> kind{0, 1};
    shareopt::PortEvents events{time.data(), expiry.data(), charge.data(), kind.data(), 2, initial.data(), 0, 0.0};
    bool refused = false;
    try {
        shareopt::check_port_events(events, 3);
    } catch (const std::invalid_argument& err) {
        refused = std::string(err.what()).find("station 3, event 1") != std::string::npos;
    }
    check(refused, "events out of order are refused, naming the event");
}

// Every station's events from the network log, replayed alone, give the recorded outcomes.
void test_network_replays(unsigned seed) {
    std::mt19937 rng(seed);
    shareopt::NetworkInput in;
    const int stations = 12, cars = 20, customers = 900;  // at least 24 ports
    std::uniform_int_distribution<int> port_count(2, 8), station(0, stations - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int s = 0; s < stations; ++s) {
        in.ports.push_back(port_count(rng));
        in.rate_per_second.push_back(kRate);
    }
    std::vector<int> plugged(stations, 0);
    for (int c = 0; c < cars; ++c) {
        int s = station(rng);
        while (plugged[s] >= in.ports[s]) s = (s + 1) % stations;
        ++plugged[s];
        in.car_station.push_back(s);
        in.car_charge.push_back(0.3 + 0.7 * unit(rng));
    }
    double t = 0;
    for (int i = 0; i < customers; ++i) {
        t += std::floor(600 * unit(rng));
        const double use = 0.05 + 0.4 * unit(rng);
        in.request_time.push_back(t);
        in.request_expiry.push_back(t + std::floor(3600 * unit(rng)));
        in.use.push_back(use);
        in.need.push_back(std::min(1.0, use + 0.1));
        in.trip_seconds.push_back(std::floor(600 + 7200 * unit(rng)));
        in.origin.push_back(station(rng));
        in.destination.push_back(station(rng));
    }
    in.end = t + 86400;
    in.park_patience = 900;
    in.depot_delay = 3600;
    const shareopt::NetworkLog log = shareopt::simulate_network(in);

    bool all_equal = true;
    for (int s = 0; s < stations; ++s) {
        std::vector<double> time, expiry, charge, initial;
        std::vector<std::int8_t> kind, recorded;
        for (std::size_t c = 0; c < in.car_station.size(); ++c) {
            if (in.car_station[c] == s) initial.push_back(in.car_charge[c]);
        }
        // Merge park requests (in the order the stations saw them) and customers by time,
        // returning cars first at one instant: the replay's order.
        std::size_t p = 0, q = 0;
        std::vector<std::int64_t> parks;
        for (const std::int64_t r : log.park_order) {
            if (log.park_station[static_cast<std::size_t>(r)] == s) parks.push_back(r);
        }
        while (p < parks.size() || q < in.request_time.size()) {
            if (q < in.request_time.size() && in.origin[q] != s) {
                ++q;
                continue;
            }
            const bool park_first = p < parks.size() &&
                                    (q >= in.request_time.size() ||
                                     log.park_time[static_cast<std::size_t>(parks[p])] <= in.request_time[q]);
            if (park_first) {
                const auto r = static_cast<std::size_t>(parks[p++]);
                time.push_back(log.park_time[r]);
                expiry.push_back(log.park_expiry[r]);
                charge.push_back(log.park_charge[r]);
                kind.push_back(0);
                recorded.push_back(log.parked[r]);
            } else {
                time.push_back(in.request_time[q]);
                expiry.push_back(in.request_expiry[q]);
                charge.push_back(in.need[q]);
                kind.push_back(1);
                recorded.push_back(log.served[q]);
                ++q;
            }
        }
        shareopt::PortEvents events{time.data(), expiry.data(), charge.data(), kind.data(),
                                    static_cast<std::int64_t>(time.size()), initial.data(),
                                    static_cast<std::int64_t>(initial.size()), 0.0};
        shareopt::check_port_events(events, s);
        std::vector<std::int8_t> served(time.size());
        shareopt::replay_station(events, in.ports[static_cast<std::size_t>(s)], kRate, served.data());
        all_equal = all_equal && served == recorded;
    }
    check(all_equal, "replays give the network's outcomes (seed " + std::to_string(seed) + ")");
    check(!log.park_order.empty() && log.park_order.size() == log.park_car.size(), "every park request seen");
}

}  // namespace

int run_charging_tests() {
    test_hand_worked();
    test_bad_events_are_refused();
    for (unsigned seed = 1; seed <= 5; ++seed) test_network_replays(seed);
    return check.failures;
}

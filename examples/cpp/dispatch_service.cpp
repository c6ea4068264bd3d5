// A service embedding the real-time dispatcher from C++ alone: the header and the static
// library, no Python. Loads two reserved chains, answers a few offers, snapshots its state
// and checks that a restored dispatcher answers the next offer the same way.
//
// Build: cmake -S . -B build -DSHAREOPT_BUILD_TESTS=ON -DSHAREOPT_BUILD_PYTHON=OFF
//        cmake --build build && ./build/shareopt_dispatch_example
#include <cstdio>
#include <limits>
#include <vector>

#include "shareopt/dispatch.hpp"

using shareopt::DispatchOrder;
using shareopt::Place;

static DispatchOrder trip(double pickup_min, double dropoff_min, Place from, Place to, double revenue) {
    DispatchOrder o;
    o.pickup_time = pickup_min * 60.0;
    o.dropoff_time = dropoff_min * 60.0;
    o.pickup = from;
    o.dropoff = to;
    o.revenue = revenue;
    return o;  // service_km < 0: the travel model's distance
}

static void print(const char* what, const shareopt::Decision& d) {
    std::printf("%-28s %-12s vehicle %2d position %2d marginal cost %8.2f\n", what,
                shareopt::verdict_name(d.verdict), d.vehicle, d.position, d.marginal_cost);
}

int main() {
    // Manhattan distances in km at 24 km/h; the seed's costs per km, 50 per vehicle.
    const shareopt::TravelModel travel(shareopt::Metric::Manhattan, 1.0, {24.0});
    shareopt::DispatchParams params;
    params.vehicle_cost = 50.0;
    params.deadhead_cost_per_km = 3.0;
    params.service_cost_per_km = 3.0;
    params.max_idle_s = 3600.0;

    shareopt::Dispatcher dispatcher(travel, params);
    const std::vector<DispatchOrder> reserved = {
        trip(480, 500, {0, 0}, {4, 0}, 40), trip(520, 540, {4, 1}, {8, 1}, 40),  // vehicle 0
        trip(490, 505, {10, 10}, {12, 10}, 30), trip(560, 580, {12, 11}, {6, 6}, 45),  // vehicle 1
    };
    dispatcher.load(reserved, {{0, 1}, {2, 3}});
    std::printf("reserved plan: %d vehicles, cost %.2f\n", dispatcher.num_vehicles(), dispatcher.objective());

    const double now = 470.0 * 60.0;
    print("between 0 and 1 on vehicle 0", dispatcher.offer(trip(502, 510, {4, 0.5}, {4, 1}, 25), now));
    print("after vehicle 1's last", dispatcher.offer(trip(600, 615, {6, 6}, {9, 6}, 30), now));
    print("needs a new vehicle", dispatcher.offer(trip(495, 515, {30, 30}, {35, 30}, 80), now));
    print("too short to pay", dispatcher.offer(trip(700, 701, {40, 40}, {40, 40.1}, 0.5), now));

    const std::string state = dispatcher.snapshot();
    shareopt::Dispatcher restored = shareopt::Dispatcher::restore(state);
    const DispatchOrder next = trip(620, 640, {9, 6}, {2, 2}, 35);
    const shareopt::Decision a = dispatcher.evaluate(next, now);
    const shareopt::Decision b = restored.evaluate(next, now);
    print("next offer, live", a);
    print("next offer, restored", b);
    std::printf("snapshot: %zu bytes, plan cost %.2f\n", state.size(), restored.objective());
    const bool same = a.verdict == b.verdict && a.vehicle == b.vehicle && a.position == b.position &&
                      a.marginal_cost == b.marginal_cost && restored.snapshot() == state;
    if (!same) {
        std::fprintf(stderr, "restored dispatcher decided differently\n");
        return 1;
    }
    std::printf("dispatch example: restored dispatcher decides identically\n");
    return 0;
}

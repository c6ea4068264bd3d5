// The dispatcher's gap index against a scan of every gap, with offers out of time order (so
// that cells gain buckets before their first one) and places far off the grid.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "checks.hpp"
#include "shareopt/dispatch.hpp"

namespace {

shareopt::test::Checks check{"dispatch index"};

shareopt::DispatchOrder random_order(std::mt19937& rng, double far_share, double spread_km) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double spread = unit(rng) < far_share ? 60.0 : spread_km;  // a few places far off the centre
    shareopt::DispatchOrder o;
    o.pickup_time = 3600.0 * 6.0 * unit(rng);
    o.pickup = {spread * (unit(rng) - 0.5), spread * (unit(rng) - 0.5), -1};
    o.dropoff = {o.pickup.x + 6.0 * (unit(rng) - 0.5), o.pickup.y + 6.0 * (unit(rng) - 0.5), -1};
    const double km = std::abs(o.dropoff.x - o.pickup.x) + std::abs(o.dropoff.y - o.pickup.y);
    o.dropoff_time = o.pickup_time + 120.0 + km * 150.0;
    o.revenue = 2.5 * km;
    return o;
}

// reserved orders over spread_km: a few hundred fill a few cells. A bound left stale after an
// erase shows with thousands of orders and long idle windows (a depot and no max_idle, or
// max_idle 1e30), where many records share a bucket.
void test_index_matches_scan(unsigned seed, bool depot, double max_idle, int reserved_count = 300,
                             double spread_km = 8.0) {
    std::mt19937 rng(seed);
    shareopt::DispatchParams params;
    params.vehicle_cost = 20.0;
    params.deadhead_cost_per_km = 1.0;
    params.service_cost_per_km = 0.5;
    params.max_idle_s = max_idle;
    if (depot) {
        params.has_depot = true;
        params.depot = {1.0, -1.0, -1};
    }
    std::vector<double> hourly(24);
    for (std::size_t h = 0; h < hourly.size(); ++h) hourly[h] = 15.0 + 2.0 * static_cast<double>(h % 7);
    const shareopt::TravelModel travel(shareopt::Metric::Manhattan, 1.2, hourly);
    shareopt::Dispatcher dispatcher(travel, params);
    // Reserved orders, each its own chain: the index is built over their places.
    std::vector<shareopt::DispatchOrder> reserved;
    std::vector<std::vector<std::int32_t>> chains;
    for (std::int32_t k = 0; k < reserved_count; ++k) {
        reserved.push_back(random_order(rng, 0.05, spread_km));
        chains.push_back({k});
    }
    dispatcher.load(reserved, chains);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int accepted = 0, mismatches = 0;
    for (int k = 0; k < 1500; ++k) {
        const shareopt::DispatchOrder o = random_order(rng, 0.05, spread_km);
        const double request = unit(rng) < 0.2 ? -INFINITY : o.pickup_time - 3600.0 * unit(rng);
        const shareopt::Decision scan = dispatcher.evaluate_exhaustive(o, request);
        const shareopt::Decision decision = dispatcher.offer(o, request);
        const bool same_cost = decision.marginal_cost == scan.marginal_cost ||
                               (std::isnan(decision.marginal_cost) && std::isnan(scan.marginal_cost));
        if (decision.verdict != scan.verdict || decision.vehicle != scan.vehicle ||
            decision.position != scan.position || !same_cost) {
            ++mismatches;
        }
        accepted += decision.accepted();
    }
    char idle[32];
    std::snprintf(idle, sizeof idle, "%g", max_idle);
    const std::string name = "seed " + std::to_string(seed) + (depot ? ", depot" : "") + ", max_idle " + idle +
                             ", " + std::to_string(reserved_count) + " reserved";
    check(mismatches == 0, "index and scan decide alike (" + name + "): " + std::to_string(mismatches) + " differ");
    check(accepted > 150, "the case inserts orders (" + name + ")");
}

}  // namespace

// Places a billion km from the origin, a cost near one ulp of them: a cell's bound must come
// out at or below the true distance however the edges round, or the index passes over a gap
// the scan takes (found in review: a new vehicle instead of an append 2e-7 cheaper).
void test_far_from_the_origin() {
    const double x0 = 1228985772.206624, y0 = 36877818.90720097;
    std::vector<shareopt::DispatchOrder> orders;
    std::vector<std::vector<std::int32_t>> chains;
    const double width = 501.73750505111701, height = 224.85438249995596;
    for (int k = 0; k < 1000; ++k) {  // spread over the box, days later
        shareopt::DispatchOrder o;
        o.pickup = o.dropoff = {x0 + width * (k % 17) / 16.0, y0 + height * (k % 13) / 12.0, -1};
        o.pickup_time = 3 * 86400.0 + k;
        o.dropoff_time = o.pickup_time + 10.0;
        orders.push_back(o);
    }
    shareopt::DispatchOrder alone;
    alone.pickup = alone.dropoff = {1228986090.8539042, 36877872.015081003, -1};
    alone.pickup_time = 900.0;
    alone.dropoff_time = 1000.0;
    orders.push_back(alone);
    for (std::int32_t k = 0; k < static_cast<std::int32_t>(orders.size()); ++k) chains.push_back({k});
    shareopt::DispatchParams params;
    params.deadhead_cost_per_km = 1.0;
    params.max_idle_s = 1800.0;
    params.vehicle_cost = 2.7293367566001595e-07;
    shareopt::Dispatcher dispatcher(shareopt::TravelModel(shareopt::Metric::Manhattan, 1.0, {30.0}), params);
    dispatcher.load(orders, chains);
    shareopt::DispatchOrder offer;
    offer.pickup = offer.dropoff = {1228986090.853904, 36877872.015081003, -1};
    offer.pickup_time = 1100.0;
    offer.dropoff_time = 1200.0;
    offer.service_km = 0.0;
    const auto fast = dispatcher.evaluate(offer, -INFINITY), scan = dispatcher.evaluate_exhaustive(offer, -INFINITY);
    check(fast.vehicle == scan.vehicle && fast.after == scan.after && fast.after == 1000,
          "far from the origin: the index appends after the lone order as the scan does (vehicle " +
              std::to_string(fast.vehicle) + ", after " + std::to_string(fast.after) + ")");
}

int run_dispatch_index_tests() {
    test_far_from_the_origin();
    for (unsigned seed = 0; seed < 3; ++seed) {
        test_index_matches_scan(seed, false, 1800.0);
        test_index_matches_scan(seed, true, 1800.0);
        test_index_matches_scan(seed, false, INFINITY);
    }
    test_index_matches_scan(3, false, 1800.0, 3000, 20.0);
    test_index_matches_scan(4, true, 1e30, 3000, 20.0);  // a window edge far beyond any bucket
    test_index_matches_scan(5, true, INFINITY, 3000, 20.0);
    return check.failures;
}

// Trip chains from C++: the auction start and the greedy start reach the same optimum, round
// by round, on random days (run under the sanitizers by tests/test_cpp_core.py).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "checks.hpp"
#include "shareopt/chaining.hpp"

namespace {

shareopt::test::Checks check{"chaining"};

struct Day {
    std::vector<double> pickup_time, dropoff_time, pickup_xy, dropoff_xy, revenue;
};

Day random_day(unsigned seed, std::size_t n) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> place(0.0, 10.0), when(0.0, 6 * 3600.0), wait(0.0, 600.0);
    Day day;
    for (std::size_t i = 0; i < n; ++i) {
        const double ax = place(rng), ay = place(rng), bx = place(rng), by = place(rng);
        const double km = std::fabs(ax - bx) + std::fabs(ay - by);
        const double t = when(rng);
        day.pickup_time.push_back(t);
        day.dropoff_time.push_back(t + km / 25.0 * 3600.0 + wait(rng));
        day.pickup_xy.insert(day.pickup_xy.end(), {ax, ay});
        day.dropoff_xy.insert(day.dropoff_xy.end(), {bx, by});
        day.revenue.push_back(1.0 + 2.0 * km);  // short trips do not pay for a vehicle
    }
    return day;
}

// Solve, price, repeat until a complete round adds nothing; the certified scaled optimum.
long double solve_rounds(const shareopt::TravelModel& travel, const Day& day, shareopt::ChainParams params,
                         std::int64_t& auction_solves) {
    shareopt::ChainOrders orders;
    orders.n = day.pickup_time.size();
    orders.pickup_time = day.pickup_time.data();
    orders.dropoff_time = day.dropoff_time.data();
    orders.pickup_xy = day.pickup_xy.data();
    orders.dropoff_xy = day.dropoff_xy.data();
    orders.revenue = day.revenue.data();
    shareopt::TripChainer chainer(travel, orders, params);
    chainer.add_candidate_arcs(std::numeric_limits<double>::infinity());
    for (int round = 0; round < 200; ++round) {
        if (chainer.solve_flow(std::numeric_limits<double>::infinity()) != shareopt::FlowStatus::Optimal) {
            check(false, "a solve did not end optimal");
            return 0;
        }
        bool complete = false;
        if (chainer.price(std::numeric_limits<double>::infinity(), complete) == 0) {
            check(complete, "the last pricing round was not complete");
            auction_solves = chainer.auction_solves();
            return chainer.scaled_objective();
        }
    }
    check(false, "no certificate after 200 rounds");
    return 0;
}

void test_auction_matches_greedy_start(unsigned seed, bool depot, bool must_serve) {
    const shareopt::TravelModel travel(shareopt::Metric::Manhattan, 1.0, std::vector<double>{25.0});
    const Day day = random_day(seed, 600);
    shareopt::ChainParams params;
    params.vehicle_cost = 8.0;
    params.deadhead_cost_per_km = 1.0;
    params.service_cost_per_km = 1.0;
    params.max_idle_s = 1800.0;
    params.successors = 1;  // sparse candidates: pricing adds many arcs, the auction restarts
    params.must_serve = must_serve;
    params.has_depot = depot;
    params.depot = shareopt::Place{5.0, 5.0, -1};
    params.threads = 1;
    std::int64_t with_auction = 0, without = 0;
    params.auction = false;
    const long double greedy = solve_rounds(travel, day, params, without);
    params.auction = true;
    const long double auction = solve_rounds(travel, day, params, with_auction);
    const std::string name = "seed " + std::to_string(seed) + (depot ? ", depot" : "") +
                             (must_serve ? ", must_serve" : "");
    check(greedy == auction, name + ": the auction start reached another optimum");
    check(without == 0 && with_auction >= 1, name + ": the auction ran where it should not, or not at all");
}

}  // namespace

int run_chaining_tests() {
    for (unsigned seed = 0; seed < 4; ++seed) {
        test_auction_matches_greedy_start(seed, seed % 2 == 1, seed == 2);
    }
    return check.failures;
}

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

// Solve, price, repeat until a complete round adds nothing; the certified scaled optimum, and
// optionally each order's successor and whether the last auction was cut in halves.
long double solve_rounds(const shareopt::TravelModel& travel, const Day& day, shareopt::ChainParams params,
                         std::int64_t& auction_solves, std::vector<std::int32_t>* successor = nullptr,
                         bool* halved = nullptr) {
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
            if (successor != nullptr) *successor = chainer.successor();
            if (halved != nullptr) *halved = chainer.auction_halved();
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

// A market large enough to be cut in two halves that bid on two threads: the same plan as on
// one thread (the halves touch disjoint data; a race would show as another plan or a crash
// under the thread sanitizer), and the greedy start's optimum.
void test_auction_halves_on_two_threads() {
    const shareopt::TravelModel travel(shareopt::Metric::Manhattan, 1.0, std::vector<double>{25.0});
    const Day day = random_day(5, 20000);
    shareopt::ChainParams params;
    params.vehicle_cost = 8.0;
    params.deadhead_cost_per_km = 1.0;
    params.service_cost_per_km = 1.0;
    params.max_idle_s = 600.0;
    std::int64_t solves[2] = {0, 0}, none = 0;
    std::vector<std::int32_t> successor[2];
    bool halved[2] = {false, false};
    long double optimum[2];
    for (int t = 0; t < 2; ++t) {
        params.threads = t + 1;
        optimum[t] = solve_rounds(travel, day, params, solves[t], &successor[t], &halved[t]);
    }
    params.auction = false;
    const long double greedy = solve_rounds(travel, day, params, none);
    check(halved[0] && halved[1] && solves[0] >= 1, "20,000 orders: the auction was not cut in halves");
    check(optimum[0] == optimum[1] && successor[0] == successor[1], "two threads found another plan than one");
    check(optimum[0] == greedy, "the halved auction reached another optimum than the greedy start");
}

}  // namespace

int run_chaining_tests() {
    for (unsigned seed = 0; seed < 4; ++seed) {
        test_auction_matches_greedy_start(seed, seed % 2 == 1, seed == 2);
    }
    test_auction_halves_on_two_threads();
    return check.failures;
}

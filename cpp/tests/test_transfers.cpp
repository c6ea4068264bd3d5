// Transfer costs and pricing (bike rebalancing) against a direct scan of every pair.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "checks.hpp"
#include "shareopt/transfers.hpp"

namespace {

shareopt::test::Checks check{"transfers"};

void test_pricing_matches_a_scan(shareopt::Metric metric, unsigned seed, std::int64_t tolerance) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> coord(metric == shareopt::Metric::Haversine ? -74.05 : 0.0,
                                                 metric == shareopt::Metric::Haversine ? -73.9 : 10.0);
    const std::int32_t n = 1200;  // 600 takers: pricing splits them across threads
    std::vector<double> places(2 * n);
    for (std::int32_t s = 0; s < n; ++s) {
        places[2 * s] = coord(rng);
        places[2 * s + 1] = metric == shareopt::Metric::Haversine ? 40.7 + (coord(rng) + 74.0) : coord(rng);
    }
    const shareopt::TravelModel travel(metric, 1.2, {20.0});
    const double scale = 1e6;
    const shareopt::TransferCosts costs(travel, places.data(), n, scale, 0.25);
    std::vector<std::int32_t> givers, takers;
    std::vector<std::int64_t> pi(n);
    std::uniform_int_distribution<std::int64_t> potential(0, 8'000'000);
    for (std::int32_t s = 0; s < n; ++s) {
        if (s % 3 != 0) givers.push_back(s);
        if (s % 2 == 0) takers.push_back(s);  // some stations are both
        pi[s] = potential(rng);
    }
    const std::int32_t per_taker = 4;
    const auto priced = shareopt::price_transfers(costs, givers, takers, pi, per_taker, tolerance);
    // The scan: every pair below -tolerance, the per_taker most negative per taker.
    std::set<std::tuple<std::int32_t, std::int32_t>> expected;
    for (std::int32_t j : takers) {
        std::vector<std::pair<std::int64_t, std::int32_t>> negative;
        for (std::int32_t i : givers) {
            if (i == j) continue;
            const std::int64_t reduced = costs.cost(i, j) + pi[i] - pi[j];
            if (reduced < -tolerance) negative.push_back({reduced, i});
        }
        std::sort(negative.begin(), negative.end());
        for (std::size_t k = 0; k < negative.size() && k < per_taker; ++k) expected.insert({negative[k].second, j});
    }
    std::set<std::tuple<std::int32_t, std::int32_t>> found;
    for (std::size_t a = 0; a < priced.tail.size(); ++a) {
        found.insert({priced.tail[a], priced.head[a]});
        check(priced.cost[a] == costs.cost(priced.tail[a], priced.head[a]), "priced arc keeps its cost");
    }
    check(!expected.empty(), "the instance has negative pairs");
    check(found == expected, "pricing finds what a scan finds (metric " + std::to_string(static_cast<int>(metric)) + ")");
    check(priced.pairs_priced <= static_cast<std::int64_t>(givers.size() * takers.size()), "pairs priced");
}

}  // namespace

int run_transfer_tests() {
    for (unsigned seed = 0; seed < 3; ++seed) {
        // A tolerance of 0 is the exact test; 300,000 units (0.3 km here) drops the pairs
        // that price out by less.
        for (std::int64_t tolerance : {std::int64_t{0}, std::int64_t{300'000}}) {
            test_pricing_matches_a_scan(shareopt::Metric::Manhattan, seed, tolerance);
            test_pricing_matches_a_scan(shareopt::Metric::Euclidean, seed, tolerance);
            test_pricing_matches_a_scan(shareopt::Metric::Haversine, seed, tolerance);
        }
    }
    std::vector<double> places = {0, 0, 1, 1};
    const shareopt::TravelModel travel(shareopt::Metric::Manhattan, 1.0, {20.0});
    const shareopt::TransferCosts costs(travel, places.data(), 2, 10.0, 0.0);
    check(costs.cost(0, 1) == 20 + shareopt::TransferCosts::kTransferTie, "cost = round(scale d) + tie");
    bool refused = false;
    try {
        shareopt::price_transfers(costs, {0, 2}, {1}, {0, 0}, 1);
    } catch (const std::out_of_range&) {
        refused = true;
    }
    check(refused, "a station out of range is refused");
    refused = false;
    try {
        costs.costs({0}, {5});
    } catch (const std::out_of_range&) {
        refused = true;
    }
    check(refused, "an arc out of range is refused");
    return check.failures;
}

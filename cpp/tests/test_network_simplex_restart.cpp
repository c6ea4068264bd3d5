// Restarts from a solved basis: the same arcs with other supplies, started from the last
// optimal tree (arcs at their upper bound included) with repair, must reach the oracle's answer.
#include "network_simplex_oracle.hpp"

namespace {

std::unique_ptr<NetworkSimplex> build(const Problem& p) {
    auto ns = std::make_unique<NetworkSimplex>(p.n);
    set_supplies(*ns, p);
    add_arcs(*ns, p, 0, p.arcs.size());
    return ns;
}

// Moves a few units of supply between random nodes (the total stays zero).
void shift_supplies(std::mt19937& rng, Problem& p) {
    const int moves = static_cast<int>(rand_in(rng, 1, 4));
    for (int k = 0; k < moves; ++k) {
        const auto from = static_cast<std::size_t>(rand_in(rng, 0, p.n - 1));
        const auto to = static_cast<std::size_t>(rand_in(rng, 0, p.n - 1));
        const Value units = rand_in(rng, 1, 4);
        p.supply[from] += units;
        p.supply[to] -= units;
    }
}

void test_random_restarts() {
    std::mt19937 rng(4242);
    const Shape shape{2, 12, 4, 10, 20, 30, 20, 8, false, false};
    int restarted = 0, repaired = 0;
    for (int round = 0; round < 600; ++round) {
        Problem p = random_problem(rng, shape, true);
        auto first = build(p);
        if (first->solve(30.0) != FlowStatus::Optimal) continue;
        std::vector<std::int64_t> tree, upper;
        first->basis(tree, upper);
        for (const std::int64_t a : upper) {
            ns_check(first->flow(a) == p.arcs[static_cast<std::size_t>(a)].upper, "basis: arcs at upper carry it");
        }
        {  // The optimal basis restarts its own problem without a pivot.
            auto same = build(p);
            ns_check(same->start_from_tree(tree, upper), "round " + std::to_string(round) + ": own basis accepted");
            ns_check(same->solve(30.0) == FlowStatus::Optimal && same->pivots() == 0 &&
                         same->total_cost() == first->total_cost(),
                     "round " + std::to_string(round) + ": own basis is optimal at once");
        }
        shift_supplies(rng, p);
        auto strict = build(p);
        const bool accepted = strict->start_from_tree(tree, upper);
        ns_check(strict->started() == accepted, "a refused start changes nothing");
        auto warm = build(p);
        const bool started = warm->start_from_tree(tree, upper, true);
        ns_check(started, "round " + std::to_string(round) + ": repair always starts");
        restarted += started;
        repaired += started && !accepted;
        const std::string tag = "restart " + std::to_string(round);
        check_against_oracle(*warm, warm->solve(30.0), p, p.arcs.size(), tag);
        if (accepted) check_against_oracle(*strict, strict->solve(30.0), p, p.arcs.size(), tag + " strict");
    }
    ns_check(restarted > 300 && repaired > 50,
             "restarts " + std::to_string(restarted) + ", repaired " + std::to_string(repaired));
}

void test_bad_upper_lists() {
    // 0 -> 1 (cap 4), 1 -> 2 (cap 4), 0 -> 2 (uncapacitated); 3 units from 0 to 2.
    Problem p;
    p.n = 3;
    p.supply = {3, 0, -3};
    p.arcs = {{0, 1, 0, 4, 1}, {1, 2, 0, 4, 1}, {0, 2, 0, kInf, 5}};
    const std::vector<std::int64_t> tree = {-1, 0, 1};  // 2 <- 1 <- 0 <- root
    const std::vector<std::vector<std::int64_t>> bad = {{3}, {-1}, {1}, {2}};
    for (const auto& upper : bad) {
        auto ns = build(p);
        const std::string what = "at_upper {" + std::to_string(upper[0]) + "}";
        ns_check(!ns->start_from_tree(tree, upper, true) && !ns->started(), what + " refused");
    }
    {  // An arc listed twice is refused.
        auto ns = build(p);
        ns_check(!ns->start_from_tree({-1, 0, 2}, {1, 1}, true), "an arc listed twice is refused");
    }
    {  // 1 -> 2 at its upper bound 4 with the tree 0 -> 1, 0 -> 2: 1 must pass 4, gets only 0.
        auto ns = build(p);
        ns_check(!ns->start_from_tree({-1, 0, 2}, {1}), "infeasible without repair");
        ns_check(ns->start_from_tree({-1, 0, 2}, {1}, true), "repaired");
        ns_check(ns->solve() == FlowStatus::Optimal && ns->total_cost() == 6.0L, "repaired start: optimum 6");
    }
    NetworkSimplex fresh(2);
    ns_check(ns_throws<std::logic_error>([&] {
                 std::vector<std::int64_t> t, u;
                 fresh.basis(t, u);
             }),
             "basis before a solve throws");
}

}  // namespace

// Restart tests; returns the number of failed checks.
int run_network_simplex_restart_tests() {
    ns_failures = 0;
    test_random_restarts();
    test_bad_upper_lists();
    return ns_failures;
}

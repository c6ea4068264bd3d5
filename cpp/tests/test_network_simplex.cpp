// Stand-alone tests of the network simplex (shareopt::NetworkSimplex), no Python involved.
//
// This file has no main: test_core.cpp's main runs these tests by calling
// run_network_simplex_tests(), which returns the number of failed checks.
//
// Every optimum is checked two ways: against a certificate built from the solver's own answer
// (bounds, flow balance, and complementary slackness with the potentials, which by LP duality
// proves optimality) and, on small instances, against an independent oracle (max-flow for
// feasibility, Bellman-Ford for negative cycles of infinite capacity, cycle cancelling for
// the optimal cost).
#include "network_simplex_oracle.hpp"

namespace {

void test_transportation() {
    // Supplies 15 and 25 (nodes 0, 1), demands 10, 20, 10 (nodes 2, 3, 4). Unit costs
    //   from 0: 4 6 9      from 1: 5 3 8
    // Node 1 serves node 3 (cost 3, the cheapest cell; moving any of it to node 0 costs 6 - 3
    // and saves at most 9 - 8 elsewhere); its 5 left go to node 4 (8, vs 9 from node 0);
    // node 0 sends 10 to node 2 and 5 to node 4: 4*10 + 9*5 + 3*20 + 8*5 = 185.
    Problem p;
    p.n = 5;
    p.supply = {15, 25, -10, -20, -10};
    const Value cost[2][3] = {{4, 6, 9}, {5, 3, 8}};
    for (std::int32_t s = 0; s < 2; ++s) {
        for (std::int32_t d = 0; d < 3; ++d) p.arcs.push_back({s, 2 + d, 0, kInf, cost[s][d]});
    }
    NetworkSimplex ns(p.n);
    set_supplies(ns, p);
    add_arcs(ns, p, 0, p.arcs.size());
    ns_check(ns.num_nodes() == 5 && ns.num_arcs() == 6, "transportation: sizes");
    ns_check(ns.supply(3) == -20, "transportation: supply read back");
    const FlowStatus status = ns.solve();
    ns_check(status == FlowStatus::Optimal, "transportation: status " + name(status));
    ns_check(ns.total_cost() == 185.0L, "transportation: optimum 185, got " +
                                            std::to_string(static_cast<double>(ns.total_cost())));
    const Value expect[6] = {10, 0, 5, 0, 20, 5};
    for (std::int64_t a = 0; a < 6; ++a) {
        ns_check(ns.flow(a) == expect[a], "transportation: flow on arc " + std::to_string(a) + " is " +
                                              std::to_string(ns.flow(a)));
    }
    const std::string error = certificate_error(ns, p, p.arcs.size());
    ns_check(error.empty(), "transportation certificate: " + error);
    ns_check(ns.started() && ns.pivots() > 0, "transportation: pivots counted");
    ns_check(ns.solve() == FlowStatus::Optimal && ns.total_cost() == 185.0L,
             "transportation: solving again keeps the optimum");

    // The same with a capacity of 4 on the cheap cell 1 -> 3: 16 more units of node 3's demand
    // come from node 0 (cost 6) and node 1's 21 spare units go to nodes 2 and 4.
    Problem q = p;
    q.arcs[4].upper = 4;
    NetworkSimplex capped(q.n);
    set_supplies(capped, q);
    add_arcs(capped, q, 0, q.arcs.size());
    const FlowStatus capped_status = capped.solve();
    check_against_oracle(capped, capped_status, q, q.arcs.size(), "capped transportation");
    // Only nodes 0 (15 units) and 1 (now at most 4) serve node 3: 19 < 20 is infeasible.
    ns_check(capped_status == FlowStatus::Infeasible, "capped transportation: 19 < 20 is infeasible");
    // Capacity 5: node 0 sends all 15 to node 3 (90), node 1 sends 5 there (15), 10 to node 2
    // (50) and 10 to node 4 (80): 235.
    q.arcs[4].upper = 5;
    NetworkSimplex tight(q.n);
    set_supplies(tight, q);
    add_arcs(tight, q, 0, q.arcs.size());
    const FlowStatus tight_status = tight.solve();
    check_against_oracle(tight, tight_status, q, q.arcs.size(), "tight transportation");
    ns_check(tight_status == FlowStatus::Optimal && tight.total_cost() == 6 * 15 + 3 * 5 + 5 * 10 + 8 * 10,
             "tight transportation: optimum 235");
}

void test_infeasible() {
    {  // No arc from the supply to the demand.
        NetworkSimplex ns(2);
        ns.set_supply(0, 5);
        ns.set_supply(1, -5);
        ns.add_arc(1, 0, 0, kInf, 1);
        ns_check(ns.solve() == FlowStatus::Infeasible, "no path: infeasible");
    }
    {  // Capacity 3 for a demand of 5, even with a negative cost.
        NetworkSimplex ns(2);
        ns.set_supply(0, 5);
        ns.set_supply(1, -5);
        ns.add_arc(0, 1, 0, 3, -2);
        ns_check(ns.solve() == FlowStatus::Infeasible, "too little capacity: infeasible");
    }
    {  // No arcs at all.
        NetworkSimplex ns(3);
        ns.set_supply(0, 1);
        ns.set_supply(2, -1);
        ns_check(ns.solve() == FlowStatus::Infeasible, "no arcs: infeasible");
    }
    {  // Supplies that do not sum to zero are refused outright.
        NetworkSimplex ns(2);
        ns.set_supply(0, 5);
        ns.set_supply(1, -4);
        ns.add_arc(0, 1, 0, kInf, 1);
        ns_check(ns_throws<std::invalid_argument>([&] { ns.solve(); }), "unbalanced supplies throw");
    }
    {  // Trivial problems.
        NetworkSimplex empty(0);
        ns_check(empty.solve() == FlowStatus::Optimal && empty.total_cost() == 0.0L, "no nodes: optimal");
        NetworkSimplex one(1);
        one.add_arc(0, 0, 0, 5, 3);
        ns_check(one.solve() == FlowStatus::Optimal && one.flow(0) == 0, "positive self-loop stays empty");
        NetworkSimplex loop(1);
        loop.add_arc(0, 0, 0, 5, -3);
        ns_check(loop.solve() == FlowStatus::Optimal && loop.flow(0) == 5 && loop.total_cost() == -15.0L,
                 "negative capacitated self-loop saturates");
    }
}

void test_unbounded() {
    {  // A negative cycle of uncapacitated arcs, no supplies.
        NetworkSimplex ns(3);
        ns.add_arc(0, 1, 0, kInf, -1);
        ns.add_arc(1, 2, 0, kInf, -1);
        ns.add_arc(2, 0, 0, kInf, -1);
        ns_check(ns.solve() == FlowStatus::Unbounded, "negative 3-cycle: unbounded");
    }
    {  // The same cycle next to a feasible transport on other nodes.
        NetworkSimplex ns(5);
        ns.set_supply(3, 2);
        ns.set_supply(4, -2);
        ns.add_arc(3, 4, 0, kInf, 5);
        ns.add_arc(0, 1, 0, kInf, 2);
        ns.add_arc(1, 2, 0, kInf, -1);
        ns.add_arc(2, 0, 0, kInf, -2);
        ns_check(ns.solve() == FlowStatus::Unbounded, "separate negative cycle: unbounded");
    }
    {  // An uncapacitated negative self-loop.
        NetworkSimplex ns(2);
        ns.add_arc(0, 1, 0, 4, 1);
        ns.add_arc(1, 1, 0, kInf, -1);
        ns_check(ns.solve() == FlowStatus::Unbounded, "negative self-loop: unbounded");
    }
    {  // A negative uncapacitated cycle whose arcs already carry the supply's flow: the solver
       // must not mistake kInfinity - flow for a finite capacity.
        NetworkSimplex ns(2);
        ns.set_supply(0, 5);
        ns.set_supply(1, -5);
        ns.add_arc(0, 1, 0, kInf, -1);
        ns.add_arc(1, 0, 0, kInf, -1);
        const FlowStatus status = ns.solve();
        ns_check(status == FlowStatus::Unbounded,
                 "negative 2-cycle carrying flow: unbounded, got " + name(status) + " with flows " +
                     std::to_string(ns.flow(0)) + ", " + std::to_string(ns.flow(1)));
    }
    {  // Negative cycle only through a capacitated arc: bounded.
        Problem p;
        p.n = 3;
        p.supply = {0, 0, 0};
        p.arcs = {{0, 1, 0, kInf, -4}, {1, 2, 0, 7, 1}, {2, 0, 0, kInf, 1}};
        NetworkSimplex ns(p.n);
        add_arcs(ns, p, 0, p.arcs.size());
        const FlowStatus status = ns.solve();
        check_against_oracle(ns, status, p, p.arcs.size(), "capacitated negative cycle");
        ns_check(status == FlowStatus::Optimal && ns.total_cost() == -14.0L,
                 "capacitated negative cycle: 7 units at -2");
    }
}

void test_lower_bounds() {
    {  // 6 units from 0 to 1: at least 4 on the direct arc (cost 5), the rest on 0 -> 2 -> 1.
        Problem p;
        p.n = 3;
        p.supply = {6, -6, 0};
        p.arcs = {{0, 1, 4, 10, 5}, {0, 2, 0, kInf, 1}, {2, 1, 0, kInf, 1}};
        NetworkSimplex ns(p.n);
        set_supplies(ns, p);
        add_arcs(ns, p, 0, p.arcs.size());
        const FlowStatus status = ns.solve();
        check_against_oracle(ns, status, p, p.arcs.size(), "lower bound path");
        ns_check(status == FlowStatus::Optimal && ns.flow(0) == 4 && ns.flow(1) == 2 && ns.flow(2) == 2 &&
                     ns.total_cost() == 24.0L,
                 "lower bound path: 4 forced units, 2 cheap ones, cost 24");
        ns_check(ns.supply(0) == 6 && ns.supply(1) == -6, "supply() reports the caller's supplies");
        // The same problem with the supplies set after the arcs.
        NetworkSimplex late(p.n);
        add_arcs(late, p, 0, p.arcs.size());
        set_supplies(late, p);
        const FlowStatus late_status = late.solve();
        check_against_oracle(late, late_status, p, p.arcs.size(), "supplies set after lower-bounded arcs");
    }
    {  // A circulation forced by a lower bound: 3 units round 0 -> 1 -> 0.
        NetworkSimplex ns(2);
        ns.add_arc(0, 1, 3, 8, 2);
        ns.add_arc(1, 0, 0, kInf, 1);
        ns_check(ns.solve() == FlowStatus::Optimal && ns.flow(0) == 3 && ns.flow(1) == 3 &&
                     ns.total_cost() == 9.0L,
                 "forced circulation costs 9");
    }
    {  // A lower bound that cannot be met, and a fixed arc (lower == upper).
        NetworkSimplex ns(2);
        ns.add_arc(0, 1, 3, 8, 2);
        ns_check(ns.solve() == FlowStatus::Infeasible, "lower bound without a way back: infeasible");
        NetworkSimplex fixed(2);
        fixed.set_supply(0, 2);
        fixed.set_supply(1, -2);
        fixed.add_arc(0, 1, 5, 5, -1);
        fixed.add_arc(1, 0, 0, kInf, 4);
        ns_check(fixed.solve() == FlowStatus::Optimal && fixed.flow(0) == 5 && fixed.flow(1) == 3 &&
                     fixed.total_cost() == 7.0L,
                 "fixed arc: 5 units there, 3 back");
    }
    {
        NetworkSimplex ns(2);
        ns_check(ns_throws<std::invalid_argument>([&] { ns.add_arc(0, 1, 4, 3, 1); }), "lower > upper throws");
        ns_check(ns_throws<std::invalid_argument>([&] { ns.add_arc(0, 1, -1, 3, 1); }), "lower < 0 throws");
        ns_check(ns.num_arcs() == 0 && ns.supply(0) == 0 && ns.supply(1) == 0,
                 "refused arcs leave no trace");
    }
}

void test_warm_restart() {
    {  // Solve with an expensive route, then add a cheap one.
        NetworkSimplex ns(3);
        ns.set_supply(0, 4);
        ns.set_supply(2, -4);
        ns.set_cost_bound(10);
        ns.add_arc(0, 2, 0, kInf, 10);
        ns_check(ns.solve() == FlowStatus::Optimal && ns.total_cost() == 40.0L, "warm: first optimum 40");
        ns.add_arc(0, 1, 0, 3, 2);
        ns.add_arc(1, 2, 0, kInf, 2);
        ns_check(ns.num_arcs() == 3, "warm: arcs appended");
        ns_check(ns.solve() == FlowStatus::Optimal && ns.flow(0) == 1 && ns.flow(1) == 3 && ns.flow(2) == 3 &&
                     ns.total_cost() == 22.0L,
                 "warm: 3 units take the new route, cost 22");
        ns.add_arc(0, 2, 0, kInf, -1);  // negative, within the bound
        ns_check(ns.solve() == FlowStatus::Optimal && ns.flow(3) == 4 && ns.total_cost() == -4.0L,
                 "warm: a negative arc takes everything");
        ns.add_arc(2, 0, 0, kInf, 1);  // 0 -> 2 -> 0 costs 0: still bounded
        ns_check(ns.solve() == FlowStatus::Optimal && ns.total_cost() == -4.0L, "warm: zero cycle");
        ns.add_arc(2, 0, 0, kInf, 0);  // now -1 per round: unbounded
        ns_check(ns.solve() == FlowStatus::Unbounded, "warm: negative cycle found after adding arcs");
    }
    {  // Infeasible first, feasible once arcs arrive.
        Problem p;
        p.n = 4;
        p.supply = {3, 0, 0, -3};
        p.arcs = {{0, 1, 0, 2, 1}, {1, 3, 0, kInf, 1}, {0, 2, 0, kInf, 3}, {2, 3, 0, kInf, 3}};
        NetworkSimplex ns(p.n);
        set_supplies(ns, p);
        ns.set_cost_bound(3);
        add_arcs(ns, p, 0, 2);
        const FlowStatus first = ns.solve();
        check_against_oracle(ns, first, p, 2, "warm infeasible start");
        ns_check(first == FlowStatus::Infeasible, "warm: 2 < 3 is infeasible");
        add_arcs(ns, p, 2, 4);
        const FlowStatus second = ns.solve();
        check_against_oracle(ns, second, p, 4, "warm after infeasible");
        ns_check(second == FlowStatus::Optimal && ns.total_cost() == 2 * 2 + 1 * 6,
                 "warm: feasible after the new arcs, cost 10");
    }
    {  // Arcs added after a solve: lower bound 0 and costs within the bound only.
        NetworkSimplex ns(2);
        ns.set_supply(0, 1);
        ns.set_supply(1, -1);
        ns.set_cost_bound(5);
        ns.add_arc(0, 1, 0, kInf, 5);
        ns_check(ns.solve() == FlowStatus::Optimal, "bound: first solve");
        ns_check(ns_throws<std::logic_error>([&] { ns.set_supply(0, 2); }), "set_supply after a solve throws");
        ns_check(ns_throws<std::logic_error>([&] { ns.add_arc(0, 1, 1, 4, 1); }),
                 "lower bound after a solve throws");
        ns_check(ns.num_arcs() == 1, "refused lower-bound arc is not added");
        ns.add_arc(0, 1, 0, kInf, -5);  // |cost| == bound: accepted
        ns_check(ns.num_arcs() == 2, "arc at the cost bound is accepted");
        ns_check(ns_throws<std::invalid_argument>([&] { ns.add_arc(0, 1, 0, kInf, -6); }),
                 "cost beyond the bound after a solve throws");
        ns_check(ns.num_arcs() == 2, "arc refused for its cost is not added");
        ns_check(ns.solve() == FlowStatus::Optimal && ns.total_cost() == -5.0L,
                 "after a refused arc the solver still finds -5");
    }
}

// Tree helper for start_from_tree: is parent_arc a strongly feasible spanning tree of p?
// Written from the documented contract, independently of the solver.

void test_out_of_range() {
    ns_check(ns_throws<std::invalid_argument>([] { NetworkSimplex bad(-1); }), "negative node count throws");
    NetworkSimplex ns(3);
    ns_check(ns_throws<std::out_of_range>([&] { ns.set_supply(-1, 1); }), "set_supply(-1) throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.set_supply(3, 1); }), "set_supply(n) throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.supply(3); }), "supply(n) throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.supply(-1); }), "supply(-1) throws");
    ns_check(ns_throws<std::invalid_argument>([&] { ns.set_supply(0, kInf); }), "infinite supply throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.add_arc(-1, 0, 0, 1, 1); }), "add_arc tail -1 throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.add_arc(0, 3, 0, 1, 1); }), "add_arc head n throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.add_arc(3, 3, 0, 1, 1); }), "add_arc tail n throws");
    ns_check(ns_throws<std::invalid_argument>([&] { ns.add_arc(0, 1, 0, 1, kInf); }), "infinite cost throws");
    ns_check(ns.num_arcs() == 0, "refused arcs are not added");
    ns.add_arc(0, 1, 0, 5, 2);
    ns.set_supply(0, 1);
    ns.set_supply(1, -1);
    for (std::int64_t bad : {std::int64_t{-1}, std::int64_t{1}, std::int64_t{1} << 40}) {
        const std::string b = std::to_string(bad);
        ns_check(ns_throws<std::out_of_range>([&] { ns.flow(bad); }), "flow(" + b + ") throws");
        ns_check(ns_throws<std::out_of_range>([&] { ns.reduced_cost(bad); }), "reduced_cost(" + b + ") throws");
        ns_check(ns_throws<std::out_of_range>([&] { ns.arc_cost(bad); }), "arc_cost(" + b + ") throws");
        ns_check(ns_throws<std::out_of_range>([&] { ns.arc_tail(bad); }), "arc_tail(" + b + ") throws");
        ns_check(ns_throws<std::out_of_range>([&] { ns.arc_head(bad); }), "arc_head(" + b + ") throws");
    }
    ns_check(ns.reduced_cost(0) == 2, "reduced cost before a solve is the cost");
    ns_check(ns.solve() == FlowStatus::Optimal && ns.flow(0) == 1, "small solve");
    ns_check(ns_throws<std::out_of_range>([&] { ns.potential(-1); }), "potential(-1) throws");
    ns_check(ns_throws<std::out_of_range>([&] { ns.potential(3); }),
             "potential(num_nodes) throws (the artificial root is not a node)");
    ns_check(ns_throws<std::out_of_range>([&] { ns.add_arc(0, 3, 0, 1, 1); }), "add_arc after a solve checks nodes");
    ns_check(ns.num_arcs() == 1, "nothing added by the refused arc");
    ns_check(ns.solve() == FlowStatus::Optimal && ns.flow(0) == 1, "solver usable after the throws");
    {  // Costs too large for exact 64-bit potentials are refused.
        NetworkSimplex big(4);
        big.add_arc(0, 1, 0, 1, kInf / 2);
        ns_check(ns_throws<std::invalid_argument>([&] { big.solve(); }), "huge costs throw");
    }
    ns_check(std::string(shareopt::flow_status_name(FlowStatus::Optimal)) == "optimal" &&
                 std::string(shareopt::flow_status_name(FlowStatus::Infeasible)) == "infeasible" &&
                 std::string(shareopt::flow_status_name(FlowStatus::Unbounded)) == "unbounded" &&
                 std::string(shareopt::flow_status_name(FlowStatus::TimeLimit)) == "time_limit",
             "status names");
}

// Small random instances of every kind, each compared with the oracle.

}  // namespace

int run_network_simplex_random_tests();

// Runs every network simplex test; returns the number of failed checks.
int run_network_simplex_tests() {
    ns_failures = 0;
    test_transportation();
    test_infeasible();
    test_unbounded();
    test_lower_bounds();
    test_warm_restart();
    test_out_of_range();
    return ns_failures + run_network_simplex_random_tests();
}

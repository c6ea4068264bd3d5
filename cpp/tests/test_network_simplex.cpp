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
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "shareopt/network_simplex.hpp"

namespace {

using shareopt::FlowStatus;
using shareopt::NetworkSimplex;
using Value = NetworkSimplex::Value;
constexpr Value kInf = NetworkSimplex::kInfinity;
__extension__ typedef __int128 Wide;  // exact cost sums even for absurd flows

int ns_failures = 0;

void ns_check(bool ok, const std::string& what) {
    if (!ok) {
        ++ns_failures;
        std::fprintf(stderr, "FAILED: network simplex: %s\n", what.c_str());
    }
}

template <typename E>
bool ns_throws(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
    return false;
}

std::string name(FlowStatus status) { return shareopt::flow_status_name(status); }

// ---------------------------------------------------------------------------------------------
// Problems, and a certificate check of a solver's answer.

struct Arc {
    std::int32_t tail, head;
    Value lower, upper, cost;  // upper == kInf: uncapacitated
};

struct Problem {
    std::int32_t n = 0;
    std::vector<Value> supply;
    std::vector<Arc> arcs;
};

// Adds arcs [first, last) of the problem to the solver.
void add_arcs(NetworkSimplex& ns, const Problem& p, std::size_t first, std::size_t last) {
    for (std::size_t a = first; a < last; ++a) {
        const Arc& arc = p.arcs[a];
        ns.add_arc(arc.tail, arc.head, arc.lower, arc.upper, arc.cost);
    }
}

void set_supplies(NetworkSimplex& ns, const Problem& p) {
    for (std::int32_t u = 0; u < p.n; ++u) ns.set_supply(u, p.supply[static_cast<std::size_t>(u)]);
}

Value max_abs_cost(const Problem& p) {
    Value m = 0;
    for (const Arc& a : p.arcs) m = std::max(m, a.cost < 0 ? -a.cost : a.cost);
    return m;
}

// Empty string when the solver's flow, using the first `m` arcs of p, is an optimal one:
// within bounds, balanced, reduced costs consistent with the potentials, and complementary
// slackness (rc < 0 only at the upper bound, rc > 0 only at the lower bound).
std::string certificate_error(const NetworkSimplex& ns, const Problem& p, std::size_t m) {
    if (ns.num_arcs() != static_cast<std::int64_t>(m)) return "wrong number of arcs";
    std::vector<Value> net(static_cast<std::size_t>(p.n), 0);
    Wide total = 0;
    for (std::size_t a = 0; a < m; ++a) {
        const Arc& arc = p.arcs[a];
        const auto id = static_cast<std::int64_t>(a);
        const std::string tag = "arc " + std::to_string(a) + " (" + std::to_string(arc.tail) + "->" +
                                std::to_string(arc.head) + ")";
        if (ns.arc_tail(id) != arc.tail || ns.arc_head(id) != arc.head || ns.arc_cost(id) != arc.cost) {
            return tag + ": tail/head/cost differ from the input";
        }
        const Value x = ns.flow(id);
        if (x < arc.lower || (arc.upper < kInf && x > arc.upper) || x >= kInf / 2) {
            return tag + ": flow " + std::to_string(x) + " outside [" + std::to_string(arc.lower) +
                   ", " + std::to_string(arc.upper) + "]";
        }
        net[static_cast<std::size_t>(arc.tail)] += x;
        net[static_cast<std::size_t>(arc.head)] -= x;
        const Value rc = arc.cost + ns.potential(arc.tail) - ns.potential(arc.head);
        if (rc != ns.reduced_cost(id)) return tag + ": reduced_cost() disagrees with the potentials";
        if (rc < 0 && (arc.upper >= kInf || x < arc.upper)) {
            return tag + ": reduced cost " + std::to_string(rc) + " < 0 below the upper bound";
        }
        if (rc > 0 && x > arc.lower) {
            return tag + ": reduced cost " + std::to_string(rc) + " > 0 above the lower bound";
        }
        total += static_cast<Wide>(arc.cost) * x;
    }
    for (std::int32_t u = 0; u < p.n; ++u) {
        const auto i = static_cast<std::size_t>(u);
        if (net[i] != p.supply[i]) {
            return "node " + std::to_string(u) + ": net outflow " + std::to_string(net[i]) +
                   " != supply " + std::to_string(p.supply[i]);
        }
    }
    if (ns.total_cost() != static_cast<long double>(total)) return "total_cost() differs from the flows";
    return "";
}

// ---------------------------------------------------------------------------------------------
// Independent oracle: residual graph with max-flow and Bellman-Ford cycle cancelling.

class Residual {
public:
    explicit Residual(std::int32_t n) : adj_(static_cast<std::size_t>(n)) {}
    std::size_t add_edge(std::int32_t u, std::int32_t v, Value cap, Value cost) {
        const std::size_t id = to_.size();
        from_.push_back(u), to_.push_back(v), cap_.push_back(cap), cost_.push_back(cost);
        from_.push_back(v), to_.push_back(u), cap_.push_back(0), cost_.push_back(-cost);
        adj_[static_cast<std::size_t>(u)].push_back(id);
        adj_[static_cast<std::size_t>(v)].push_back(id + 1);
        return id;
    }
    Value flow_on(std::size_t edge) const { return cap_[edge ^ 1U]; }

    Value max_flow(std::int32_t s, std::int32_t t) {
        Value total = 0;
        const std::size_t n = adj_.size();
        for (;;) {
            std::vector<std::int64_t> pred(n, -1);
            std::vector<bool> seen(n, false);
            std::queue<std::int32_t> queue;
            queue.push(s);
            seen[static_cast<std::size_t>(s)] = true;
            while (!queue.empty() && !seen[static_cast<std::size_t>(t)]) {
                const std::int32_t u = queue.front();
                queue.pop();
                for (std::size_t e : adj_[static_cast<std::size_t>(u)]) {
                    const auto v = static_cast<std::size_t>(to_[e]);
                    if (cap_[e] > 0 && !seen[v]) {
                        seen[v] = true;
                        pred[v] = static_cast<std::int64_t>(e);
                        queue.push(to_[e]);
                    }
                }
            }
            if (!seen[static_cast<std::size_t>(t)]) return total;
            Value push = kInf;
            for (std::int32_t v = t; v != s; v = from_[static_cast<std::size_t>(pred[static_cast<std::size_t>(v)])]) {
                push = std::min(push, cap_[static_cast<std::size_t>(pred[static_cast<std::size_t>(v)])]);
            }
            for (std::int32_t v = t; v != s; v = from_[static_cast<std::size_t>(pred[static_cast<std::size_t>(v)])]) {
                const auto e = static_cast<std::size_t>(pred[static_cast<std::size_t>(v)]);
                cap_[e] -= push;
                cap_[e ^ 1U] += push;
            }
            total += push;
        }
    }

    // Finds a negative-cost cycle of residual edges by Bellman-Ford and saturates it.
    bool cancel_negative_cycle() {
        const std::size_t n = adj_.size();
        std::vector<Value> dist(n, 0);
        std::vector<std::int64_t> pred(n, -1);
        std::int32_t last = -1;
        for (std::size_t round = 0; round < n; ++round) {
            last = -1;
            for (std::size_t e = 0; e < to_.size(); ++e) {
                if (cap_[e] <= 0) continue;
                const auto u = static_cast<std::size_t>(from_[e]);
                const auto v = static_cast<std::size_t>(to_[e]);
                if (dist[u] + cost_[e] < dist[v]) {
                    dist[v] = dist[u] + cost_[e];
                    pred[v] = static_cast<std::int64_t>(e);
                    last = to_[e];
                }
            }
            if (last < 0) return false;
        }
        std::int32_t x = last;  // relaxed in round n: its pred chain leads into a negative cycle
        for (std::size_t k = 0; k < n; ++k) x = from_[static_cast<std::size_t>(pred[static_cast<std::size_t>(x)])];
        std::vector<std::size_t> cycle;
        std::int32_t v = x;
        do {
            const auto e = static_cast<std::size_t>(pred[static_cast<std::size_t>(v)]);
            cycle.push_back(e);
            v = from_[e];
        } while (v != x);
        Value push = kInf;
        for (std::size_t e : cycle) push = std::min(push, cap_[e]);
        for (std::size_t e : cycle) {
            cap_[e] -= push;
            cap_[e ^ 1U] += push;
        }
        return true;
    }

private:
    std::vector<std::vector<std::size_t>> adj_;
    std::vector<std::int32_t> from_, to_;
    std::vector<Value> cap_, cost_;
};

// Supplies with the lower bounds moved into them (flow = lower + internal flow).
std::vector<Value> shifted_supplies(const Problem& p, std::size_t m) {
    std::vector<Value> b = p.supply;
    for (std::size_t a = 0; a < m; ++a) {
        b[static_cast<std::size_t>(p.arcs[a].tail)] -= p.arcs[a].lower;
        b[static_cast<std::size_t>(p.arcs[a].head)] += p.arcs[a].lower;
    }
    return b;
}

bool oracle_feasible(const Problem& p, std::size_t m) {
    const std::vector<Value> b = shifted_supplies(p, m);
    Value excess = 0, big = 1;
    for (Value s : b) big += s < 0 ? -s : s;
    for (std::size_t a = 0; a < m; ++a) {
        if (p.arcs[a].upper < kInf) big += p.arcs[a].upper - p.arcs[a].lower;
    }
    Residual r(p.n + 2);
    const std::int32_t s = p.n, t = p.n + 1;
    for (std::size_t a = 0; a < m; ++a) {
        const Arc& arc = p.arcs[a];
        r.add_edge(arc.tail, arc.head, arc.upper >= kInf ? big : arc.upper - arc.lower, 0);
    }
    for (std::int32_t u = 0; u < p.n; ++u) {
        const Value bu = b[static_cast<std::size_t>(u)];
        if (bu > 0) r.add_edge(s, u, bu, 0), excess += bu;
        if (bu < 0) r.add_edge(u, t, -bu, 0);
    }
    return r.max_flow(s, t) == excess;
}

bool oracle_negative_infinite_cycle(const Problem& p, std::size_t m) {
    std::vector<Value> dist(static_cast<std::size_t>(p.n), 0);
    for (std::int32_t round = 0; round <= p.n; ++round) {
        bool relaxed = false;
        for (std::size_t a = 0; a < m; ++a) {
            const Arc& arc = p.arcs[a];
            if (arc.upper < kInf) continue;
            const auto u = static_cast<std::size_t>(arc.tail), v = static_cast<std::size_t>(arc.head);
            if (dist[u] + arc.cost < dist[v]) dist[v] = dist[u] + arc.cost, relaxed = true;
        }
        if (!relaxed) return false;
    }
    return true;
}

struct OracleAnswer {
    FlowStatus status;
    Wide cost;
    bool negative_cycle;  // a negative cycle of uncapacitated arcs exists
};

// Status and optimal cost of p restricted to its first m arcs, independently of the simplex.
OracleAnswer oracle(const Problem& p, std::size_t m) {
    const bool negative_cycle = oracle_negative_infinite_cycle(p, m);
    if (!oracle_feasible(p, m)) return {FlowStatus::Infeasible, 0, negative_cycle};
    if (negative_cycle) return {FlowStatus::Unbounded, 0, true};
    // No negative cycle of uncapacitated arcs: some optimum has every flow below `big`.
    const std::vector<Value> b = shifted_supplies(p, m);
    Value excess = 0, big = 1;
    for (Value s : b) big += s < 0 ? -s : s;
    for (std::size_t a = 0; a < m; ++a) {
        if (p.arcs[a].upper < kInf) big += p.arcs[a].upper - p.arcs[a].lower;
    }
    Residual r(p.n + 2);
    const std::int32_t s = p.n, t = p.n + 1;
    std::vector<std::size_t> edge(m);
    for (std::size_t a = 0; a < m; ++a) {
        const Arc& arc = p.arcs[a];
        edge[a] = r.add_edge(arc.tail, arc.head, arc.upper >= kInf ? big : arc.upper - arc.lower, arc.cost);
    }
    for (std::int32_t u = 0; u < p.n; ++u) {
        const Value bu = b[static_cast<std::size_t>(u)];
        if (bu > 0) r.add_edge(s, u, bu, 0), excess += bu;
        if (bu < 0) r.add_edge(u, t, -bu, 0);
    }
    if (r.max_flow(s, t) != excess) return {FlowStatus::Infeasible, 0, false};
    // The source edges are saturated and the sink edges full, so no residual cycle meets s or t.
    while (r.cancel_negative_cycle()) {
    }
    Wide cost = 0;
    for (std::size_t a = 0; a < m; ++a) {
        cost += static_cast<Wide>(p.arcs[a].cost) * (p.arcs[a].lower + r.flow_on(edge[a]));
    }
    return {FlowStatus::Optimal, cost, false};
}

// Checks the solver's status (and, when optimal, its flow and cost) against the oracle.
// Convention: when the supplies cannot be met but a negative cycle of uncapacitated arcs
// exists, the simplex may meet the cycle before it has settled feasibility, so Unbounded is
// accepted there as well as Infeasible (LEMON's network simplex behaves the same way).
void check_against_oracle(const NetworkSimplex& ns, FlowStatus status, const Problem& p,
                          std::size_t m, const std::string& tag) {
    const OracleAnswer want = oracle(p, m);
    const bool either = want.status == FlowStatus::Infeasible && want.negative_cycle &&
                        status == FlowStatus::Unbounded;
    ns_check(status == want.status || either,
             tag + ": status " + name(status) + ", oracle says " + name(want.status));
    if (status == FlowStatus::Optimal && want.status == FlowStatus::Optimal) {
        const std::string error = certificate_error(ns, p, m);
        ns_check(error.empty(), tag + ": " + error);
        ns_check(ns.total_cost() == static_cast<long double>(want.cost),
                 tag + ": cost " + std::to_string(static_cast<double>(ns.total_cost())) + ", oracle " +
                     std::to_string(static_cast<double>(want.cost)));
    }
}

// For large instances: the certificate for Optimal, the oracle's cheap parts otherwise.
void check_large(const NetworkSimplex& ns, FlowStatus status, const Problem& p, std::size_t m,
                 const std::string& tag) {
    if (status == FlowStatus::Optimal) {
        const std::string error = certificate_error(ns, p, m);
        ns_check(error.empty(), tag + ": " + error);
    } else if (status == FlowStatus::Infeasible) {
        ns_check(!oracle_feasible(p, m), tag + ": infeasible, but a feasible flow exists");
    } else if (status == FlowStatus::Unbounded) {
        ns_check(oracle_negative_infinite_cycle(p, m), tag + ": unbounded without a negative uncapacitated cycle");
    } else {
        ns_check(false, tag + ": status " + name(status));
    }
}

// ---------------------------------------------------------------------------------------------
// Random instances.

Value rand_in(std::mt19937& rng, Value lo, Value hi) {
    return lo + static_cast<Value>(rng() % static_cast<std::uint32_t>(hi - lo + 1));
}
bool chance(std::mt19937& rng, int percent) { return static_cast<int>(rng() % 100U) < percent; }

struct Shape {
    std::int32_t min_nodes, max_nodes;
    int arcs_per_node;     // arcs drawn: up to this many per node
    Value max_cost;        // costs in [-max_cost, max_cost] (or [0, max_cost])
    int negative_percent;  // share of negative costs
    int infinite_percent;  // share of uncapacitated arcs
    int lower_percent;     // share of arcs with a lower bound > 0
    Value max_cap;
    bool self_loops;
    bool negative_infinite;  // may an uncapacitated arc have a negative cost?
};

Problem random_problem(std::mt19937& rng, const Shape& shape, bool feasible_supplies) {
    Problem p;
    p.n = static_cast<std::int32_t>(rand_in(rng, shape.min_nodes, shape.max_nodes));
    const Value most = static_cast<Value>(shape.arcs_per_node) * p.n;
    const auto m = static_cast<std::size_t>(rand_in(rng, most < 200 ? 0 : most / 2, most));
    std::vector<Value> flow;
    for (std::size_t a = 0; a < m; ++a) {
        Arc arc{};
        arc.tail = static_cast<std::int32_t>(rand_in(rng, 0, p.n - 1));
        do {
            arc.head = static_cast<std::int32_t>(rand_in(rng, 0, p.n - 1));
        } while (!shape.self_loops && p.n > 1 && arc.head == arc.tail);
        arc.cost = rand_in(rng, 0, shape.max_cost);
        if (chance(rng, shape.negative_percent)) arc.cost = -arc.cost;
        arc.lower = chance(rng, shape.lower_percent) ? rand_in(rng, 1, 3) : 0;
        if (chance(rng, shape.infinite_percent) && (shape.negative_infinite || arc.cost >= 0)) {
            arc.upper = kInf;
        } else {
            arc.upper = arc.lower + rand_in(rng, 0, shape.max_cap);
        }
        p.arcs.push_back(arc);
        // A flow within the bounds: its net outflows make supplies that are surely feasible.
        const Value top = arc.upper >= kInf ? arc.lower + shape.max_cap : arc.upper;
        flow.push_back(rand_in(rng, arc.lower, top));
    }
    p.supply.assign(static_cast<std::size_t>(p.n), 0);
    if (feasible_supplies) {
        for (std::size_t a = 0; a < m; ++a) {
            p.supply[static_cast<std::size_t>(p.arcs[a].tail)] += flow[a];
            p.supply[static_cast<std::size_t>(p.arcs[a].head)] -= flow[a];
        }
    } else {
        Value sum = 0;
        for (std::int32_t u = 0; u + 1 < p.n; ++u) {
            p.supply[static_cast<std::size_t>(u)] = rand_in(rng, -6, 6);
            sum += p.supply[static_cast<std::size_t>(u)];
        }
        p.supply[static_cast<std::size_t>(p.n - 1)] = -sum;
    }
    return p;
}

// ---------------------------------------------------------------------------------------------
// Hand-made problems.

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
bool expected_tree_valid(const Problem& p, const std::vector<std::int64_t>& parent_arc) {
    const auto n = static_cast<std::size_t>(p.n);
    if (parent_arc.size() != n) return false;
    const std::int32_t root = p.n;
    std::vector<std::int32_t> parent(n, root);
    for (std::size_t u = 0; u < n; ++u) {
        const std::int64_t a = parent_arc[u];
        if (a < 0) continue;
        if (a >= static_cast<std::int64_t>(p.arcs.size())) return false;
        const Arc& arc = p.arcs[static_cast<std::size_t>(a)];
        const auto self = static_cast<std::int32_t>(u);
        if (arc.tail == arc.head || (arc.tail != self && arc.head != self)) return false;
        parent[u] = arc.tail == self ? arc.head : arc.tail;
    }
    for (std::size_t u = 0; u < n; ++u) {  // every chain of parents reaches the root
        std::int32_t w = static_cast<std::int32_t>(u);
        for (std::size_t k = 0; k <= n && w != root; ++k) w = parent[static_cast<std::size_t>(w)];
        if (w != root) return false;
    }
    const std::vector<Value> b = shifted_supplies(p, p.arcs.size());
    std::vector<Value> below(n, 0);  // net supply of each subtree
    for (std::size_t u = 0; u < n; ++u) {
        for (std::int32_t w = static_cast<std::int32_t>(u); w != root; w = parent[static_cast<std::size_t>(w)]) {
            below[static_cast<std::size_t>(w)] += b[u];
        }
    }
    for (std::size_t u = 0; u < n; ++u) {
        if (parent_arc[u] < 0) continue;
        const Arc& arc = p.arcs[static_cast<std::size_t>(parent_arc[u])];
        const bool up = arc.tail == static_cast<std::int32_t>(u);  // arc points to the root
        const Value f = up ? below[u] : -below[u];
        const Value cap = arc.upper >= kInf ? kInf : arc.upper - arc.lower;
        if (f < 0 || f > cap) return false;
        if (f == 0 && !up) return false;               // empty arcs must point to the root
        if (cap < kInf && f == cap && up) return false;  // full arcs must point away from it
    }
    return true;
}

void test_start_from_tree() {
    // 0 -> 1 -> 2 (cost 1 each, capacity 10) and 0 -> 2 (cost 5), 5 units from 0 to 2.
    Problem p;
    p.n = 3;
    p.supply = {5, 0, -5};
    p.arcs = {{0, 1, 0, 10, 1}, {1, 2, 0, 10, 1}, {0, 2, 0, 10, 5}};
    const auto fresh = [&] {
        auto ns = std::make_unique<NetworkSimplex>(p.n);
        set_supplies(*ns, p);
        add_arcs(*ns, p, 0, p.arcs.size());
        return ns;
    };
    {  // The optimal tree: no pivot needed.
        auto ns = fresh();
        const std::vector<std::int64_t> tree = {-1, 0, 1};
        ns_check(expected_tree_valid(p, tree), "optimal tree is valid by the contract");
        ns_check(ns->start_from_tree(tree), "start_from_tree accepts the optimal tree");
        ns_check(ns->started(), "start_from_tree starts the solver");
        ns_check(ns->solve() == FlowStatus::Optimal && ns->total_cost() == 10.0L && ns->pivots() == 0,
                 "optimal start: cost 10 without pivots, got " + std::to_string(ns->pivots()) + " pivots");
        ns_check(ns_throws<std::logic_error>([&] { ns->start_from_tree(tree); }),
                 "start_from_tree after a solve throws");
    }
    {  // A feasible, non-optimal tree: everything on the expensive arc, node 1 on its own.
        auto ns = fresh();
        const std::vector<std::int64_t> tree = {-1, -1, 2};
        ns_check(ns->start_from_tree(tree), "start_from_tree accepts a feasible tree");
        const FlowStatus status = ns->solve();
        check_against_oracle(*ns, status, p, p.arcs.size(), "start from a feasible tree");
        ns_check(status == FlowStatus::Optimal && ns->total_cost() == 10.0L, "feasible start reaches 10");
    }
    // Trees by hand, invalid ones first: each refusal must leave a solver that still solves.
    struct Case {
        std::vector<std::int64_t> tree;
        bool valid;
        std::string what;
    };
    const std::vector<Case> cases = {
        {{-1, 0}, false, "too short"},
        {{-1, 0, 1, -1}, false, "too long"},
        {{-1, 0, 3}, false, "arc index out of range"},
        {{-1, 1, 0}, false, "node 2 hangs from an arc that does not touch it"},
        {{0, 0, 1}, false, "cycle 0 - 1 - 0 through one arc"},
        {{-1, 0, 0}, false, "node 2 hangs from arc 0 -> 1"},
        {{-1, 0, 2}, false, "empty arc 0 -> 1 pointing away from the root"},
        {{-1, -1, 1}, true, "node 1 from the root, node 2 below it"},
        {{-1, -7, 1}, true, "any negative index hangs from the root"},
        {{-1, -1, -1}, true, "the artificial tree"},
    };
    for (const Case& c : cases) {
        ns_check(expected_tree_valid(p, c.tree) == c.valid, "contract check of tree: " + c.what);
        auto ns = fresh();
        const bool accepted = ns->start_from_tree(c.tree);
        ns_check(accepted == c.valid, "start_from_tree(" + c.what + ") returned " + std::to_string(accepted));
        ns_check(ns->started() == accepted, "started() after start_from_tree(" + c.what + ")");
        if (!accepted) {
            ns_check(ns->supply(0) == 5 && ns->supply(2) == -5 && ns->num_arcs() == 3,
                     "refused tree (" + c.what + ") changes nothing");
        }
        const FlowStatus status = ns->solve();
        ns_check(status == FlowStatus::Optimal && ns->total_cost() == 10.0L,
                 "after start_from_tree(" + c.what + ") the solver still reaches 10");
    }
    {  // Flows beyond a capacity, and not strongly feasible trees.
        Problem q = p;
        q.arcs[2].upper = 4;  // 0 -> 2 cannot carry 5
        NetworkSimplex ns(q.n);
        set_supplies(ns, q);
        add_arcs(ns, q, 0, q.arcs.size());
        const std::vector<std::int64_t> over = {-1, -1, 2};
        ns_check(!expected_tree_valid(q, over) && !ns.start_from_tree(over), "tree flow over capacity refused");
        // Node 1 under node 0 by 0 -> 1 with no flow: an empty arc pointing away from the root.
        const std::vector<std::int64_t> empty_down = {-1, 0, 2};
        ns_check(!expected_tree_valid(q, empty_down) && !ns.start_from_tree(empty_down),
                 "empty arc pointing away from the root refused");
        q.arcs[2].upper = 5;  // now 0 -> 2 is exactly full, and it points away from the root
        NetworkSimplex full(q.n);
        set_supplies(full, q);
        add_arcs(full, q, 0, q.arcs.size());
        ns_check(expected_tree_valid(q, over) && full.start_from_tree(over), "full arc pointing down accepted");
        const FlowStatus status = full.solve();
        check_against_oracle(full, status, q, q.arcs.size(), "start with a full arc");
        ns_check(!ns.started(), "refused trees leave the solver unstarted");
        const FlowStatus again = ns.solve();
        check_against_oracle(ns, again, q, q.arcs.size(), "solve after refused trees");
        // 5 units from 2 to 0 on arc 2 -> 0 (capacity 5), node 2 below node 0: that full arc
        // points to the root.
        Problem r = p;
        r.supply = {-5, 0, 5};
        r.arcs[2] = {2, 0, 0, 5, 5};
        NetworkSimplex up(r.n);
        set_supplies(up, r);
        add_arcs(up, r, 0, r.arcs.size());
        const std::vector<std::int64_t> full_up = {-1, -1, 2};
        ns_check(!expected_tree_valid(r, full_up) && !up.start_from_tree(full_up),
                 "full arc pointing to the root refused");
        const FlowStatus up_status = up.solve();
        check_against_oracle(up, up_status, r, r.arcs.size(), "solve after a refused full-up tree");
    }
    {  // Before and after: the parent arc must be the node's own.
        NetworkSimplex ns(2);
        ns.set_supply(0, 1);
        ns.set_supply(1, -2);
        ns_check(ns_throws<std::invalid_argument>([&] { ns.start_from_tree({-1, -1}); }),
                 "start_from_tree with unbalanced supplies throws like solve");
    }
}

// Random spanning trees with flows chosen to be strongly feasible, so start_from_tree must
// accept them; then random damage, where it must agree with expected_tree_valid.
void test_random_start_trees() {
    std::mt19937 rng(20240611);
    int accepted = 0, refused = 0;
    for (int round = 0; round < 400; ++round) {
        const std::string tag = "random tree " + std::to_string(round);
        Problem p;
        p.n = static_cast<std::int32_t>(rand_in(rng, 1, 9));
        std::vector<std::int32_t> order(static_cast<std::size_t>(p.n));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<Arc> arcs;
        std::vector<Value> flow;            // actual flow on each arc
        std::vector<std::int64_t> tree_arc(static_cast<std::size_t>(p.n), -1);
        for (std::size_t k = 0; k < order.size(); ++k) {
            const std::int32_t u = order[k];
            if (k == 0 || chance(rng, 25)) continue;  // hangs from the root
            const std::int32_t w = order[static_cast<std::size_t>(rand_in(rng, 0, static_cast<Value>(k) - 1))];
            const bool up = chance(rng, 50);
            Arc arc{up ? u : w, up ? w : u, chance(rng, 30) ? rand_in(rng, 1, 3) : 0, 0, rand_in(rng, -8, 8)};
            const bool infinite = chance(rng, 30) && arc.cost >= 0;
            const Value cap = rand_in(rng, 1, 6);
            arc.upper = infinite ? kInf : arc.lower + cap;
            // Strongly feasible: an arc pointing to the root may be empty but not full, one
            // pointing away may be full but not empty.
            const Value f = up ? rand_in(rng, 0, infinite ? 6 : cap - 1) : rand_in(rng, 1, infinite ? 6 : cap);
            tree_arc[static_cast<std::size_t>(u)] = static_cast<std::int64_t>(arcs.size());
            arcs.push_back(arc);
            flow.push_back(arc.lower + f);
        }
        const auto extra = static_cast<std::size_t>(rand_in(rng, 0, 2 * p.n));
        for (std::size_t e = 0; e < extra; ++e) {
            Arc arc{static_cast<std::int32_t>(rand_in(rng, 0, p.n - 1)), static_cast<std::int32_t>(rand_in(rng, 0, p.n - 1)),
                    chance(rng, 20) ? rand_in(rng, 1, 2) : 0, 0, rand_in(rng, -8, 8)};
            arc.upper = chance(rng, 25) && arc.cost >= 0 ? kInf : arc.lower + rand_in(rng, 0, 6);
            arcs.push_back(arc);
            flow.push_back(arc.lower);  // non-tree arcs rest at their lower bound
        }
        // Shuffle the arc order, keeping track of the tree arcs.
        std::vector<std::size_t> perm(arcs.size());
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), rng);
        std::vector<std::size_t> where(arcs.size());
        for (std::size_t i = 0; i < perm.size(); ++i) {
            p.arcs.push_back(arcs[perm[i]]);
            where[perm[i]] = i;
        }
        std::vector<std::int64_t> tree(static_cast<std::size_t>(p.n), -1);
        for (std::size_t u = 0; u < tree.size(); ++u) {
            if (tree_arc[u] >= 0) tree[u] = static_cast<std::int64_t>(where[static_cast<std::size_t>(tree_arc[u])]);
        }
        p.supply.assign(static_cast<std::size_t>(p.n), 0);
        for (std::size_t a = 0; a < arcs.size(); ++a) {
            p.supply[static_cast<std::size_t>(arcs[a].tail)] += flow[a];
            p.supply[static_cast<std::size_t>(arcs[a].head)] -= flow[a];
        }
        // Sometimes move supply between two nodes hanging from the root: their artificial arcs
        // then carry flow (the tree stays valid, the problem may become infeasible).
        std::vector<std::int32_t> tops;
        for (std::int32_t u = 0; u < p.n; ++u) {
            if (tree[static_cast<std::size_t>(u)] < 0) tops.push_back(u);
        }
        if (tops.size() >= 2 && chance(rng, 40)) {
            const Value d = rand_in(rng, 1, 4);
            p.supply[static_cast<std::size_t>(tops[0])] += d;
            p.supply[static_cast<std::size_t>(tops[1])] -= d;
        }
        const int damage = static_cast<int>(rng() % 4U);  // 0: intact
        if (damage == 1 && p.n > 0) {
            tree[static_cast<std::size_t>(rand_in(rng, 0, p.n - 1))] =
                p.arcs.empty() ? 0 : rand_in(rng, -1, static_cast<Value>(p.arcs.size()));
        } else if (damage == 2) {
            const auto u = static_cast<std::size_t>(rand_in(rng, 0, p.n - 1));
            p.supply[u] += 1;
            p.supply[(u + 1) % p.supply.size()] -= 1;
        } else if (damage == 3 && p.n > 1) {
            std::swap(tree[0], tree[1]);
        }
        const bool expect = expected_tree_valid(p, tree);
        if (damage == 0) ns_check(expect, tag + ": generated tree should be valid by the contract");
        NetworkSimplex ns(p.n);
        set_supplies(ns, p);
        add_arcs(ns, p, 0, p.arcs.size());
        const bool got = ns.start_from_tree(tree);
        ns_check(got == expect, tag + ": start_from_tree returned " + std::to_string(got) + ", expected " +
                                    std::to_string(expect));
        ns_check(got == ns.started(), tag + ": started() follows start_from_tree");
        (got ? accepted : refused) += 1;
        const FlowStatus status = ns.solve(30.0);
        check_against_oracle(ns, status, p, p.arcs.size(), tag);
    }
    ns_check(accepted > 150 && refused > 30, "random trees: both outcomes exercised (" + std::to_string(accepted) +
                                                 " accepted, " + std::to_string(refused) + " refused)");
}

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
void test_random_small() {
    std::mt19937 rng(12345);
    const Shape shapes[] = {
        // nodes, arcs/node, cost, neg%, inf%, lower%, cap, self-loops, negative uncapacitated
        {1, 6, 3, 10, 0, 30, 0, 8, true, true},
        {2, 8, 3, 10, 20, 30, 20, 8, true, true},
        {2, 8, 2, 5, 40, 50, 0, 3, false, false},
        {3, 10, 4, 100, 30, 10, 10, 10, true, true},
        {4, 12, 2, 20, 0, 20, 30, 4, false, true},
    };
    int count[4] = {0, 0, 0, 0};
    int round = 0;
    for (const Shape& shape : shapes) {
        for (int k = 0; k < 300; ++k, ++round) {
            const Problem p = random_problem(rng, shape, chance(rng, 60));
            NetworkSimplex ns(p.n);
            set_supplies(ns, p);
            add_arcs(ns, p, 0, p.arcs.size());
            const FlowStatus status = ns.solve(30.0);
            count[static_cast<int>(status)] += 1;
            check_against_oracle(ns, status, p, p.arcs.size(), "random small " + std::to_string(round));
        }
    }
    ns_check(count[0] > 300 && count[1] > 100 && count[2] > 30,
             "random small: optimal " + std::to_string(count[0]) + ", infeasible " + std::to_string(count[1]) +
                 ", unbounded " + std::to_string(count[2]));
}

// Warm restarts on random instances: arcs arrive in batches, each solve checked.
void test_random_warm() {
    std::mt19937 rng(777);
    const Shape shape{2, 10, 4, 10, 25, 30, 30, 6, true, true};
    for (int round = 0; round < 400; ++round) {
        Problem p = random_problem(rng, shape, chance(rng, 70));
        // Only the arcs of the first solve may have lower bounds.
        const auto first = static_cast<std::size_t>(rand_in(rng, 0, 6));
        for (std::size_t a = first; a < p.arcs.size(); ++a) p.arcs[a].lower = 0;
        NetworkSimplex ns(p.n);
        set_supplies(ns, p);
        ns.set_cost_bound(max_abs_cost(p));
        std::size_t done = 0;
        for (int batch = 0; done < p.arcs.size() || batch == 0; ++batch) {
            const std::size_t next =
                std::min(p.arcs.size(), batch == 0 ? first : done + static_cast<std::size_t>(rand_in(rng, 1, 6)));
            add_arcs(ns, p, done, next);
            done = next;
            const FlowStatus status = ns.solve(30.0);
            const std::string tag = "random warm " + std::to_string(round) + " batch " + std::to_string(batch);
            check_against_oracle(ns, status, p, done, tag);
            if (status != FlowStatus::Optimal && status != FlowStatus::Infeasible) break;
        }
    }
}

// Larger instances: checked by the certificate (and the oracle's cheap parts), including a
// time limit of zero that has to be called again until it finishes.
void test_random_large() {
    std::mt19937 rng(99);
    const Shape shapes[] = {
        {50, 300, 8, 100, 30, 10, 10, 20, false, false},
        {100, 400, 15, 1000, 0, 10, 0, 1000, true, false},
        {30, 80, 30, 5, 50, 40, 20, 3, true, true},
    };
    int round = 0;
    for (const Shape& shape : shapes) {
        for (int k = 0; k < 6; ++k, ++round) {
            const Problem p = random_problem(rng, shape, chance(rng, 80));
            NetworkSimplex ns(p.n);
            set_supplies(ns, p);
            ns.reserve_arcs(static_cast<std::int64_t>(p.arcs.size()));
            add_arcs(ns, p, 0, p.arcs.size());
            const FlowStatus status = ns.solve(60.0);
            check_large(ns, status, p, p.arcs.size(), "random large " + std::to_string(round));
        }
    }
    {  // Time limit 0: each call stops after at most about 1024 pivots; calls continue.
        const Shape shape{1000, 1000, 8, 100, 0, 0, 0, 50, false, false};
        const Problem p = random_problem(rng, shape, true);
        NetworkSimplex ns(p.n);
        set_supplies(ns, p);
        add_arcs(ns, p, 0, p.arcs.size());
        int calls = 0, stopped = 0;
        FlowStatus status = FlowStatus::TimeLimit;
        while (status == FlowStatus::TimeLimit && calls < 100000) {
            status = ns.solve(0.0);
            ++calls;
            if (status == FlowStatus::TimeLimit) ++stopped;
        }
        ns_check(stopped > 0, "time limit 0 stops a long solve (" + std::to_string(ns.pivots()) + " pivots)");
        check_large(ns, status, p, p.arcs.size(), "time-limited solve");
        NetworkSimplex once(p.n);
        set_supplies(once, p);
        add_arcs(once, p, 0, p.arcs.size());
        ns_check(once.solve() == FlowStatus::Optimal && once.total_cost() == ns.total_cost(),
                 "interrupted and uninterrupted solves agree");
    }
}

}  // namespace

// Runs every network simplex test; returns the number of failed checks.
int run_network_simplex_tests() {
    ns_failures = 0;
    test_transportation();
    test_infeasible();
    test_unbounded();
    test_lower_bounds();
    test_warm_restart();
    test_start_from_tree();
    test_random_start_trees();
    test_out_of_range();
    test_random_small();
    test_random_warm();
    test_random_large();
    return ns_failures;
}

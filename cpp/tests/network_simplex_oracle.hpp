// Independent oracles for the network simplex tests: max-flow feasibility, negative cycles,
// cycle-cancelling optimum, and random instance shapes.
#pragma once

#include "network_simplex_support.hpp"

namespace {

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

// Above any flow some optimum needs: the supplies plus every finite capacity (stands in for an
// infinite capacity in the residual networks below).
Value flow_bound(const Problem& p, std::size_t m, const std::vector<Value>& b) {
    Value big = 1;
    for (Value s : b) big += s < 0 ? -s : s;
    for (std::size_t a = 0; a < m; ++a) {
        if (p.arcs[a].upper < kInf) big += p.arcs[a].upper - p.arcs[a].lower;
    }
    return big;
}

bool oracle_feasible(const Problem& p, std::size_t m) {
    const std::vector<Value> b = shifted_supplies(p, m);
    Value excess = 0;
    const Value big = flow_bound(p, m, b);
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
    Value excess = 0;
    const Value big = flow_bound(p, m, b);
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


}  // namespace

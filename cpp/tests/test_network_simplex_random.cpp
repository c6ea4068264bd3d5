// Network simplex tests on random instances and random starting trees (fixed seeds).
#include "network_simplex_oracle.hpp"

namespace {

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

// Random and start-tree tests; returns the number of failed checks.
int run_network_simplex_random_tests() {
    ns_failures = 0;
    test_start_from_tree();
    test_random_start_trees();
    test_random_small();
    test_random_warm();
    test_random_large();
    return ns_failures;
}

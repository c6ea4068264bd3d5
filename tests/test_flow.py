"""The network simplex against HiGHS, and its optimality certificate (potentials)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shareopt import _core
from shareopt.exceptions import InfeasibleError, UnboundedError
from shareopt.flow import NetworkFlow, cost_scale, incidence_matrix, min_cost_flow


def random_network(seed: int, nodes: int, arcs: int):
    rng = np.random.default_rng(seed)
    tail = rng.integers(0, nodes, arcs)
    head = rng.integers(0, nodes, arcs)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    m = len(tail)
    cost = rng.integers(-5, 20, m)
    lower = np.where(rng.random(m) < 0.1, rng.integers(0, 2, m), 0)
    upper = np.maximum(rng.integers(0, 6, m), lower)
    supply = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes):
        a, b = rng.integers(0, nodes, 2)
        q = rng.integers(0, 4)
        supply[a] += q
        supply[b] -= q
    return tail, head, cost, lower, upper, supply


def check_certificate(tail, head, cost, lower, upper, supply, solution):
    flow = solution.flow
    balance = incidence_matrix(len(supply), tail, head) @ flow
    assert np.allclose(balance, supply)
    assert np.all(flow >= lower - 1e-9) and np.all(flow <= upper + 1e-9)
    reduced = cost + solution.potentials[tail] - solution.potentials[head]
    # Complementary slackness: an arc priced below zero is full, above zero is empty.
    assert np.all((reduced >= -1e-7) | (flow >= upper - 1e-9))
    assert np.all((reduced <= 1e-7) | (flow <= lower + 1e-9))


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10**6), nodes=st.integers(2, 14), arcs=st.integers(2, 45))
def test_network_simplex_matches_highs(seed, nodes, arcs):
    tail, head, cost, lower, upper, supply = random_network(seed, nodes, arcs)
    if len(tail) == 0:
        return
    try:
        reference = min_cost_flow(nodes, tail, head, cost, supply, lower=lower, upper=upper,
                                  method="highs")
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            min_cost_flow(nodes, tail, head, cost, supply, lower=lower, upper=upper)
        return
    ours = min_cost_flow(nodes, tail, head, cost, supply, lower=lower, upper=upper)
    assert ours.objective == pytest.approx(reference.objective, abs=1e-7)
    assert np.all(ours.flow == np.round(ours.flow))
    check_certificate(tail, head, cost, lower, upper, supply, ours)


def test_transportation_problem_against_brute_force():
    # 2 sources x 2 sinks: enumerate every integer shipment.
    supply = np.array([3, 2, -4, -1])
    tail = np.array([0, 0, 1, 1])
    head = np.array([2, 3, 2, 3])
    cost = np.array([4, 6, 5, 1])
    best = min(4 * a + 6 * (3 - a) + 5 * (4 - a) + 1 * (a - 2)
               for a in range(0, 4) if 0 <= 4 - a <= 2 and 0 <= a - 2 <= 2)
    assert min_cost_flow(4, tail, head, cost, supply).objective == best


def test_infeasible_and_unbounded():
    with pytest.raises(InfeasibleError):
        min_cost_flow(2, [0], [1], [1], np.array([2, -2]), upper=[1])
    with pytest.raises(UnboundedError):
        min_cost_flow(3, [0, 1, 2], [1, 2, 0], [-1, 0, 0], np.zeros(3, dtype=np.int64))


def test_arcs_added_after_a_solve_continue_from_the_basis():
    solver = _core.NetworkSimplex(3)
    solver.set_supplies(np.array([2, 0, -2]))
    solver.add_arcs(np.array([0], np.int32), np.array([2], np.int32), np.zeros(1, np.int64),
                    np.array([5]), np.array([10]))
    assert solver.solve() == "optimal"
    first = solver.pivots
    solver.add_arcs(np.array([0, 1], np.int32), np.array([1, 2], np.int32),
                    np.zeros(2, np.int64), np.array([1, 1]), np.array([1, 1]))
    assert solver.solve() == "optimal"
    assert list(solver.flows()) == [1, 1, 1]
    assert solver.pivots > first
    with pytest.raises(Exception, match="lower bound 0"):
        solver.add_arcs(np.array([0], np.int32), np.array([1], np.int32), np.ones(1, np.int64),
                        np.array([2]), np.array([0]))


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="integer"):
        min_cost_flow(2, [0], [1], [0.5], np.array([1, -1]))
    with pytest.raises(ValueError, match="sum"):
        min_cost_flow(2, [0], [1], [1], np.array([1, 0]))
    with pytest.raises(ValueError, match="end nodes"):
        min_cost_flow(2, [0], [5], [1], np.array([1, -1]))
    with pytest.raises(ValueError, match="method"):
        min_cost_flow(2, [0], [1], [1], np.array([1, -1]), method="simplex")


def test_cost_scale_keeps_potentials_in_range():
    scale = cost_scale(1e4, 1_000_000)
    assert scale == 2.0 ** np.floor(np.log2(scale))
    assert 1e4 * scale * 1e6 * 16 < 2.0**63
    assert cost_scale(0.0, 10) == 2.0**40


def test_start_from_a_tree_gives_the_same_optimum():
    # A path 0 -> 1 -> 2 carrying 3 units, with a cheaper two-arc detour 0 -> 3 -> 2.
    tail, head, cost = np.array([0, 1, 0, 3]), np.array([1, 2, 3, 2]), np.array([5, 5, 1, 1])
    supply = np.array([3, 0, -3, 0])
    plain = NetworkFlow(4, supply)
    plain.add_arcs(tail, head, cost)
    plain.solve()
    warm = NetworkFlow(4, supply)
    warm.add_arcs(tail, head, cost)
    assert warm.start_from_tree([0, 1, -1, 3])  # 0 -> 1 -> 2 (root side), 3 hangs on 2
    warm.solve()
    assert np.dot(warm.flows(), cost) == np.dot(plain.flows(), cost) == 6
    bad = NetworkFlow(4, supply)
    bad.add_arcs(tail, head, cost)
    assert not bad.start_from_tree([0, 0, -1, 3])  # a cycle: nodes 0 and 1 each the other's parent


@pytest.mark.parametrize("seed", range(20))
def test_restart_from_a_solved_basis_after_supplies_change(seed):
    # A basis solved for one set of supplies restarts another (repaired where its flows leave
    # the bounds) and reaches HiGHS's optimum on the same network.
    rng = np.random.default_rng(seed)
    n = 12
    tail, head = rng.integers(0, n, 60), rng.integers(0, n, 60)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    cost = rng.integers(-5, 20, tail.size)
    upper = np.where(rng.random(tail.size) < 0.3, np.inf, rng.integers(1, 6, tail.size))
    chain = np.arange(n - 1)  # a path 0 -> 1 -> ... -> n-1 without bounds keeps every supply feasible
    tail, head = np.r_[tail, chain, chain + 1], np.r_[head, chain + 1, chain]
    cost, upper = np.r_[cost, np.full(2 * (n - 1), 25)], np.r_[upper, np.full(2 * (n - 1), np.inf)]
    upper[(cost < 0) & np.isinf(upper)] = 5  # no negative cycle without a bound
    before = rng.integers(-4, 5, n)
    before[-1] -= before.sum()
    after = before + rng.integers(-3, 4, n)
    after[-1] -= after.sum()
    first = NetworkFlow(n, before)
    first.add_arcs(tail, head, cost, upper=upper)
    first.solve()
    tree, at_upper = first.basis()
    assert np.all(first.flows()[at_upper] == upper[at_upper])
    warm = NetworkFlow(n, after)
    warm.add_arcs(tail, head, cost, upper=upper)
    assert warm.start_from_tree(tree, at_upper, repair=True)
    warm.solve()
    reference = min_cost_flow(n, tail, head, cost, after, upper=upper, method="highs")
    assert np.dot(warm.flows(), cost) == pytest.approx(reference.objective, abs=1e-6)
    flows = warm.flows()
    balance = np.bincount(tail, flows, n) - np.bincount(head, flows, n)
    assert np.array_equal(balance, after) and np.all(flows <= upper)


@pytest.mark.parametrize("near_scans", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_arcs_added_in_rounds_reach_the_optimum_of_all_arcs(seed, near_scans):
    # Lazy pricing's pattern: solve on part of the arcs, then add a few at a time and re-solve.
    # Once few arcs price out, the simplex scans only the arcs whose reduced cost its pivots
    # can have moved; every round must still end on the optimum of the arcs it holds.
    rng = np.random.default_rng(seed)
    sources, sinks = 40, 40
    n = sources + sinks
    supply = np.r_[rng.integers(1, 6, sources), np.zeros(sinks, dtype=np.int64)]
    demand = np.bincount(rng.integers(0, sinks, supply.sum()), minlength=sinks)
    supply[sources:] = -demand
    tail = np.r_[np.repeat(np.arange(sources), sinks), rng.integers(sources, n, 400)]
    head = np.r_[np.tile(np.arange(sources, n), sources), rng.integers(sources, n, 400)]
    keep = tail != head
    tail, head = tail[keep], head[keep]
    cost = rng.integers(0, 1000, tail.size)
    upper = np.where(tail < sources, rng.integers(1, 4, tail.size), np.inf)
    order = rng.permutation(tail.size)
    tail, head, cost, upper = tail[order], head[order], cost[order], upper[order]
    # The first solve on a third of the arcs, plus dear uncapped ones that route every unit.
    start = tail.size // 3
    ring = np.arange(sources, n)
    tail = np.r_[tail[:start], np.arange(sources), ring, tail[start:]]
    head = np.r_[head[:start], np.full(sources, sources), np.roll(ring, 1), head[start:]]
    cost = np.r_[cost[:start], np.full(n, 999), cost[start:]]
    upper = np.r_[upper[:start], np.full(n, np.inf), upper[start:]]
    solver = NetworkFlow(n, supply, cost_bound=1000, near_scans=near_scans)
    added = start + n
    solver.add_arcs(tail[:added], head[:added], cost[:added], upper=upper[:added])
    solver.solve()
    while added < tail.size:
        batch = int(rng.integers(1, 60))
        solver.add_arcs(tail[added:added + batch], head[added:added + batch], cost[added:added + batch],
                        upper=upper[added:added + batch])
        added = min(tail.size, added + batch)
        solver.solve()
        flows = solver.flows()
        reference = min_cost_flow(n, tail[:added], head[:added], cost[:added], supply, upper=upper[:added],
                                  method="highs")
        assert np.dot(flows, cost[:added]) == pytest.approx(reference.objective, abs=1e-6)
        potentials = solver.potentials()
        reduced = cost[:added] + potentials[tail[:added]] - potentials[head[:added]]
        assert np.all((reduced >= 0) | (flows >= upper[:added]))
        assert np.all((reduced <= 0) | (flows <= 0))

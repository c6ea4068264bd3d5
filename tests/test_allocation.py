"""Tests of the port allocation (multiple-choice knapsack), checked against brute force."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from shareopt._allocation import allocate, curve_case, frontier, nonconvex_stations
from shareopt.exceptions import ValidationError

TOL = 1e-9


# ---------------------------------------------------------------- helpers
def random_instance(rng, n, K, *, convex, equal_cost, nan_tail=True):
    """Curves over 0..max_added (NaN beyond) with integer costs 1..4 (or all 2)."""
    top = rng.integers(0, K + 1, n)
    if convex:
        # non-increasing marginals, some negative: the curve may rise at its end
        decrease = -np.sort(-rng.uniform(-2.0, 6.0, (n, K)), axis=1)
        g = 30.0 - np.concatenate([np.zeros((n, 1)), np.cumsum(decrease, axis=1)], axis=1)
    else:
        g = rng.uniform(0.0, 20.0, (n, K + 1))
    if nan_tail:
        g[np.arange(K + 1) > top[:, None]] = np.nan
    cost = np.full(n, 2.0) if equal_cost else rng.integers(1, 5, n).astype(float)
    return g, cost, top


class BruteForce:
    """Every combination of k per station, with its cost and objective."""

    def __init__(self, g, cost, top):
        n = len(top)
        self.combos = np.array(list(itertools.product(*[range(t + 1) for t in top])))
        self.spend = self.combos @ cost
        self.value = g[np.arange(n), self.combos].sum(axis=1)

    def best(self, budget):
        return self.value[self.spend <= budget + TOL].min()


def objective_of(g, added):
    return g[np.arange(len(added)), added].sum()


def instances(seed, count, *, convex, equal_cost):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(2, 5))
        yield random_instance(rng, n, int(rng.integers(0, 4)), convex=convex,
                              equal_cost=equal_cost)


ALL_KINDS = [(True, True), (True, False), (False, True), (False, False)]


# ---------------------------------------------------------------- allocate
@pytest.mark.parametrize("convex, equal_cost", ALL_KINDS)
def test_mip_matches_brute_force(convex, equal_cost):
    for g, cost, top in instances(11 + 2 * convex + equal_cost, 8, convex=convex,
                                  equal_cost=equal_cost):
        brute = BruteForce(g, cost, top)
        for budget in (0.0, 1.0, 3.0, 4.5, 7.0, float(cost @ top)):
            result = allocate(g, cost, top, budget, method="mip")
            assert result.method == "mip" and result.exact
            assert result.added.shape == top.shape and result.added.dtype == np.int64
            assert np.all((result.added >= 0) & (result.added <= top))
            assert result.cost == pytest.approx(cost @ result.added)
            assert result.cost <= budget + TOL
            assert result.objective == pytest.approx(objective_of(g, result.added))
            assert result.objective == pytest.approx(brute.best(budget), abs=1e-7)
            assert result.baseline == pytest.approx(g[:, 0].sum())


def test_greedy_matches_brute_force_on_convex_equal_cost():
    for g, cost, top in instances(5, 15, convex=True, equal_cost=True):
        assert curve_case(g, cost, top) == "convex_equal_cost"
        brute = BruteForce(g, cost, top)
        for budget in (0.0, 1.9, 2.0, 4.0, 5.5, 10.0, 100.0):
            result = allocate(g, cost, top, budget)
            assert result.method == "greedy" and result.exact and result.mip_gap == 0.0
            assert result.cost <= budget + TOL
            assert result.objective == pytest.approx(brute.best(budget), abs=1e-9)


def test_greedy_never_takes_a_port_that_does_not_help():
    # marginals 3, 1, 0, -1: the best curve point is k = 2 (or 3, equal); never k = 4
    g = np.array([[10.0, 7.0, 6.0, 6.0, 7.0]])
    result = allocate(g, [1.0], [4], budget=100.0)
    assert result.added.tolist() == [2]
    assert result.cost == 2.0


def test_greedy_rounds_the_budget_in_the_users_favour():
    g = np.array([[10.0, 7.0, 5.0, 4.0]] * 2)
    result = allocate(g, [0.1, 0.1], [3, 3], budget=0.3)  # 0.1 * 3 > 0.3 in floats
    assert int(result.added.sum()) == 3


def test_greedy_off_its_case_is_run_but_not_exact():
    rng = np.random.default_rng(3)
    g, cost, top = random_instance(rng, 30, 4, convex=False, equal_cost=False)
    result = allocate(g, cost, top, 20.0, method="greedy")
    assert result.method == "greedy" and not result.exact and result.status == "Heuristic"
    assert result.cost <= 20.0 + TOL
    assert result.objective >= allocate(g, cost, top, 20.0).objective - 1e-9
    summary = json.loads(json.dumps(result.to_dict()))
    assert summary["mip_gap"] is None and summary["added"] == result.added.tolist()


def test_auto_uses_mip_off_the_greedy_case():
    rng = np.random.default_rng(4)
    g, cost, top = random_instance(rng, 10, 3, convex=True, equal_cost=False)
    result = allocate(g, cost, top, 6.0)
    assert (result.case, result.method, result.exact) == ("unequal_cost", "mip", True)


def test_unlimited_budget_takes_each_curve_minimum():
    rng = np.random.default_rng(12)
    g, cost, top = random_instance(rng, 40, 5, convex=False, equal_cost=False)
    best = np.nanmin(g, axis=1).sum()
    for method in ("mip", "greedy"):
        result = allocate(g, cost, top, np.inf, method=method)
        assert result.objective >= best - 1e-9
    assert allocate(g, cost, top, np.inf).objective == pytest.approx(best)


def test_zero_budget_adds_nothing_and_ties_are_deterministic():
    g = np.tile([5.0, 4.0, 3.0], (6, 1))  # every station alike: many optimal allocations
    for method in ("greedy", "mip"):
        assert allocate(g, np.ones(6), np.full(6, 2), 0.0, method=method).added.sum() == 0
        first = allocate(g, np.ones(6), np.full(6, 2), 5.0, method=method).added
        again = allocate(g, np.ones(6), np.full(6, 2), 5.0, method=method).added
        assert first.sum() == 5 and np.array_equal(first, again)


# ---------------------------------------------------------------- cases
def test_curve_case_detects_each_case():
    convex = np.array([[9.0, 5.0, 2.0, 0.0], [4.0, 3.0, 2.0, 1.0], [7.0, 7.0, np.nan, np.nan]])
    top = np.array([3, 3, 1])
    assert curve_case(convex, [2.0, 2.0, 2.0], top) == "convex_equal_cost"
    assert curve_case(convex, [1.0, 2.0, 2.0], top) == "unequal_cost"
    bumpy = convex.copy()
    bumpy[1] = [4.0, 3.5, 1.0, 0.5]  # marginals 0.5 then 2.5
    assert curve_case(bumpy, [2.0, 2.0, 2.0], top) == "nonconvex"
    assert curve_case(bumpy, [1.0, 2.0, 2.0], top) == "nonconvex"
    assert nonconvex_stations(bumpy, top).tolist() == [1]
    assert nonconvex_stations(convex, top).size == 0


def test_curve_case_tolerance_and_ignored_tail():
    g = np.array([[1e6, 1e6 - 1.0, 1e6 - 2.0 - 1e-6]])  # rise of 1e-6 < 1e-9 * 1e6
    assert curve_case(g, [1.0], [2]) == "convex_equal_cost"
    g = np.array([[10.0, 9.0, 8.0 - 1e-6]])  # rise of 1e-6 > 1e-9 * 10
    assert curve_case(g, [1.0], [2]) == "nonconvex"
    g = np.array([[3.0, 2.0, 1.5, -9.0]])
    assert nonconvex_stations(g, [3]).tolist() == [0]
    assert nonconvex_stations(g, [2]).size == 0  # the jump to -9 lies beyond max_added


# ---------------------------------------------------------------- frontier
def check_frontier(front, g, cost, top):
    assert front.budget[0] == 0.0 and front.objective[0] == pytest.approx(g[:, 0].sum())
    assert np.all(np.diff(front.budget) > 0) and np.all(np.diff(front.objective) < 0)
    for b in np.arange(0.0, float(cost @ top) + 1.0):
        added = front.allocation_at(b)
        assert cost @ added <= b + TOL
        assert objective_of(g, added) == pytest.approx(front.objective_at(b), abs=1e-9)


@pytest.mark.parametrize("convex, equal_cost", ALL_KINDS)
def test_dp_frontier_matches_brute_force_at_every_budget(convex, equal_cost):
    for g, cost, top in instances(31 + 2 * convex + equal_cost, 8, convex=convex,
                                  equal_cost=equal_cost):
        front = frontier(g, cost, top, method="dp")
        assert front.method == "dp" and front.exact and front.proven.all()
        brute = BruteForce(g, cost, top)
        for b in range(int(cost @ top) + 2):
            assert front.objective_at(b) == pytest.approx(brute.best(b), abs=1e-9)
        check_frontier(front, g, cost, top)


def test_greedy_frontier_equals_dp_on_convex_equal_cost():
    rng = np.random.default_rng(8)
    for _ in range(10):
        g, cost, top = random_instance(rng, 12, 5, convex=True, equal_cost=True)
        greedy = frontier(g, cost, top)
        dp = frontier(g, cost, top, method="dp")
        assert greedy.method == "greedy" and greedy.exact
        np.testing.assert_allclose(greedy.budget, dp.budget)
        np.testing.assert_allclose(greedy.objective, dp.objective, atol=1e-9)
        check_frontier(greedy, g, cost, top)


def test_dp_frontier_with_decimal_costs_and_max_budget():
    rng = np.random.default_rng(9)
    g, _, top = random_instance(rng, 4, 3, convex=False, equal_cost=False)
    cost = np.array([0.5, 1.5, 0.25, 0.75])
    front = frontier(g, cost, top, max_budget=2.0)
    brute = BruteForce(g, cost, top)
    assert front.max_budget == 2.0 and front.budget[-1] <= 2.0
    for b in np.arange(0.0, 2.01, 0.25):
        assert front.objective_at(b) == pytest.approx(brute.best(b), abs=1e-9)
        assert cost @ front.allocation_at(b) <= b + TOL


def test_mip_agrees_with_dp_on_a_larger_instance():
    rng = np.random.default_rng(60)
    g, cost, top = random_instance(rng, 60, 6, convex=False, equal_cost=False)
    dp = frontier(g, cost, top)
    assert dp.method == "dp"
    for budget in (15.0, 60.0, 140.0):
        result = allocate(g, cost, top, budget)
        assert result.method == "mip" and result.exact and result.cost <= budget
        assert result.objective == pytest.approx(dp.objective_at(budget), abs=1e-6)
        assert objective_of(g, dp.allocation_at(budget)) == pytest.approx(result.objective,
                                                                          abs=1e-6)
    grid = frontier(g, cost, top, max_budget=140.0, method="mip", points=3)
    assert not grid.exact and grid.proven.all()
    for b in (0.0, 70.0, 140.0):
        assert grid.objective_at(b) == pytest.approx(dp.objective_at(b), abs=1e-6)
    assert grid.objective_at(100.0) == grid.objective_at(70.0)  # a step between grid points


def test_frontier_output_is_json_safe_and_plots():
    rng = np.random.default_rng(2)
    g, cost, top = random_instance(rng, 5, 3, convex=False, equal_cost=False)
    front = frontier(g, cost, top)
    summary = json.loads(json.dumps(front.to_dict()))
    assert summary["objective"] == front.objective.tolist() and summary["method"] == "dp"
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = front.plot()
    assert ax.get_xlabel() == "budget" and len(ax.lines) == 1
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


# ---------------------------------------------------------------- validation
def test_dp_refuses_what_it_cannot_do():
    g = np.array([[3.0, 2.0, 0.0], [4.0, 1.0, 0.5]])
    with pytest.raises(ValidationError, match="method='mip'"):
        frontier(g, [1.0, np.pi], [2, 2], method="dp")  # no common unit
    with pytest.raises(ValidationError, match="method='mip'"):
        frontier(g, [1e-6, 1.0], [2, 2], max_budget=1e6, method="dp")  # 1e12 units
    with pytest.raises(ValidationError, match="points"):
        frontier(g, [1.0, 2.0], [2, 2], points=5)
    with pytest.raises(ValidationError, match="points"):
        frontier(g, [1.0, 2.0], [2, 2], method="mip", points=1)


GOOD = (np.array([[3.0, 2.0, 1.0]] * 8), np.ones(8), np.full(8, 2))


def broken(what):
    g, cost, top = (a.copy() for a in GOOD)
    if what == "cost":
        cost[[2, 5]] = [0.0, -1.0]
    elif what == "max_added":
        top[[2, 5]] = [3, -1]
    elif what == "nan":
        g[2, 1], g[5, 0] = np.nan, np.inf
    return g, cost, top


@pytest.mark.parametrize("what", ["cost", "max_added", "nan"])
def test_invalid_stations_are_named(what):
    g, cost, top = broken(what)
    for call in (lambda: allocate(g, cost, top, 1.0), lambda: frontier(g, cost, top),
                 lambda: curve_case(g, cost, top)):
        with pytest.raises(ValidationError, match=r"stations \[2, 5\]") as error:
            call()
        assert error.value.rows == (2, 5) and isinstance(error.value, ValueError)


def test_nan_beyond_max_added_is_ignored():
    g, cost, top = (a.copy() for a in GOOD)
    top[3] = 1
    g[3, 2] = np.nan
    assert allocate(g, cost, top, 20.0).added[3] == 1


@pytest.mark.parametrize("budget", [-1.0, np.nan, "a lot"])
def test_invalid_budget(budget):
    g, cost, top = GOOD
    with pytest.raises(ValidationError, match="budget"):
        allocate(g, cost, top, budget)
    with pytest.raises(ValidationError, match="max_budget"):
        frontier(g, cost, top, max_budget=budget)


@pytest.mark.parametrize("args", [
    (np.ones(3), np.ones(3), np.ones(3, int)),  # weighted 1-D
    (np.ones((3, 2)), np.ones(2), np.ones(3, int)),  # cost too short
    (np.ones((3, 2)), np.ones(3), np.ones(4, int)),  # max_added too long
])
def test_shape_mismatch(args):
    with pytest.raises(ValidationError, match="shape"):
        allocate(*args, 1.0)


def test_invalid_method():
    g, cost, top = GOOD
    with pytest.raises(ValidationError, match="method"):
        allocate(g, cost, top, 1.0, method="dp")

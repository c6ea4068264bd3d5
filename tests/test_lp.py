"""Tests of the HiGHS bridge shareopt.lp, checked against independent references."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import threading

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from shareopt.exceptions import (
    InfeasibleError,
    SolverError,
    TimeLimitError,
    UnboundedError,
    ValidationError,
)
from shareopt.lp import LinearProgram, LpSolution, get_threads, set_threads, solve_lp

TOL = 1e-7


# ---------------------------------------------------------------- helpers
def linprog_reference(c, A, row_lower, row_upper, col_lower, col_upper, sense="min"):
    """Objective of the same model through scipy.optimize.linprog (A_ub / A_eq form)."""
    A = np.asarray(A, dtype=float)
    sign = -1.0 if sense == "max" else 1.0
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for row, lo, hi in zip(A, row_lower, row_upper):
        if lo == hi:
            a_eq.append(row), b_eq.append(hi)
            continue
        if math.isfinite(hi):
            a_ub.append(row), b_ub.append(hi)
        if math.isfinite(lo):
            a_ub.append(-row), b_ub.append(-lo)
    n = len(c)
    result = linprog(
        sign * np.asarray(c, dtype=float),
        A_ub=np.array(a_ub).reshape(-1, n) if a_ub else None, b_ub=b_ub or None,
        A_eq=np.array(a_eq).reshape(-1, n) if a_eq else None, b_eq=b_eq or None,
        bounds=list(zip(col_lower, col_upper)), method="highs",
    )
    assert result.status == 0, result.message
    return sign * result.fun, result.x


def assert_primal_feasible(solution, A, row_lower, row_upper, col_lower, col_upper, tol=1e-6):
    activity = np.asarray(A, dtype=float) @ solution.x
    np.testing.assert_allclose(solution.row_activity, activity, atol=tol)
    assert np.all(activity >= np.asarray(row_lower) - tol)
    assert np.all(activity <= np.asarray(row_upper) + tol)
    assert np.all(solution.x >= np.asarray(col_lower) - tol)
    assert np.all(solution.x <= np.asarray(col_upper) + tol)


def knapsack(n_items, n_constraints, seed):
    """Multi-dimensional 0/1 knapsack: weights, values, capacities (half the total weight)."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(10, 100, size=(n_constraints, n_items)).astype(float)
    values = rng.integers(10, 100, size=n_items).astype(float)
    return weights, values, weights.sum(axis=1) / 2


def solve_knapsack(weights, values, capacity, **kwargs):
    n = values.size
    return solve_lp(values, sp.csc_array(weights), -np.inf, capacity, 0.0, 1.0,
                    integrality=np.ones(n, dtype=bool), sense="max", **kwargs)


@pytest.fixture
def restore_threads():
    saved = get_threads()
    yield
    set_threads(saved)


# Small LP in inequality form: min -x0 - 2 x1 + 0.5 x2, three rows, mixed bounds.
SMALL_C = np.array([-1.0, -2.0, 0.5])
SMALL_A = np.array([[1.0, 1.0, 1.0], [1.0, 3.0, -1.0], [2.0, 0.0, 1.0]])
SMALL_ROW_LOWER = np.array([-np.inf, 1.0, 0.5])
SMALL_ROW_UPPER = np.array([4.0, 6.0, np.inf])
SMALL_COL_LOWER = np.array([0.0, 0.0, 0.0])
SMALL_COL_UPPER = np.array([3.0, np.inf, 2.0])


def solve_small(**kwargs):
    return solve_lp(SMALL_C, sp.csc_array(SMALL_A), SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                    SMALL_COL_LOWER, SMALL_COL_UPPER, **kwargs)


# ---------------------------------------------------------------- LP answers
def test_small_lp_matches_linprog_and_is_feasible():
    solution = solve_small()
    expected, _ = linprog_reference(SMALL_C, SMALL_A, SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                                    SMALL_COL_LOWER, SMALL_COL_UPPER)
    assert solution.is_optimal and solution.status == "Optimal"
    assert solution.objective == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert solution.objective == pytest.approx(SMALL_C @ solution.x, abs=TOL)
    assert_primal_feasible(solution, SMALL_A, SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                           SMALL_COL_LOWER, SMALL_COL_UPPER)
    assert solution.mip_gap == 0.0 and solution.dual_bound == solution.objective
    assert solution.iterations >= 0 and solution.time >= 0


def test_lp_duals_satisfy_complementary_slackness():
    solution = solve_small()
    y, reduced = solution.row_dual, solution.col_dual
    activity = SMALL_A @ solution.x
    # col_dual = c - A^T y, and each dual is zero unless its constraint or bound is active.
    np.testing.assert_allclose(reduced, SMALL_C - SMALL_A.T @ y, atol=TOL)
    for i in range(len(y)):
        if abs(y[i]) > TOL:
            at_lower, at_upper = (abs(activity[i] - b) < 1e-6 for b in (SMALL_ROW_LOWER[i], SMALL_ROW_UPPER[i]))
            assert (y[i] > 0 and at_lower) or (y[i] < 0 and at_upper)  # min: y >= 0 at lower
    for j in range(len(reduced)):
        if abs(reduced[j]) > TOL:
            at_lower, at_upper = (abs(solution.x[j] - b) < 1e-6 for b in (SMALL_COL_LOWER[j], SMALL_COL_UPPER[j]))
            assert (reduced[j] > 0 and at_lower) or (reduced[j] < 0 and at_upper)


def test_standard_form_strong_duality():
    # min c x  s.t.  A x = b, x >= 0: at the optimum c x == b y and reduced costs >= 0.
    rng = np.random.default_rng(7)
    A = rng.uniform(0.5, 2.0, size=(4, 8))
    b = A @ rng.uniform(0.5, 1.5, size=8)  # a positive feasible point exists
    c = rng.uniform(1.0, 3.0, size=8)
    solution = solve_lp(c, A, b, b)
    assert solution.objective == pytest.approx(b @ solution.row_dual, rel=1e-9)
    assert solution.objective == pytest.approx(linprog(c, A_eq=A, b_eq=b).fun, rel=1e-9)
    assert np.all(solution.col_dual >= -TOL)
    np.testing.assert_allclose(solution.x * solution.col_dual, 0.0, atol=1e-7)


def test_max_sense_and_offset():
    minimum = solve_small()
    maximum = solve_lp(-SMALL_C, SMALL_A, SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                       SMALL_COL_LOWER, SMALL_COL_UPPER, sense="max", offset=10.0)
    expected, _ = linprog_reference(-SMALL_C, SMALL_A, SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                                    SMALL_COL_LOWER, SMALL_COL_UPPER, sense="max")
    assert maximum.objective == pytest.approx(expected + 10.0, rel=1e-9)
    assert maximum.objective == pytest.approx(10.0 - minimum.objective, rel=1e-9)
    assert maximum.objective == pytest.approx(-SMALL_C @ maximum.x + 10.0, abs=TOL)
    # duals keep the relation col_dual = c - A^T y in the user's sense
    np.testing.assert_allclose(maximum.col_dual, -SMALL_C - SMALL_A.T @ maximum.row_dual, atol=TOL)


def test_offset_shifts_objective_only():
    base, shifted = solve_small(), solve_lp(SMALL_C, SMALL_A, SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                                            SMALL_COL_LOWER, SMALL_COL_UPPER, offset=-3.25)
    assert shifted.objective == pytest.approx(base.objective - 3.25, abs=TOL)
    np.testing.assert_allclose(shifted.x, base.x, atol=TOL)


@pytest.mark.parametrize("convert", [
    np.asarray, sp.csr_matrix, sp.csr_array, sp.coo_matrix, sp.coo_array, sp.csc_matrix, sp.lil_matrix,
])
def test_any_matrix_format_gives_same_answer(convert):
    reference = solve_small()
    solution = solve_lp(SMALL_C, convert(SMALL_A), SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                        SMALL_COL_LOWER, SMALL_COL_UPPER)
    assert solution.objective == pytest.approx(reference.objective, abs=1e-12)
    np.testing.assert_allclose(solution.x, reference.x, atol=1e-12)


@pytest.mark.parametrize("sparse_type", [sp.coo_array, sp.csr_array])
def test_duplicate_entries_are_summed(sparse_type):
    coo = sp.coo_array(SMALL_A)
    # split every entry in two halves: the same matrix once duplicates are summed
    # (scipy's csr -> csc conversion keeps duplicates, which HiGHS would reject)
    rows, cols = np.concatenate([coo.row, coo.row]), np.concatenate([coo.col, coo.col])
    halves = np.concatenate([coo.data / 2, coo.data / 2])
    if sparse_type is sp.csr_array:
        order = np.argsort(rows, kind="stable")
        indptr = np.searchsorted(rows[order], np.arange(coo.shape[0] + 1))
        doubled = sp.csr_array((halves[order], cols[order], indptr), shape=coo.shape)
        assert not doubled.has_canonical_format
    else:
        doubled = sp.coo_array((halves, (rows, cols)), shape=coo.shape)
    solution = solve_lp(SMALL_C, doubled, SMALL_ROW_LOWER, SMALL_ROW_UPPER, SMALL_COL_LOWER, SMALL_COL_UPPER)
    assert solution.objective == pytest.approx(solve_small().objective, abs=1e-12)


def test_scalar_bounds_broadcast():
    # max x0 + x1 with 0 <= x <= 1 and x0 + x1 <= 1.5 (scalar bounds everywhere)
    solution = solve_lp([1.0, 1.0], [[1.0, 1.0]], -np.inf, 1.5, 0.0, 1.0, sense="max")
    assert solution.objective == pytest.approx(1.5)


def test_model_is_passed_whole_in_one_call(monkeypatch):
    calls = {"passModel": 0}
    original = highspy.Highs.passModel

    def counting_pass_model(self, *args):
        calls["passModel"] += 1
        assert args[-4].dtype == np.int32 and args[-3].dtype == np.int32  # a_start, a_index
        return original(self, *args)

    def forbidden(*args, **kwargs):
        raise AssertionError("model must not be built column by column")

    monkeypatch.setattr(highspy.Highs, "passModel", counting_pass_model)
    for name in ("addCol", "addCols", "addRow", "addRows", "addVar", "addVariable"):
        monkeypatch.setattr(highspy.Highs, name, forbidden)
    assert solve_small().is_optimal
    assert calls["passModel"] == 1


def test_linear_program_solve_matches_solve_lp():
    model = LinearProgram(SMALL_C, SMALL_A, SMALL_ROW_LOWER, SMALL_ROW_UPPER,
                          SMALL_COL_LOWER, SMALL_COL_UPPER)
    assert isinstance(model.A, sp.csc_array) and (model.n_rows, model.n_cols) == (3, 3)
    assert not model.is_mip
    assert model.solve().objective == pytest.approx(solve_small().objective, abs=1e-12)


def test_solution_is_frozen_and_summary_is_json_safe():
    solution = solve_small()
    with pytest.raises(dataclasses.FrozenInstanceError):
        solution.objective = 0.0
    with pytest.raises(ValueError):
        solution.x[0] = 1.0  # arrays are read-only
    summary = solution.to_dict()
    assert set(summary) == {"status", "objective", "is_optimal", "gap", "time", "iterations", "n_cols", "n_rows"}
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
    assert (summary["n_cols"], summary["n_rows"], summary["status"]) == (3, 3, "Optimal")


def test_summary_replaces_infinite_gap_with_none():
    solution = dataclasses.replace(solve_small(), mip_gap=math.inf, is_optimal=False)
    assert solution.to_dict()["gap"] is None
    json.dumps(solution.to_dict(), allow_nan=False)


# ---------------------------------------------------------------- MIP
def test_knapsack_matches_brute_force():
    weights, values, capacity = knapsack(n_items=12, n_constraints=2, seed=3)
    best = max(
        values @ np.array(choice)
        for choice in itertools.product((0, 1), repeat=values.size)
        if np.all(weights @ np.array(choice) <= capacity)
    )
    solution = solve_knapsack(weights, values, capacity)
    assert solution.is_optimal
    assert solution.objective == pytest.approx(best, abs=1e-6)
    np.testing.assert_allclose(solution.x, np.round(solution.x), atol=1e-6)
    assert set(np.round(solution.x).astype(int)) <= {0, 1}
    assert np.all(weights @ solution.x <= capacity + 1e-6)
    assert solution.row_dual is None and solution.col_dual is None  # no duals for a MIP
    assert solution.mip_gap <= 1e-4 and solution.dual_bound >= solution.objective - 1e-6


def test_integrality_as_bool_or_int_and_all_zero_is_lp():
    weights, values, capacity = knapsack(n_items=8, n_constraints=1, seed=5)
    as_bool = solve_knapsack(weights, values, capacity)
    as_int = solve_lp(values, weights, -np.inf, capacity, 0, 1, integrality=np.ones(8, dtype=int), sense="max")
    relaxed = solve_lp(values, weights, -np.inf, capacity, 0, 1, integrality=[0] * 8, sense="max")
    assert as_int.objective == pytest.approx(as_bool.objective)
    assert relaxed.row_dual is not None  # all-continuous is an LP, with duals
    assert relaxed.objective >= as_bool.objective - 1e-9


def test_warm_start_gives_same_optimum():
    weights, values, capacity = knapsack(n_items=20, n_constraints=3, seed=11)
    cold = solve_knapsack(weights, values, capacity)
    # greedy by value density: a feasible start
    start = np.zeros(values.size)
    for item in np.argsort(-values / weights.sum(axis=0)):
        start[item] = 1.0
        if np.any(weights @ start > capacity):
            start[item] = 0.0
    warm = solve_knapsack(weights, values, capacity, warm_start=start)
    assert warm.is_optimal and warm.objective == pytest.approx(cold.objective, abs=1e-6)
    lp_warm = solve_small(warm_start=[1.0, 1.0, 0.5])
    assert lp_warm.objective == pytest.approx(solve_small().objective, abs=1e-9)


def test_time_limit_returns_incumbent_or_raises():
    weights, values, capacity = knapsack(n_items=150, n_constraints=25, seed=0)
    try:
        solution = solve_knapsack(weights, values, capacity, time_limit=0.01)
    except TimeLimitError as error:
        assert error.status == "Time limit reached" and "Time limit reached" in str(error)
    else:
        assert not solution.is_optimal and solution.status == "Time limit reached"
        assert np.all(weights @ solution.x <= capacity + 1e-6)
        assert solution.mip_gap > 0


def test_solution_limit_returns_feasible_non_optimal_incumbent():
    weights, values, capacity = knapsack(n_items=60, n_constraints=10, seed=1)
    solution = solve_knapsack(weights, values, capacity, options={"mip_max_improving_sols": 1})
    assert not solution.is_optimal and solution.status == "Solution limit reached"
    assert np.all(weights @ solution.x <= capacity + 1e-6)
    assert solution.dual_bound >= solution.objective


def test_iteration_limit_without_solution_raises_solver_error():
    # x0 + x1 >= 1 cannot hold at the all-zero start, and no simplex iteration is allowed
    with pytest.raises(SolverError) as caught:
        solve_lp([1.0, 1.0], [[1.0, 1.0]], 1.0, np.inf, options={"simplex_iteration_limit": 0, "presolve": "off"})
    assert caught.value.status == "Iteration limit reached"
    assert not isinstance(caught.value, TimeLimitError)


# ---------------------------------------------------------------- infeasible / unbounded / empty
def test_infeasible_raises_with_status_text():
    with pytest.raises(InfeasibleError) as caught:
        solve_lp([1.0, 1.0], [[1.0, 1.0]], -np.inf, -1.0)
    assert caught.value.status == "Infeasible" and "Infeasible" in str(caught.value)
    assert isinstance(caught.value, RuntimeError)


@pytest.mark.parametrize("integrality", [None, [1, 1]])
def test_unbounded_raises_with_status_text(integrality):
    with pytest.raises(UnboundedError) as caught:
        solve_lp([-1.0, 0.0], [[1.0, -1.0]], -np.inf, 1.0, integrality=integrality)
    assert caught.value.status in str(caught.value)
    assert "unbounded" in str(caught.value).lower()


def test_empty_model_is_solved_trivially_or_found_infeasible():
    solution = solve_lp([], np.zeros((2, 0)), [-1.0, 0.0], [1.0, 0.0], offset=2.5)
    assert solution.is_optimal and solution.objective == 2.5
    assert solution.x.size == 0 and solution.to_dict()["n_rows"] == 2
    with pytest.raises(InfeasibleError, match=r"rows \[1\]"):
        solve_lp([], np.zeros((2, 0)), [-1.0, 1.0], [1.0, 2.0])


def test_no_rows_box_model():
    solution = solve_lp([1.0, -1.0], sp.csc_array((0, 2)), [], [], 0.0, [1.0, 2.0])
    assert solution.objective == pytest.approx(-2.0)
    np.testing.assert_allclose(solution.x, [0.0, 2.0])


# ---------------------------------------------------------------- validation
def test_nan_in_cost_names_the_column():
    with pytest.raises(ValidationError, match=r"c has NaN .* columns \[1\]") as caught:
        solve_lp([1.0, np.nan], [[1.0, 1.0]], 0.0, 1.0)
    assert caught.value.rows == (1,)


def test_nan_in_matrix_names_the_entry():
    A = sp.csr_array(np.array([[1.0, 0.0], [0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"A has NaN .*\(1, 1\)"):
        solve_lp([1.0, 1.0], A, 0.0, 1.0)


def test_nan_in_bounds_is_rejected():
    with pytest.raises(ValidationError, match=r"row_upper has NaN at rows \[0\]"):
        solve_lp([1.0], [[1.0]], 0.0, [np.nan])


def test_lower_above_upper_names_the_rows_and_columns():
    with pytest.raises(ValidationError, match=r"row_lower > row_upper at rows \[2, 4\]") as caught:
        solve_lp([1.0], np.ones((5, 1)), [0, 0, 3, 0, 9], [1, 1, 2, 1, 1])
    assert caught.value.rows == (2, 4) and caught.value.reason == "lower_above_upper"
    with pytest.raises(ValidationError, match=r"col_lower > col_upper at columns \[0\]"):
        solve_lp([1.0, 1.0], np.ones((1, 2)), 0, 1, [2.0, 0.0], [1.0, 1.0])


@pytest.mark.parametrize("kwargs, message", [
    ({"A": np.ones((2, 3))}, r"A has shape \(2, 3\) but c has 2"),
    ({"row_lower": [0.0, 0.0, 0.0]}, r"row_lower has shape \(3,\), expected \(2,\)"),
    ({"col_upper": [1.0]}, r"col_upper has shape \(1,\), expected \(2,\)"),
    ({"integrality": [1, 0, 1]}, r"integrality has shape \(3,\), expected \(2,\)"),
    ({"integrality": [2, 0]}, r"integrality must be 0/1"),
    ({"sense": "maximise"}, r"sense must be 'min' or 'max'"),
    ({"c": [[1.0, 1.0]]}, r"c must be 1-D"),
])
def test_shape_and_value_errors(kwargs, message):
    arguments = {"c": [1.0, 1.0], "A": np.ones((2, 2)), "row_lower": 0.0, "row_upper": 5.0}
    arguments.update(kwargs)
    with pytest.raises(ValidationError, match=message):
        solve_lp(**arguments)


def test_unknown_or_invalid_options_are_named():
    with pytest.raises(ValueError, match=r"unknown HiGHS option 'no_such_option'"):
        solve_small(options={"no_such_option": 1})
    with pytest.raises(ValueError, match=r"invalid value -1.0 for HiGHS option 'mip_feasibility_tolerance'"):
        solve_small(options={"mip_feasibility_tolerance": -1.0})
    with pytest.raises(ValueError, match=r"threads="):
        solve_small(options={"threads": 2})
    with pytest.raises(ValueError, match=r"time_limit"):
        solve_small(options={"time_limit": 5.0})


def test_valid_raw_option_is_applied():
    # a known option changes the run: with presolve off HiGHS needs simplex iterations
    assert solve_small(options={"presolve": "off", "simplex_strategy": 1}).iterations > 0


@pytest.mark.parametrize("kwargs", [{"time_limit": 0.0}, {"time_limit": -1}, {"mip_gap": -0.1},
                                    {"threads": 0}, {"threads": True}, {"warm_start": [1.0, 2.0]},
                                    {"warm_start": [np.nan, 0.0, 0.0]}])
def test_invalid_solve_keywords(kwargs):
    with pytest.raises(ValidationError):
        solve_small(**kwargs)


# ---------------------------------------------------------------- output and threads
def test_silent_unless_verbose(capfd):
    solve_small()
    weights, values, capacity = knapsack(n_items=12, n_constraints=2, seed=3)
    solve_knapsack(weights, values, capacity)
    # error paths too: HiGHS logs these when output is on
    with pytest.raises(InfeasibleError):
        solve_lp([1.0], [[1.0]], -np.inf, -1.0)
    with pytest.raises(ValueError):
        solve_small(options={"no_such_option": 1})
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    solve_small(verbose=True)  # proves the capture sees HiGHS output when it is allowed
    assert "HiGHS" in capfd.readouterr().out


def test_threads_setting_can_change_between_solves(restore_threads):
    weights, values, capacity = knapsack(n_items=20, n_constraints=3, seed=11)
    set_threads(2)
    assert get_threads() == 2
    first = solve_knapsack(weights, values, capacity)
    # raw HiGHS fails here (kError: scheduler already sized); the bridge resets it first
    set_threads(1)
    second = solve_knapsack(weights, values, capacity)
    third = solve_knapsack(weights, values, capacity, threads=3)  # per-call override
    fourth = solve_knapsack(weights, values, capacity)
    assert get_threads() == 1
    assert all(s.is_optimal for s in (first, second, third, fourth))
    assert len({round(s.objective, 6) for s in (first, second, third, fourth)}) == 1
    set_threads(None)
    assert get_threads() is None and solve_small().is_optimal
    with pytest.raises(ValueError, match="positive integer"):
        set_threads(0)


def test_threads_differ_across_python_threads(restore_threads):
    weights, values, capacity = knapsack(n_items=20, n_constraints=3, seed=11)
    expected = solve_knapsack(weights, values, capacity).objective
    results, errors = {}, []

    def worker(threads):
        try:
            for _ in range(3):
                results.setdefault(threads, []).append(
                    solve_knapsack(weights, values, capacity, threads=threads).objective)
        except Exception as error:  # surfaced below
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    assert [round(v, 6) for values_ in results.values() for v in values_] == [round(expected, 6)] * 6


def test_solution_fields_are_typed():
    solution = solve_small()
    assert isinstance(solution, LpSolution)
    assert isinstance(solution.objective, float) and isinstance(solution.iterations, int)
    assert solution.x.dtype == np.float64 and solution.row_activity.shape == (3,)


# ---------------------------------------------------------------- property-based
@st.composite
def bounded_lps(draw):
    """Box-bounded LP whose rows are built around a known feasible point."""
    n = draw(st.integers(1, 6))
    m = draw(st.integers(0, 5))
    ints = lambda size, lo, hi: np.array(draw(st.lists(st.integers(lo, hi), min_size=size, max_size=size)), dtype=float)
    col_lower = ints(n, -5, 0)
    col_upper = col_lower + ints(n, 0, 6)
    point = col_lower + (col_upper - col_lower) * ints(n, 0, 4) / 4
    A = ints(m * n, -4, 4).reshape(m, n)
    activity = A @ point
    row_lower = activity - ints(m, 0, 3)
    row_upper = activity + ints(m, 0, 3)
    one_sided = np.array(draw(st.lists(st.sampled_from(["both", "upper", "lower"]), min_size=m, max_size=m)))
    row_lower[one_sided == "upper"] = -np.inf
    row_upper[one_sided == "lower"] = np.inf
    c = ints(n, -9, 9)
    sense = draw(st.sampled_from(["min", "max"]))
    return c, A, row_lower, row_upper, col_lower, col_upper, sense


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(bounded_lps())
def test_random_bounded_lps_agree_with_linprog(model):
    c, A, row_lower, row_upper, col_lower, col_upper, sense = model
    solution = solve_lp(c, sp.csr_array(A), row_lower, row_upper, col_lower, col_upper, sense=sense)
    expected, _ = linprog_reference(c, A, row_lower, row_upper, col_lower, col_upper, sense=sense)
    assert solution.is_optimal
    assert abs(solution.objective - expected) <= 1e-6 * max(1.0, abs(expected))
    assert_primal_feasible(solution, A, row_lower, row_upper, col_lower, col_upper)


def test_live_model_matches_fresh_solves():
    # A cutting-plane loop: rows added and bounds changed in place give the answers a new
    # model would give.
    rng = np.random.default_rng(5)
    n = 6
    c = rng.uniform(-1, 1, n)
    base = LinearProgram(c, np.ones((1, n)), [1.0], [1.0], 0.0, 1.0)
    from shareopt.lp import LiveModel

    live = LiveModel(base)
    rows, lower, upper = [np.ones(n)], [1.0], [1.0]
    for _ in range(5):
        cut = rng.uniform(-1, 1, n)
        rows.append(cut)
        lower.append(-np.inf)
        upper.append(float(cut.mean() + rng.uniform(0.5, 1.0)))  # x = 1/n (and 0.5/n) stays feasible
        live.add_rows([-np.inf], [upper[-1]], sp.csr_array(cut[None, :]))
        fresh = LinearProgram(c, np.array(rows), lower, upper, 0.0, 1.0).solve()
        assert live.solve().objective == pytest.approx(fresh.objective, abs=1e-9)
    live.set_row_bounds([0], [0.5], [0.5])
    fresh = LinearProgram(c, np.array(rows), [0.5, *lower[1:]], [0.5, *upper[1:]], 0.0, 1.0).solve()
    assert live.solve().objective == pytest.approx(fresh.objective, abs=1e-9)
    assert live.n_rows == len(rows)
    with pytest.raises(ValidationError, match="columns"):
        live.add_rows([0.0], [1.0], sp.csr_array(np.ones((1, n + 1))))


def test_live_model_retries_from_scratch_after_a_failed_run():
    # HiGHS can fail from a kept basis after many added rows; the model then solves once
    # more from scratch instead of raising (and raises when that fails too).
    from shareopt.lp import LiveModel

    class Flaky:
        def __init__(self, inner, failures):
            self.inner, self.failures, self.cleared = inner, failures, 0

        def run(self):
            if self.failures > 0:
                self.failures -= 1
                return highspy.HighsStatus.kError
            return self.inner.run()

        def clearSolver(self):
            self.cleared += 1
            return self.inner.clearSolver()

        def __getattr__(self, name):
            return getattr(self.inner, name)

    program = LinearProgram(np.array([1.0, 2.0]), sp.csc_array(np.array([[1.0, 1.0]])), [1.0], [np.inf],
                            0.0, np.inf)
    model = LiveModel(program)
    model._highs = flaky = Flaky(model._highs, failures=1)
    assert model.solve().objective == pytest.approx(1.0) and flaky.cleared == 1
    model._highs = Flaky(flaky.inner, failures=2)
    with pytest.raises(SolverError, match="kError"):
        model.solve()

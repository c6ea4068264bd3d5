"""Charging ports per station under a budget: a multiple-choice knapsack.

``weighted[s, k]`` is the weighted count of failed reservations at station s when k ports are
added (k = 0..max_added[s]). Choose one k_s per station to minimise ``sum_s weighted[s, k_s]``
subject to ``sum_s cost[s] * k_s <= budget``.

Convex curves with equal costs: the greedy marginal rule is exact. Otherwise one budget is a
MIP (HiGHS, :mod:`shareopt.lp`) and the whole frontier an exact DP over integer budget units.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from .exceptions import SolverError, ValidationError
from .lp import LinearProgram, LpSolution, read_only

__all__ = ["Allocation", "Frontier", "allocate", "curve_case", "frontier", "nonconvex_stations"]

_TOL = 1e-9  # relative: convexity test, equal costs, budget slack, cost units
_NAMED = 5  # offending stations quoted in a message
_DP_CELLS = 5e7  # most (budget units + 1) * (K + 1) the DP accepts ...
_DP_CHOICE_BYTES = 1 << 30  # ... and most bytes of per-station choices it keeps
_UNIT_SCALE = 1e6  # costs are read as integer multiples of 1e-6 (or of 1e-6 * min cost)
_EXACT_GAP = 1e-6  # a MIP counts as exact when HiGHS closed the gap to this (rel. or abs.)


# ---------------------------------------------------------------- validation
def _rows(indices: NDArray[np.intp]) -> str:
    shown = ", ".join(str(int(i)) for i in indices[:_NAMED])
    return f"stations [{shown}{', ...' if len(indices) > _NAMED else ''}]"


def _check(weighted: ArrayLike, max_added: ArrayLike, cost: ArrayLike | None = None,
           method: str = "auto", methods: tuple[str, ...] = ("auto",)):
    """Curves with ignored entries (k > max_added) set to 0, max_added, costs and the case."""
    if method not in methods:
        raise ValidationError(f"method must be one of {methods}, got {method!r}",
                              reason="invalid_method")
    arrays = (weighted, max_added, [] if cost is None else cost)
    try:
        g, raw, c = (np.array(a, dtype=float) for a in arrays)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"weighted, cost and max_added must be numeric: {error}",
                              reason="not_numeric") from error
    if g.ndim != 2 or g.shape[1] < 1:
        raise ValidationError(f"weighted must be 2-D (stations, K + 1), got shape {g.shape}",
                              reason="shape_mismatch")
    for name, array in (("max_added", raw), ("cost", raw if cost is None else c)):
        if array.shape != (g.shape[0],):
            raise ValidationError(f"{name} has shape {array.shape}, expected ({g.shape[0]},): "
                                  f"one entry per row of weighted", reason="shape_mismatch")
    K = g.shape[1] - 1
    valid = np.arange(K + 1) <= raw[:, None]
    for bad, message, reason in (
            ((raw != np.round(raw)) | (np.asarray(max_added).dtype == bool),
             "max_added is not an integer", "not_integer"),
            ((raw < 0) | (raw > K), f"max_added is outside 0..{K} (K + 1 columns in weighted)",
             "max_added_out_of_range"),
            ((valid & ~np.isfinite(g)).any(axis=1), "weighted has NaN or inf for k <= max_added",
             "not_finite"),
            (~(np.isfinite(c) & (c > 0)), "cost is not finite and > 0", "invalid_cost")):
        if bad.any():
            indices = np.flatnonzero(bad)
            raise ValidationError(f"{message} at {_rows(indices)}", reason=reason, rows=indices)
    g[~valid] = 0.0  # ignored entries may be NaN: keep the arithmetic below clean
    top = raw.astype(np.int64)
    case = ("nonconvex" if _nonconvex(g, top).size else
            "convex_equal_cost" if _equal_cost(c) else "unequal_cost")
    return g, top, c, case


def _check_budget(budget: float, name: str = "budget") -> float:
    try:
        value = math.nan if isinstance(budget, str) else float(budget)
    except (TypeError, ValueError):
        value = math.nan
    if not value >= 0:  # NaN too
        raise ValidationError(f"{name} must be a number >= 0, got {budget!r}",
                              reason="invalid_budget")
    return value


def _nonconvex(g: NDArray[np.float64], top: NDArray[np.int64]) -> NDArray[np.intp]:
    decrease = g[:, :-1] - g[:, 1:]  # decrease[s, k] = g[s, k] - g[s, k + 1]
    rise = decrease[:, 1:] - decrease[:, :-1]  # > 0: a later port helps more than an earlier one
    checked = np.arange(rise.shape[1]) <= (top - 2)[:, None]  # both marginals valid
    scale = np.abs(g).max(axis=1, initial=0.0)  # ignored entries are 0 here
    return np.flatnonzero((checked & (rise > _TOL * scale[:, None])).any(axis=1))


def _equal_cost(c: NDArray[np.float64]) -> bool:
    return c.size == 0 or bool(c.max() - c.min() <= _TOL * c.max())


def curve_case(weighted: ArrayLike, cost: ArrayLike, max_added: ArrayLike) -> str:
    """Which solution method is exact for these curves and costs.

    Parameters
    ----------
    weighted : array_like, shape (n, K + 1)
        Weighted failures of station s with k ports added; k > max_added[s] ignored (or NaN).
    cost : array_like, shape (n,)
        Cost of one port at each station (finite, > 0).
    max_added : array_like of int, shape (n,)
        Most ports that may be added at each station (0..K).

    Returns
    -------
    str
        ``"convex_equal_cost"`` (marginal decreases ``g[k] - g[k + 1]`` non-increasing in k,
        to ``1e-9 * max|g[s]|``, and equal costs: greedy is exact), ``"nonconvex"`` (see
        :func:`nonconvex_stations`) or ``"unequal_cost"`` (convex, costs differ).

    Raises
    ------
    ValidationError
        Invalid shapes, costs, max_added, or NaN in the valid part of a curve.
    """
    return _check(weighted, max_added, cost)[3]


def nonconvex_stations(weighted: ArrayLike, max_added: ArrayLike) -> NDArray[np.intp]:
    """Sorted indices of the stations whose curve is not convex (see :func:`curve_case`)."""
    return _nonconvex(*_check(weighted, max_added)[:2])


# ---------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class Allocation:
    """Ports added per station for one budget (see :func:`allocate`).

    Attributes
    ----------
    added : ndarray of int64, shape (n,)
        Ports added at each station (read-only).
    cost, objective, baseline : float
        ``sum(cost * added)``, ``sum_s weighted[s, added[s]]`` and ``sum_s weighted[s, 0]``.
    method, case, status : str
        ``"greedy"``/``"mip"``; :func:`curve_case`; HiGHS status (greedy: Optimal/Heuristic).
    exact : bool
        Proved optimal: greedy on ``"convex_equal_cost"``, or a MIP gap closed to 1e-6.
    mip_gap, dual_bound, time_s : float
        HiGHS gap and bound (inf, -inf: unknown); wall time of the call.
    """

    added: NDArray[np.int64]
    cost: float
    objective: float
    baseline: float
    method: str
    case: str
    exact: bool
    mip_gap: float
    dual_bound: float
    status: str
    time_s: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (``added`` as a list; non-finite numbers become None)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update({name: out[name] if math.isfinite(out[name]) else None
                    for name in ("mip_gap", "dual_bound")}, added=self.added.tolist())
        return out


@dataclass(frozen=True, eq=False)
class Frontier:
    """Least weighted failures against budget, as step-function data (see :func:`frontier`).

    Attributes
    ----------
    budget, objective, proven : ndarray, shape (m,)
        Budgets where the (non-increasing) objective changes, from 0; its value; proved optimal.
    method, case : str
        ``"greedy"``, ``"dp"`` or ``"mip"``; :func:`curve_case` of the input.
    exact : bool
        :meth:`objective_at` is optimal for every budget up to ``max_budget`` (greedy on
        ``"convex_equal_cost"``, dp; never mip, which solves a grid of budgets).
    baseline, max_budget : float
        Objective with no port added; the largest budget covered.
    """

    budget: NDArray[np.float64]
    objective: NDArray[np.float64]
    proven: NDArray[np.bool_]
    method: str
    exact: bool
    case: str
    baseline: float
    max_budget: float
    _allocator: Callable[[float], NDArray[np.int64]] = field(repr=False)
    _slack: float = field(default=0.0, repr=False)  # budget rounding slack

    def objective_at(self, budget: float) -> float:
        """Frontier value at ``budget`` (budgets above ``max_budget`` count as it)."""
        b = min(_check_budget(budget), self.max_budget)
        return float(self.objective[np.searchsorted(self.budget, b + self._slack, "right") - 1])

    def allocation_at(self, budget: float) -> NDArray[np.int64]:
        """Ports added per station at ``budget`` (for mip: the best grid point below it)."""
        return self._allocator(min(_check_budget(budget), self.max_budget))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict with the arrays as lists."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name[0] != "_"}
        return {**out, **{name: out[name].tolist() for name in ("budget", "objective", "proven")}}

    def plot(self, ax=None):
        """Step plot of the objective against the budget on ``ax``; returns the Axes."""
        from .plot import _pyplot  # lazy: matplotlib is an optional extra

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        right = max(self.max_budget, float(self.budget[-1]))  # draw the last step to the end
        ax.step(np.append(self.budget, right), np.append(self.objective, self.objective[-1]),
                where="post")
        ax.set(xlabel="budget", ylabel="weighted failed reservations",
               title=f"{self.method} frontier ({'exact' if self.exact else 'not proved exact'})")
        return ax


# ---------------------------------------------------------------- one budget
def _greedy_order(g: NDArray[np.float64], top: NDArray[np.int64], c: NDArray[np.float64]):
    """Station, decrease and cumulative cost of each port, in the greedy rule's order."""
    decrease = g[:, :-1] - g[:, 1:]
    valid = np.arange(decrease.shape[1]) < top[:, None]
    # Decrease per unit cost, made non-increasing along k so a station's ports come in order
    # k = 0, 1, ...; for convex curves this changes nothing (beyond the tolerance).
    key = np.minimum.accumulate(np.where(valid, decrease / c[:, None], -np.inf), axis=1)
    s, k = np.nonzero(key > 0)  # a non-positive decrease never lowers the objective
    order = np.lexsort((s, k, -key[s, k]))  # ties: lower k, then lower station
    s, k = s[order], k[order]
    # equal costs: exact multiples, as a cumulative sum would drift
    spent = c.max(initial=0.0) * np.arange(1, s.size + 1) if _equal_cost(c) else np.cumsum(c[s])
    return s, decrease[s, k], spent


def _prefix(s, spent, budget: float, n: int, slack: float) -> NDArray[np.int64]:
    """Allocation of the longest prefix of the greedy order that fits the budget."""
    count = int(np.searchsorted(spent, budget + slack, side="right"))
    return np.bincount(s[:count], minlength=n).astype(np.int64)


def _solve_mip(g, top, c, budget: float, slack: float, start: NDArray[np.int64],
               time_limit, mip_gap) -> tuple[NDArray[np.int64], LpSolution]:
    """Binary y[s, k] per valid (s, k); a row sum_k y = 1 per station; one budget row."""
    n = g.shape[0]
    s = np.repeat(np.arange(n), top + 1)
    k = np.arange(s.size) - np.repeat(np.cumsum(top + 1) - (top + 1), top + 1)
    A = sp.csc_array((np.concatenate([np.ones(s.size), c[s] * k]),
                      (np.concatenate([s, np.full(s.size, n)]), np.tile(np.arange(s.size), 2))),
                     shape=(n + 1, s.size))
    model = LinearProgram(g[s, k], A, np.append(np.ones(n), -np.inf),
                          np.append(np.ones(n), budget + slack), 0.0, 1.0,
                          integrality=np.ones(s.size, dtype=np.int32), sense="min")
    # The greedy allocation as incumbent: a time limit always leaves a feasible answer.
    solution = model.solve(time_limit=time_limit, mip_gap=0.0 if mip_gap is None else mip_gap,
                           warm_start=(k == start[s]).astype(np.float64) if n else None)
    y = np.round(solution.x)
    bad = np.flatnonzero(np.bincount(s, weights=y, minlength=n) != 1)
    if bad.size or np.abs(solution.x - y).max(initial=0.0) > 1e-6:
        raise SolverError(f"HiGHS gave a fractional or not one k at {_rows(bad)}", solution.status)
    return np.bincount(s, weights=y * k, minlength=n).astype(np.int64), solution


def _allocate(g, top, c, case, budget, use, time_limit, mip_gap, start_time) -> Allocation:
    slack = _TOL * c.max(initial=0.0)
    s, _, spent = _greedy_order(g, top, c)
    added = _prefix(s, spent, budget, g.shape[0], slack)
    if use == "mip":
        added, solution = _solve_mip(g, top, c, budget, slack, added, time_limit, mip_gap)
    objective = float(g[np.arange(g.shape[0]), added].sum())
    if use == "mip":
        gap, bound, status = solution.mip_gap, solution.dual_bound, solution.status
        exact = solution.is_optimal and (gap <= _EXACT_GAP or objective - bound <= _EXACT_GAP)
    else:
        exact = case == "convex_equal_cost"
        gap, bound = (0.0, objective) if exact else (math.inf, -math.inf)
        status = "Optimal" if exact else "Heuristic"
    return Allocation(read_only(added, np.int64), float(c @ added), objective,
                      float(g[:, 0].sum()), use, case, bool(exact), float(gap), float(bound),
                      status, time.perf_counter() - start_time)


def allocate(weighted: ArrayLike, cost: ArrayLike, max_added: ArrayLike, budget: float, *,
             method: str = "auto", time_limit: float | None = None,
             mip_gap: float | None = None) -> Allocation:
    """Ports to add per station to minimise weighted failures within a budget.

    Parameters
    ----------
    weighted, cost, max_added
        As in :func:`curve_case`.
    budget : float
        ``sum(cost * added) <= budget + 1e-9 * max(cost)`` (>= 0; inf: no limit).
    method : {"auto", "greedy", "mip"}
        ``"greedy"``: the marginal rule (exact on ``"convex_equal_cost"``; elsewhere ports by
        decrease per cost, in k order, while they fit). ``"auto"``: greedy if exact, else mip.
    time_limit, mip_gap : float, optional
        For HiGHS (gap default 0); on the time limit the best allocation found comes back.

    Returns
    -------
    Allocation

    Raises
    ------
    ValidationError
        Invalid input (a ``ValueError``) naming the first offending stations.
    """
    start_time = time.perf_counter()
    g, top, c, case = _check(weighted, max_added, cost, method, ("auto", "greedy", "mip"))
    b = _check_budget(budget)
    use = ("greedy" if case == "convex_equal_cost" else "mip") if method == "auto" else method
    return _allocate(g, top, c, case, b, use, time_limit, mip_gap, start_time)


# ---------------------------------------------------------------- frontier
def _dp_frontier(g, top, c, max_budget: float):
    """best[b]: least objective within b budget units (the largest unit dividing each cost)."""
    for scale in (_UNIT_SCALE, _UNIT_SCALE / (c.min() if c.size else 1.0)):  # then relative
        scaled = np.round(c * scale).clip(0, 2**62).astype(np.int64)  # clipped: fails below
        step = max(int(np.gcd.reduce(scaled, initial=0)), 1)
        w, unit = scaled // step, step / scale
        if np.all(np.abs(w * unit - c) <= _TOL * c):
            break
    else:
        raise ValidationError("costs have no common unit (integer multiples of one amount "
                              "within 1e-9): pass method='mip' and points", reason="no_cost_unit")
    size = math.floor(max_budget / unit + _TOL)
    if (size + 1) * g.shape[1] > _DP_CELLS or g.shape[0] * (size + 1) > _DP_CHOICE_BYTES:
        raise ValidationError(f"the dp would need {size + 1:,} budget units of {unit:g} for "
                              f"{g.shape[0]:,} stations and K + 1 = {g.shape[1]}: too many; "
                              f"pass method='mip' and points", reason="too_large")
    n = g.shape[0]
    choice = np.zeros((n, size + 1), dtype=np.min_scalar_type(-max(int(top.max(initial=0)), 1)))
    best, better = np.zeros(size + 1), np.empty(size + 1, dtype=bool)
    for s in range(n):  # vectorised over the budget axis; loops over stations and k only
        new = best + g[s, 0]
        for k in range(1, min(int(top[s]), size // int(w[s])) + 1):
            shift = k * int(w[s])
            candidate = best[:size + 1 - shift] + g[s, k]
            mask = better[:size + 1 - shift]
            np.less(candidate, new[shift:], out=mask)  # strict: ties keep the smaller k
            np.copyto(new[shift:], candidate, where=mask)
            np.copyto(choice[s, shift:], k, where=mask)
        best = new

    def allocator(b: float) -> NDArray[np.int64]:
        left = min(math.floor(b / unit + _TOL), size)
        added = np.zeros(n, dtype=np.int64)
        for station in range(n - 1, -1, -1):  # undo the DP, last station first
            added[station] = choice[station, left]
            left -= int(added[station]) * int(w[station])
        return added

    return np.arange(size + 1) * unit, best, allocator, _TOL * unit


def frontier(weighted: ArrayLike, cost: ArrayLike, max_added: ArrayLike,
             max_budget: float | None = None, *, method: str = "auto", points: int | None = None,
             time_limit: float | None = None, mip_gap: float | None = None) -> Frontier:
    """Least weighted failures for every budget from 0 to ``max_budget``.

    Parameters
    ----------
    weighted, cost, max_added
        As in :func:`curve_case`.
    max_budget : float, optional
        Largest budget (default ``sum(cost * max_added)``).
    method : {"auto", "greedy", "dp", "mip"}
        ``"greedy"`` (exact on ``"convex_equal_cost"``); ``"dp"``: exact, over budget units
        (the largest unit dividing every cost); ``"mip"``: :func:`allocate` at ``points``
        evenly spaced budgets (default 21). ``"auto"``: greedy when exact, else dp.
    points, time_limit, mip_gap : optional
        For mip only: the number of budgets (default 21) and each solve's HiGHS settings.

    Returns
    -------
    Frontier

    Raises
    ------
    ValidationError
        Invalid input; for dp also costs with no common unit or too many budget units.
    """
    g, top, c, case = _check(weighted, max_added, cost, method, ("auto", "greedy", "dp", "mip"))
    top_budget = float(c @ top) if max_budget is None else _check_budget(max_budget, "max_budget")
    use = ("greedy" if case == "convex_equal_cost" else "dp") if method == "auto" else method
    if points is not None and use != "mip":
        raise ValidationError("points applies to method='mip' only", reason="invalid_points")
    if use != "greedy" and not math.isfinite(top_budget):
        raise ValidationError(f"max_budget must be finite for {use}", reason="invalid_budget")
    n, slack = g.shape[0], _TOL * c.max(initial=0.0)
    exact = use == "dp" or (use == "greedy" and case == "convex_equal_cost")

    if use == "greedy":
        s, decrease, spent = _greedy_order(g, top, c)
        fits = int(np.searchsorted(spent, top_budget + slack, side="right"))
        budgets = np.concatenate([[0.0], spent[:fits]])
        values = g[:, 0].sum() - np.concatenate([[0.0], np.cumsum(decrease[:fits])])
        proven = np.full(budgets.size, exact)

        def allocator(b: float) -> NDArray[np.int64]:
            return _prefix(s, spent, b, n, slack)

    elif use == "dp":
        budgets, values, allocator, slack = _dp_frontier(g, top, c, top_budget)
        proven = np.ones(budgets.size, dtype=bool)
    else:
        count = 21 if points is None else int(points)
        if count < 2:
            raise ValidationError(f"points must be >= 2, got {points!r}", reason="invalid_points")
        budgets = np.linspace(0.0, top_budget, count)
        solved = [_allocate(g, top, c, case, b, "mip", time_limit, mip_gap, time.perf_counter())
                  for b in budgets]
        found = np.array([a.objective for a in solved])
        values = np.minimum.accumulate(found)  # a smaller budget's allocation still fits
        proven = np.array([a.exact for a in solved])
        which = np.maximum.accumulate(np.where(found <= values, np.arange(found.size), 0))

        def allocator(b: float) -> NDArray[np.int64]:
            at = int(np.searchsorted(budgets, b + slack, side="right")) - 1
            return np.array(solved[which[at]].added)

    steps = np.concatenate([[0], np.flatnonzero(values[1:] < values[:-1]) + 1])  # changes only
    return Frontier(budget=read_only(budgets[steps], np.float64),
                    objective=read_only(values[steps], np.float64),
                    proven=read_only(proven[steps], bool), method=use, exact=exact, case=case,
                    baseline=float(g[:, 0].sum()), max_budget=top_budget, _allocator=allocator,
                    _slack=slack)

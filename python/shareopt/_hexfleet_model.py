"""The fleet-distribution model: one time-expanded network per scenario, and the SAA over them.

Nodes are (cell c, period t) for t = 0..T, number c * (T + 1) + t, plus a sink. A free car in
c at the start of period t either waits to t + 1 or serves a trip of an OD entry k (at most
the scenario's count of that entry) and is free again at its destination in period
``od_arrive[k]`` (the end of the cycle when that is T or later). Every car present in a cell
at the start of a period pays that cell's maintenance. Optionally a free car may move to a
neighbouring cell for the next period at a relocation cost. Without the cyclic condition the
cars end anywhere (arcs to the sink); with it, each cell ends with the cars it started with.

Money is in whole cents here, so the network simplex is exact and its potentials give exact
Benders cuts: d(profit)/d(cars in c at the start) is pi(c, 0) (minus pi(c, T) when cyclic).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .exceptions import TimeLimitError
from .flow import NetworkFlow
from .lp import LinearProgram, LiveModel

__all__ = [
    "BendersResult",
    "SaaSolution",
    "TimeNetwork",
    "build_network",
    "solve_recourse",
    "solve_recourses",
    "solve_saa_benders",
    "solve_saa_highs",
    "whole_cars",
]

_CENTS = 100.0
_LEVEL = 0.3  # the level method's step: a share of the gap between best plan and bound
_GRID = 1024  # fractional start cars are evaluated on the grid 1/_GRID (exact, see solve_recourse)


@dataclass(frozen=True)
class TimeNetwork:
    """The arcs every scenario shares, and the trip arcs whose capacity the scenario sets."""

    n_cells: int
    periods: int
    cyclic: bool
    fixed_tail: np.ndarray   # waits, relocations, ends (no capacity)
    fixed_head: np.ndarray
    fixed_cost: np.ndarray   # cents
    trip_tail: np.ndarray    # one per OD entry
    trip_head: np.ndarray
    trip_cost: np.ndarray    # cents: maintenance where it leaves - the trip's gain
    tree_parent: np.ndarray  # every car waits: each node's wait (or end) arc, a start tree

    @property
    def n_nodes(self) -> int:
        return self.n_cells * (self.periods + 1) + 1

    @property
    def sink(self) -> int:
        return self.n_cells * (self.periods + 1)

    def trip_gain(self) -> np.ndarray:
        """Money a trip of each entry earns net of its origin's upkeep."""
        return -self.trip_cost / _CENTS

    def start_nodes(self) -> np.ndarray:
        return np.arange(self.n_cells) * (self.periods + 1)

    def end_nodes(self) -> np.ndarray:
        return self.start_nodes() + self.periods

    def supplies(self, cars: np.ndarray) -> np.ndarray:
        supply = np.zeros(self.n_nodes, dtype=np.int64)
        supply[self.start_nodes()] = cars
        if self.cyclic:
            supply[self.end_nodes()] -= cars
        else:
            supply[self.sink] = -int(cars.sum())
        return supply

    def arcs(self, counts: np.ndarray):
        """(tail, head, upper, cost, trip entry or -1) for one scenario's trip counts."""
        used = np.flatnonzero(counts > 0)
        tail = np.concatenate([self.fixed_tail, self.trip_tail[used]])
        head = np.concatenate([self.fixed_head, self.trip_head[used]])
        upper = np.concatenate([np.full(self.fixed_tail.size, np.inf), counts[used].astype(np.float64)])
        cost = np.concatenate([self.fixed_cost, self.trip_cost[used]])
        entry = np.concatenate([np.full(self.fixed_tail.size, -1), used])
        return tail, head, upper, cost, entry


def build_network(od_origin, od_period, od_dest, od_arrive, od_gain, maintenance, periods: int,
                  *, cyclic: bool = False, neighbours=None, relocation_cost=None) -> TimeNetwork:
    """The time-expanded network (see the module docstring); money rounded to cents."""
    C, T = maintenance.size, int(periods)
    upkeep = np.rint(np.asarray(maintenance) * _CENTS).astype(np.int64)
    node = np.arange(C)[:, None] * (T + 1) + np.arange(T + 1)[None, :]
    tails = [node[:, :-1].ravel()]
    heads = [node[:, 1:].ravel()]
    costs = [np.repeat(upkeep, T)]
    if neighbours is not None and relocation_cost is not None:
        a, b = neighbours  # cell pairs, one hex step apart
        move = round(float(relocation_cost) * _CENTS)
        for t in range(T):
            tails.append(node[a, t])
            heads.append(node[b, t + 1])
            costs.append(upkeep[a] + move)
    if not cyclic:
        sink = C * (T + 1)
        tails.append(node[:, T])
        heads.append(np.full(C, sink))
        costs.append(np.zeros(C, dtype=np.int64))
    arrive = np.minimum(np.asarray(od_arrive, dtype=np.int64), T)
    trip_cost = upkeep[od_origin] - np.rint(np.asarray(od_gain) * _CENTS).astype(np.int64)
    # "Every car waits where it starts" is a strongly feasible spanning tree (flows run
    # forward along each cell's chain to the sink, or to the chain's end when cyclic): a
    # start far closer to the optimum than the artificial one.
    fixed_tail = np.concatenate(tails)
    parent = np.full(C * (T + 1) + 1, -1, dtype=np.int64)
    parent[node[:, :-1].ravel()] = np.arange(C * T)  # the wait arcs come first, in node order
    if not cyclic:
        parent[node[:, T]] = fixed_tail.size - C + np.arange(C)  # the end arcs come last
    return TimeNetwork(C, T, bool(cyclic), fixed_tail, np.concatenate(heads), np.concatenate(costs),
                       node[od_origin, od_period], node[od_dest, arrive], trip_cost, parent)


@dataclass
class Recourse:
    """One scenario with given start cars: profit, its gradient, what was served."""

    profit: float            # money (not cents)
    gradient: np.ndarray     # d profit / d cars in each cell at the start, money per car
    served: np.ndarray       # trips served per OD entry
    free: np.ndarray | None  # (T + 1, C) free cars at the start of each period (after arrivals)
    basis: tuple             # the optimal basis: restarts the same scenario at other start cars


def solve_recourse(net: TimeNetwork, cars: np.ndarray, counts: np.ndarray, *, with_free: bool = False,
                   scale: int = 1, basis: tuple | None = None) -> Recourse:
    """Best operation of one scenario (network simplex, exact in cents).

    ``scale`` > 1 evaluates fractional start cars exactly on the grid 1/scale: a flow LP with
    supplies and capacities times k has k times the value (and the same potentials), so the
    integer network simplex solves the relaxation's points too. ``basis``: the
    :attr:`Recourse.basis` of this scenario at other start cars (any scale); the simplex
    restarts from it (on the NYC day: 30,000 pivots from "every car waits", a few hundred
    from the last Benders point).
    """
    tail, head, upper, cost, entry = net.arcs(counts)
    units = np.rint(np.asarray(cars, dtype=np.float64) * scale).astype(np.int64)
    flow = NetworkFlow(net.n_nodes, net.supplies(units))
    flow.add_arcs(tail, head, cost, upper=upper * scale)
    if basis is None or not flow.start_from_tree(*basis, repair=True):
        flow.start_from_tree(net.tree_parent)  # when refused, the artificial start is used
    flow.solve()
    f = flow.flows()
    pi = flow.potentials().astype(np.float64)
    gradient = pi[net.start_nodes()] - (pi[net.end_nodes()] if net.cyclic else 0.0)
    served = np.zeros(net.trip_tail.size, dtype=np.float64 if scale > 1 else np.int64)
    trips = entry >= 0
    served[entry[trips]] = f[trips] / scale if scale > 1 else f[trips]
    free = None
    if with_free:
        inflow = np.bincount(head, weights=f, minlength=net.n_nodes) + np.maximum(net.supplies(units), 0)
        free = inflow[:net.sink].reshape(net.n_cells, net.periods + 1).T / scale
    return Recourse(-float(np.dot(f, cost)) / _CENTS / scale, gradient / _CENTS, served, free, flow.basis())


def solve_recourses(net: TimeNetwork, cars: np.ndarray, counts: np.ndarray, *, scale: int = 1,
                    threads: int | None = None, bases: list | None = None) -> list[Recourse]:
    """:func:`solve_recourse` for every scenario (rows of ``counts``), in order, on every core:
    the network simplex releases the GIL, so threads run the scenarios side by side.
    ``bases``: one earlier basis per scenario to restart from (None entries: cold)."""
    workers = max(1, min(threads or os.cpu_count() or 1, counts.shape[0]))

    def one(s: int) -> Recourse:
        return solve_recourse(net, cars, counts[s], scale=scale, basis=None if bases is None else bases[s])

    if workers == 1:
        return [one(s) for s in range(counts.shape[0])]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(counts.shape[0])))


def solve_saa_highs(net: TimeNetwork, counts: np.ndarray, fleet: int, *, integer: bool = True,
                    time_limit: float | None = None, mip_gap: float | None = None,
                    relax_first: bool = True) -> SaaSolution:
    """The monolithic SAA: start cars (integer) and every scenario's flows in one HiGHS model.

    Costs go to HiGHS in whole cents, summed over the scenarios (no 1/S weights). ``mip_gap``:
    HiGHS's relative gap for the MIP (None: its default, 1e-4).
    """
    S, C = counts.shape[0], net.n_cells
    money = _CENTS * S  # the objective is the total over scenarios in cents
    blocks, costs, uppers = [], [], []
    for s in range(S):
        tail, head, upper, cost, _ = net.arcs(counts[s])
        m = tail.size
        cols = np.arange(m)
        blocks.append(sp.csc_array((np.r_[np.ones(m), -np.ones(m)], (np.r_[tail, head], np.r_[cols, cols])),
                                   shape=(net.n_nodes, m)))
        costs.append(cost.astype(np.float64))  # whole cents, no 1/S weights: better scaled for HiGHS
        uppers.append(upper)
    # Rows per scenario: out - in - x (start nodes) [+ x (end nodes, cyclic)] = fixed supply.
    pick = sp.csc_array((np.ones(C), (net.start_nodes(), np.arange(C))), shape=(net.n_nodes, C))
    if net.cyclic:
        pick = pick - sp.csc_array((np.ones(C), (net.end_nodes(), np.arange(C))), shape=(net.n_nodes, C))
    fixed = net.supplies(np.zeros(C, dtype=np.int64)).astype(np.float64)
    if not net.cyclic:
        fixed[net.sink] = -float(fleet)
    flows = sp.block_diag(blocks, format="csc")
    A = sp.vstack([sp.hstack([sp.vstack([-pick] * S), flows]),
                   sp.hstack([sp.csc_array(np.ones((1, C))), sp.csc_array((1, flows.shape[1]))])], format="csc")
    rhs = np.r_[np.tile(fixed, S), float(fleet)]
    c = np.r_[np.zeros(C), np.concatenate(costs)]
    upper = np.r_[np.full(C, float(fleet)), np.concatenate(uppers)]
    # The relaxation first: when its start cars are whole (as the network structure makes
    # common) it is the MIP's answer, proven by its own bound, at a fraction of the MIP's time.
    started = time.perf_counter()
    if relax_first or not integer:
        relaxed = LinearProgram(c, A, rhs, rhs, 0.0, upper).solve(time_limit=time_limit)
        x = relaxed.x[:C]
        if not integer or (relaxed.is_optimal and np.abs(x - np.rint(x)).max(initial=0.0) <= 1e-9):
            return SaaSolution(np.rint(x).astype(np.int64) if integer else x, -relaxed.objective / money,
                               -relaxed.dual_bound / money, relaxed.is_optimal, relaxed)
    left = None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - started))
    model = LinearProgram(c, A, rhs, rhs, 0.0, upper, integrality=np.r_[np.ones(C), np.zeros(c.size - C)])
    solution = model.solve(time_limit=left, mip_gap=mip_gap)
    return SaaSolution(np.rint(solution.x[:C]).astype(np.int64), -solution.objective / money,
                       -solution.dual_bound / money, solution.is_optimal, solution)


@dataclass(frozen=True)
class SaaSolution:
    """The monolithic SAA's answer: start cars, their mean profit, HiGHS's bound on it."""

    cars: np.ndarray
    profit: float       # mean over the scenarios, money
    bound: float        # no plan earns more on these scenarios (HiGHS's dual bound)
    proven: bool        # HiGHS reports optimal (the MIP: within its gap)
    solution: object    # the LpSolution, for its statistics


@dataclass
class BendersResult:
    cars: np.ndarray
    lower: float        # mean profit of the best plan found (evaluated exactly)
    upper: float        # the master's bound: no plan earns more on these scenarios
    iterations: int
    cuts: int
    history: list       # (seconds, lower, upper) per iteration
    proven: bool


def solve_saa_benders(net: TimeNetwork, counts: np.ndarray, fleet: int, starts: list[np.ndarray], *,
                      gap: float = 1e-6, time_limit: float | None = None, progress: bool = False) -> BendersResult:
    """Multi-cut Benders: a HiGHS master over the start cars and one bound per scenario; each
    scenario's network flow (our network simplex) gives its cut.

    Each cut theta_s <= Q_s(x_k) + g_s (x - x_k) is exact: Q_s is concave in the start cars
    and g_s comes from the optimal potentials. Phase 1 is the level method (plain cutting
    planes zig-zag): the master LP gives the bound, and the next plan is the one nearest the
    best (L1) whose model value reaches best + 0.3 x (bound - best), rounded to whole cars.
    Phase 2, when rounding stalls, solves the master as a MIP until its bound meets the best
    plan within ``gap`` (relative), or the time limit leaves the gap reported.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    cuts = _Cuts(net, counts, fleet)
    for x in starts:
        cuts.evaluate(np.asarray(x, dtype=np.int64))

    def left():
        return None if time_limit is None else time_limit - (time.perf_counter() - started)

    def record():
        history.append((time.perf_counter() - started, cuts.best, upper))
        bar.update(1)
        bar.set_postfix(best=f"{cuts.best:,.2f}", bound=f"{upper:,.2f}")

    def closed():
        return upper - cuts.best <= gap * max(1.0, abs(cuts.best))

    history: list = []
    upper, iteration, stalls = np.inf, 0, 0
    center, center_value = cuts.best_cars.astype(np.float64), cuts.best
    with tqdm(desc="benders", unit=" it", disable=not progress, leave=False) as bar:
        while stalls < 3 and (left() is None or left() > 0):  # phase 1: the level method, LP
            iteration += 1
            bound = _solve(cuts.live_master(), left())
            if bound is None:
                break  # out of time
            upper = min(upper, -bound.objective)
            if closed():
                record()
                break
            level = center_value + _LEVEL * (upper - center_value)
            solution = _solve(cuts.live_projection(level, center), left())
            if solution is None:
                break
            point = _on_grid(solution.x[:net.n_cells], fleet)
            if not cuts.evaluate(point, scale=_GRID):
                stalls += 1
            elif cuts.last > center_value:  # a serious step: its nearest plan may be the best
                center, center_value, stalls = point, cuts.last, 0
                cuts.evaluate(whole_cars(point, fleet))
            record()
            if upper - center_value <= gap * max(1.0, abs(center_value)):
                break  # the relaxation is solved: what is left is its integrality gap
        while not closed() and (left() is None or left() > 0):  # phase 2: MIP master
            iteration += 1
            solution = _solve(cuts.master(integer=True), left(), cuts.warm_start(), mip_gap=0.1 * gap)
            if solution is None:
                break
            bound = solution.dual_bound if np.isfinite(solution.dual_bound) else solution.objective
            upper = min(upper, -bound)
            x = np.rint(solution.x[:net.n_cells]).astype(np.int64)
            new = cuts.evaluate(x)
            record()
            if not new:
                break  # the master's answer is already evaluated: bound and best meet (up to its gap)
    return BendersResult(cuts.best_cars, cuts.best, upper, iteration, cuts.count, history, bool(closed()))


class _Cuts:
    """The cuts found so far and the best plan evaluated."""

    def __init__(self, net: TimeNetwork, counts: np.ndarray, fleet: int):
        self.net, self.counts, self.fleet = net, counts, fleet
        self.S, self.C = counts.shape[0], net.n_cells
        # Bound on each scenario: every sampled trip served at its gain, no upkeep paid.
        self.cap = counts @ (np.maximum(-net.trip_cost, 0) / _CENTS)
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.rhs: list[float] = []
        self.best, self.best_cars = -np.inf, None
        self.last = -np.inf
        self._live_master: _Live | None = None
        self._live_projection: _Live | None = None
        self.seen: set[bytes] = set()
        self.bases: list | None = None  # each scenario's last optimal basis: the next restart

    @property
    def count(self) -> int:
        return len(self.rhs)

    def evaluate(self, x: np.ndarray, scale: int = 1) -> bool:
        """Add the cuts at x (whole cars, or a point of the grid 1/scale); False when seen.

        Only whole-car points can become the best plan; every point's cuts bound the rest.
        """
        key = np.rint(np.asarray(x, dtype=np.float64) * _GRID).astype(np.int64).tobytes()
        if key in self.seen:
            return False
        self.seen.add(key)
        total = 0.0
        results = solve_recourses(self.net, x, self.counts, scale=scale, bases=self.bases)
        self.bases = [r.basis for r in results]
        for s, r in enumerate(results):
            total += r.profit
            row = len(self.rhs)
            self.rows.append(np.full(self.C + 1, row))
            self.cols.append(np.r_[self.C + s, np.arange(self.C)])
            self.vals.append(np.r_[1.0, -r.gradient])   # theta_s - g.x <= Q - g.x_k
            self.rhs.append(r.profit - float(r.gradient @ x))
        self._sync()
        whole = np.all(np.asarray(x) == np.rint(x))
        if whole and total / self.S > self.best:
            self.best, self.best_cars = total / self.S, np.rint(x).astype(np.int64)
        self.last = total / self.S
        return True

    def master(self, *, integer: bool = False) -> LinearProgram:
        """max mean(theta) s.t. cuts, sum x = fleet, 0 <= x <= fleet."""
        C, S, m = self.C, self.S, len(self.rhs)
        rows, cols, vals = np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.vals)
        A = sp.csc_array((np.r_[vals, np.ones(C)], (np.r_[rows, np.full(C, m)], np.r_[cols, np.arange(C)])),
                         shape=(m + 1, C + S))
        low, high = np.zeros(C), np.full(C, float(self.fleet))
        return LinearProgram(np.r_[np.zeros(C), np.full(S, -1.0 / S)], A, np.r_[np.full(m, -np.inf), self.fleet],
                             np.r_[np.asarray(self.rhs), self.fleet], np.r_[low, np.full(S, -np.inf)],
                             np.r_[high, self.cap], integrality=np.r_[np.ones(C), np.zeros(S)] if integer else None)

    def _cut_rows(self, first: int, n_cols: int) -> sp.csr_array:
        """Cuts first.. as rows over n_cols columns (x, theta, then any others)."""
        rows = np.concatenate(self.rows[first:]) - first
        return sp.csr_array((np.concatenate(self.vals[first:]), (rows, np.concatenate(self.cols[first:]))),
                            shape=(len(self.rhs) - first, n_cols))

    def _sync(self) -> None:
        """New cuts into the live LPs (HiGHS keeps their bases)."""
        for live in (self._live_master, self._live_projection):
            if live is not None and live.cuts < len(self.rhs):
                n = len(self.rhs) - live.cuts
                live.model.add_rows(np.full(n, -np.inf), np.asarray(self.rhs[live.cuts:]),
                                    self._cut_rows(live.cuts, live.model.program.n_cols))
                live.cuts = len(self.rhs)

    def live_master(self) -> LiveModel:
        """The master LP, kept in HiGHS: cuts come as rows, solves start from the last basis."""
        if self._live_master is None:
            self._live_master = _Live(LiveModel(self.master()), len(self.rhs), -1)
        return self._live_master.model

    def live_projection(self, level: float, center: np.ndarray) -> LiveModel:
        """:meth:`projection`, kept in HiGHS; the level and center change row bounds only."""
        if self._live_projection is None:
            # rows: the cuts so far, sum x, the link rows, the level row; later cuts after them
            self._live_projection = _Live(LiveModel(self.projection(level, center)), len(self.rhs), len(self.rhs) + 1)
            return self._live_projection.model
        model = self._live_projection.model
        first = self._live_projection.link_row
        center = np.asarray(center, dtype=np.float64)
        model.set_row_bounds(np.arange(first, first + self.C + 1), np.r_[center, level], np.r_[center, np.inf])
        return model

    def projection(self, level: float, center: np.ndarray) -> LinearProgram:
        """min |x - center|_1 s.t. mean(theta) >= level, cuts, sum x = fleet (an LP)."""
        C, S = self.C, self.S
        model = self.master()
        A = model.A.tocsc()
        m = A.shape[0]
        # columns: x, theta, p, q with x - p + q = best; one row mean(theta) >= level
        link = sp.hstack([sp.eye(C, format="csc"), sp.csc_array((C, S)), -sp.eye(C, format="csc"),
                          sp.eye(C, format="csc")], format="csc")
        level_row = sp.csc_array(np.r_[np.zeros(C), np.full(S, 1.0 / S), np.zeros(2 * C)][None, :])
        A = sp.vstack([sp.hstack([A, sp.csc_array((m, 2 * C))]), link, level_row], format="csc")
        best = np.asarray(center, dtype=np.float64)
        return LinearProgram(np.r_[np.zeros(C + S), np.ones(2 * C)], A,
                             np.r_[model.row_lower, best, level], np.r_[model.row_upper, best, np.inf],
                             np.r_[model.col_lower, np.zeros(2 * C)], np.r_[model.col_upper, np.full(2 * C, np.inf)])

    def warm_start(self) -> np.ndarray:
        """The best plan with the largest theta its cuts allow: a feasible MIP start."""
        x, C = self.best_cars, self.C
        rows, cols, vals = np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.vals)
        is_theta = cols >= C
        gx = np.zeros(len(self.rhs))
        np.add.at(gx, rows[~is_theta], vals[~is_theta] * x[cols[~is_theta]])
        theta = self.cap.astype(np.float64).copy()
        np.minimum.at(theta, cols[is_theta] - C, np.asarray(self.rhs)[rows[is_theta]] - gx[rows[is_theta]])
        return np.r_[x, theta]


@dataclass
class _Live:
    model: LiveModel
    cuts: int       # cuts it holds as rows
    link_row: int   # the projection's first link row (x - p + q = center; then the level row)


def _solve(model, seconds: float | None, warm_start=None, mip_gap: float | None = None):
    """HiGHS within the time left; None when it ran out before any answer."""
    if seconds is not None and seconds <= 0:
        return None
    try:
        if isinstance(model, LiveModel):
            return model.solve(time_limit=seconds)
        return model.solve(time_limit=seconds, warm_start=warm_start, mip_gap=mip_gap)
    except TimeLimitError:
        return None


def _on_grid(x: np.ndarray, fleet: int) -> np.ndarray:
    """x on the grid 1/_GRID, summing to fleet exactly."""
    units = whole_cars(np.asarray(x, dtype=np.float64) * _GRID, fleet * _GRID)
    return units / _GRID


def whole_cars(x: np.ndarray, fleet: int) -> np.ndarray:
    """Whole cars summing to fleet, nearest to x (largest remainders; ties: lower cell)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
    floor = np.floor(x + 1e-9).astype(np.int64)
    extra = int(fleet - floor.sum())
    if extra > 0:
        order = np.lexsort((np.arange(x.size), -(x - floor)))
        floor[order[:extra]] += 1
    elif extra < 0:
        order = np.lexsort((np.arange(x.size), x - floor))
        for i in order:
            if extra == 0:
                break
            take = min(int(floor[i]), -extra)
            floor[i] -= take
            extra += take
    return floor

"""Scooter relays as a HiGHS MIP built from arrays: who stands where, the model, its paths.

The network it is built on (usable arcs, least times, the arcs each commute keeps) comes from
:func:`shareopt._kernels_relay.build_network`.

Columns, in this order:

cover (integer)
    Who stands where: :class:`LevelCoverage` (binary "location a reaches level j") when
    scooters have no current location and no capacity is set, else :class:`CountCoverage`
    (scooters per group and location, cumulative by range). Either way "a scooter at a
    reaches distance d" is one column, so every covering row has two entries.
``Y[k]`` in [0, 1]
    Commute k is served (servable commutes only).
``P[k, e]`` in [0, 1]
    Commute k's path uses arc e (the arcs k keeps only): flow conservation, time within
    budget ``sum tau P <= B Y`` (scaled by 1/B), and linking to the cover. By default
    (``linking="nested"``) a path leaves a location once, on one scooter: per commute,
    location and cover level, the flow on the kept arcs needing that level or more is at
    most the cover there. ``linking="arc"`` is the seed's: ``H[e]`` in [0, 1] per arc some
    commute keeps, ``H[e] <= cover(a, d_e)``, ``P <= H``, plus the out-flow row at the
    lowest level; same optimum, a relaxation never tighter (tested).

Why only the cover needs integrality: for whole placements, H can be 1 exactly on the arcs a
placed scooter reaches. Any flow P of value Y whose mean path time is within budget
decomposes into paths on open arcs, one of which is then within budget; so Y = 1 is feasible
whenever Y > 0 is, commutes do not interact, and the optimum over continuous (H, Y, P) is
exactly the demand the placement serves. With a capacity per scooter commutes share
scooters, so Y and P are declared binary too (each commute's riders take one path).

Tolerances: a path counts as within budget B when its time is at most ``B (1 + 1e-9)``
(pruning and :func:`~shareopt._kernels_relay.served_by_placement` alike). The MIP's time
row is ``sum tau/B P - Y <= 0`` and HiGHS accepts a row up to its feasibility tolerance
(1e-7; 1e-6 for MIP solutions), so the MIP is never stricter than the placement check: its
bound holds for what the placement serves (a path exactly at its budget counts in both;
tested), and a MIP solution may at most count a path 1e-9 to 1e-6 over budget that the
placement check then does not (the plan reports the placement's demand and its gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._kernels_relay import RelayNetwork, open_paths, out_of_time_check, path_arcs
from .exceptions import SolverError
from .lp import LinearProgram

__all__ = ["CountCoverage", "LevelCoverage", "RelayModel", "build_model", "paths_from_flow"]


# ---------------------------------------------------------------- who stands where
class _Rows:
    """Row triplets gathered block by block, then one CSC matrix."""

    def __init__(self):
        self.rows, self.cols, self.vals, self.lower, self.upper = [], [], [], [], []
        self.n = 0

    def add(self, r, c, v, lo, hi) -> None:
        """Rows ``r`` (numbered from 0 within the block), columns ``c``, values ``v``, bounds ``lo``, ``hi``."""
        lo, hi = np.broadcast_arrays(np.atleast_1d(np.asarray(lo, np.float64)),
                                     np.atleast_1d(np.asarray(hi, np.float64)))
        self.rows.append(np.asarray(r, np.int64) + self.n)
        self.cols.append(np.asarray(c, np.int64))
        self.vals.append(np.broadcast_to(np.asarray(v, np.float64), np.shape(c)))
        self.lower.append(lo)
        self.upper.append(hi)
        self.n += lo.size

    def matrix(self, n_cols: int) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
        """The rows so far as (A, row_lower, row_upper)."""
        A = sp.csc_array((np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
                         shape=(self.n, n_cols))
        return A, np.concatenate(self.lower), np.concatenate(self.upper)


class LevelCoverage:
    """Scooters without a current location, no capacity: what counts is how far each place reaches.

    Column ``V[a, j]`` (binary) says location a holds a scooter whose range reaches level j
    of a: the ranges that open a different set of arcs out of a (one per scooter range class
    of its arcs). ``V[a, j] <= V[a, j - 1]``. Scooters can stand so, one per location, exactly
    when for every range rho: locations reaching rho <= scooters reaching rho (coverage sets
    are nested, so Hall's condition is these rows; extra scooters at one place open nothing).
    """

    def __init__(self, net: RelayNetwork, range_km: np.ndarray, arcs: np.ndarray):
        self.range_km = range_km
        self.classes = np.unique(range_km)                                   # ascending
        reaching = range_km.size - np.searchsorted(np.sort(range_km), self.classes, side="left")
        arc_class = np.searchsorted(self.classes, net.arc_dist[arcs], side="left")
        keys = np.unique(net.arc_tail[arcs] * self.classes.size + arc_class)
        self.loc, self.cls = keys // self.classes.size, keys % self.classes.size
        self.keys = keys
        self.n_cols = keys.size
        self.upper = np.ones(self.n_cols)
        self.first = np.r_[True, self.loc[1:] != self.loc[:-1]] if self.n_cols else np.zeros(0, bool)
        self.rows = _Rows()
        later = np.flatnonzero(~self.first)
        self.rows.add(np.r_[np.arange(later.size), np.arange(later.size)], np.r_[later, later - 1],
                      np.r_[np.ones(later.size), -np.ones(later.size)], np.full(later.size, -np.inf), 0.0)
        levels = np.unique(self.cls)
        hall_r, hall_c = [], []
        for r, c in enumerate(levels):  # the tightest row of each stretch of classes
            at = np.flatnonzero(self.cls >= c)
            _, first = np.unique(self.loc[at], return_index=True)
            hall_r.append(np.full(first.size, r))
            hall_c.append(at[first])
        if levels.size:
            self.rows.add(np.concatenate(hall_r), np.concatenate(hall_c), 1.0, np.full(levels.size, -np.inf),
                          reaching[levels].astype(float))
        self.moved = self.first.astype(float)  # a location with any scooter: one scooter placed

    def lookup(self, tail: np.ndarray, need: np.ndarray) -> np.ndarray:
        """Column of "a scooter at ``tail`` reaches ``need``" (-1: none can)."""
        if self.n_cols == 0:
            return np.full(np.size(tail), -1, np.int64)
        c = np.searchsorted(self.classes, need, side="left")
        pos = np.searchsorted(self.keys, tail * self.classes.size + c, side="left")
        ok = (pos < self.n_cols) & (self.loc[np.minimum(pos, self.n_cols - 1)] == tail) & (c < self.classes.size)
        return np.where(ok, pos, -1)

    def encode(self, location: np.ndarray, n: int) -> np.ndarray:
        """Cover columns of a placement (scooter -> location, -1: none): 1 where it reaches the level."""
        reach = np.full(n, -np.inf)
        placed = location >= 0
        np.maximum.at(reach, location[placed], self.range_km[placed])
        return (reach[self.loc] >= self.classes[self.cls]).astype(np.float64)

    def decode(self, values: np.ndarray, n: int) -> np.ndarray:
        """Scooter -> location: the place needing the longest range first takes the shortest
        unused range that reaches it (Hall's condition makes this succeed)."""
        on = np.round(values) > 0.5
        need = np.full(n, -1, np.int64)
        np.maximum.at(need, self.loc[on], self.cls[on])
        order = np.argsort(self.range_km, kind="stable")
        free = np.ones(order.size, bool)
        location = np.full(self.range_km.size, -1, np.int64)
        for a in np.lexsort((np.arange(n), -need)):
            if need[a] < 0:
                break
            s = np.flatnonzero(free & (self.range_km[order] >= self.classes[need[a]]))
            if s.size:
                free[s[0]] = False
                location[order[s[0]]] = a
        return location


class CountCoverage:
    """Scooters per (group, location), for current locations, move costs and capacities.

    A group is scooters of one range and one current location. Column ``U[a, m]`` (integer)
    counts the scooters at a among its m + 1 longest-range candidate groups (those reaching
    the shortest arc kept out of a), so "scooters at a that reach d" is one column; the
    group's own count is ``x[a, g_m] = U[a, m] - U[a, m - 1] >= 0``, and ``sum_a x[a, g] <= n_g``.
    """

    def __init__(self, net: RelayNetwork, range_km: np.ndarray, home: np.ndarray, arcs: np.ndarray,
                 capacity: float | None, move_cost_per_km: float | None, move_budget: float | None):
        pairs, group = np.unique(np.column_stack([range_km, home]), axis=0, return_inverse=True)
        self.group = group.ravel()
        self.group_range, self.group_home = pairs[:, 0], pairs[:, 1].astype(np.int64)
        count = np.bincount(self.group, minlength=self.group_range.size)
        shortest_out = np.full(net.n, np.inf)
        np.minimum.at(shortest_out, net.arc_tail[arcs], net.arc_dist[arcs])
        order = np.lexsort((np.arange(self.group_range.size), -self.group_range))   # longest first
        self.loc, rank = np.nonzero(self.group_range[order][None, :] >= shortest_out[:, None])
        self.grp = order[rank]
        self.n_cols = self.loc.size
        self.loc_start = np.searchsorted(self.loc, np.arange(net.n + 1))
        self.first = np.zeros(self.n_cols, bool)
        self.first[self.loc_start[:-1][np.diff(self.loc_start) > 0]] = True
        later = np.flatnonzero(~self.first)
        self.x_of_u = sp.csr_array((np.r_[np.ones(self.n_cols), -np.ones(later.size)],
                                    (np.r_[np.arange(self.n_cols), later], np.r_[np.arange(self.n_cols), later - 1])),
                                   shape=(self.n_cols, self.n_cols))
        cumulative = np.zeros(self.n_cols)
        for a in np.flatnonzero(np.diff(self.loc_start)):
            s, t = self.loc_start[a], self.loc_start[a + 1]
            cumulative[s:t] = np.cumsum(count[self.grp[s:t]])
        # Without a capacity a second scooter at a place opens nothing: at most one each.
        self.upper = cumulative if capacity is not None else np.minimum(cumulative, 1.0)
        self.rows = _Rows()
        self.rows.add(np.r_[np.arange(later.size), np.arange(later.size)], np.r_[later, later - 1],
                      np.r_[np.ones(later.size), -np.ones(later.size)], 0.0, np.full(later.size, np.inf))
        xu = self.x_of_u.tocoo()
        self.rows.add(self.grp[xu.row], xu.col, xu.data, np.full(count.size, -np.inf), count.astype(float))
        if move_budget is not None:
            cost = net.dist[self.group_home[self.grp], self.loc] * move_cost_per_km
            per_u = self.x_of_u.T @ cost
            nz = np.flatnonzero(per_u)
            self.rows.add(np.zeros(nz.size), nz, per_u[nz], [-np.inf], float(move_budget))
        self.moved = self.x_of_u.T @ (self.group_home[self.grp] != self.loc).astype(float)
        self.range_km, self.home = range_km, home

    def lookup(self, tail: np.ndarray, need: np.ndarray) -> np.ndarray:
        """Column of "scooters at ``tail`` that reach ``need``": the last candidate group there
        whose range is at least ``need`` (-1: none is)."""
        tail = np.asarray(tail, np.int64)
        need = np.asarray(need, np.float64)
        if self.n_cols == 0:
            return np.full(tail.size, -1, np.int64)
        # ranks of every range involved: within a location, columns go by descending range
        column_range = self.group_range[self.grp]
        values = np.unique(np.r_[column_range, need])
        top = values.size
        column_key = self.loc * top + (top - 1 - np.searchsorted(values, column_range))
        query_key = tail * top + (top - 1 - np.searchsorted(values, need))
        pos = np.searchsorted(column_key, query_key, side="right") - 1
        ok = (pos >= 0) & (self.loc[np.maximum(pos, 0)] == tail)
        return np.where(ok, pos, -1)

    def encode(self, location: np.ndarray, n: int) -> np.ndarray:
        """Cover columns of a placement (scooter -> location, -1: none): scooters at each place
        counted cumulatively by range, clipped to the column bounds (without a capacity a
        column stops at 1: a second scooter at a place opens nothing)."""
        placed = location >= 0
        keys, counts = np.unique(self.group[placed] * n + location[placed], return_counts=True)
        column_keys = self.grp * n + self.loc
        pos = np.searchsorted(keys, column_keys)
        found = pos < keys.size
        found[found] = keys[pos[found]] == column_keys[found]
        x = np.zeros(self.n_cols)
        x[found] = counts[pos[found]]
        running = np.cumsum(x)
        first = self.loc_start[self.loc]  # first column of each column's location
        return np.minimum(running - running[first] + x[first], self.upper)

    def decode(self, values: np.ndarray, n: int) -> np.ndarray:
        """Scooter -> location: a group's scooters in index order, its current location first."""
        x = np.round(np.maximum(0.0, self.x_of_u @ np.round(values))).astype(np.int64)
        location = np.full(self.group.size, -1, np.int64)
        for g in range(self.group_range.size):
            members = np.flatnonzero(self.group == g)
            cols = np.flatnonzero((self.grp == g) & (x > 0))
            places, times = self.loc[cols], x[cols]
            home = self.group_home[g]
            order = np.argsort(places != home, kind="stable")
            spots = np.repeat(places[order], times[order])[:members.size]
            location[members[:spots.size]] = spots
        return location


# ---------------------------------------------------------------- the model
@dataclass
class RelayModel:
    """The MIP (phase one: most demand served) and where its columns lie."""

    program: LinearProgram
    coverage: LevelCoverage | CountCoverage
    h_arc: np.ndarray           # arc of each H column
    y_commute: np.ndarray       # commute of each Y column
    p_commute: np.ndarray       # commute and arc of each P column
    p_arc: np.ndarray

    @property
    def h_start(self) -> int:
        """First H column (after the cover columns)."""
        return self.coverage.n_cols

    @property
    def y_start(self) -> int:
        """First Y column (after the H columns; there are none with nested linking)."""
        return self.h_start + self.h_arc.size

    @property
    def p_start(self) -> int:
        """First P column (after the Y columns)."""
        return self.y_start + self.y_commute.size

    def placement(self, x: np.ndarray, n: int) -> np.ndarray:
        """Scooter -> location index (-1: not placed) of a solution."""
        return self.coverage.decode(x[:self.coverage.n_cols], n)

    def start_vector(self, net: RelayNetwork, location: np.ndarray, paths: list) -> np.ndarray:
        """The columns of a placement and its served commutes' paths: a feasible MIP start.

        ``paths`` are open paths within budget (:func:`served_by_placement`); with a capacity
        they must also fit the scooters (those of a MIP solution, :func:`paths_from_flow`).
        """
        vector = np.zeros(self.program.n_cols)
        cover = self.coverage.encode(location, net.n)
        vector[:cover.size] = cover
        h_cover = self.coverage.lookup(net.arc_tail[self.h_arc], net.arc_dist[self.h_arc])
        vector[self.h_start:self.y_start] = np.minimum(1.0, cover[h_cover])
        p_key = self.p_commute * net.heads.size + self.p_arc  # sorted: commute, then arc
        for c, k in enumerate(self.y_commute):
            if paths[k] is None:
                continue
            vector[self.y_start + c] = 1.0
            vector[self.p_start + np.searchsorted(p_key, k * net.heads.size + path_arcs(net, paths[k]))] = 1.0
        return vector

    def tie_break(self, served_floor: float) -> LinearProgram:
        """Phase two: fewest scooters moved among placements serving at least ``served_floor``."""
        first = self.program
        A = sp.vstack([first.A, sp.csc_array(first.c[None, :])], format="csc")
        c = np.zeros(first.n_cols)
        c[:self.coverage.n_cols] = self.coverage.moved
        return LinearProgram(c, A, np.r_[first.row_lower, served_floor], np.r_[first.row_upper, np.inf],
                             first.col_lower, first.col_upper, integrality=first.integrality, sense="min")

    def rounded_start(self, lp_time: float | None, mip_time: float | None, low: float = 0.2, high: float = 0.8):
        """A placement from the relaxation (a RENS-style heuristic), and the relaxation's bound.

        Solves the LP relaxation, fixes the cover columns below ``low`` to 0 and above
        ``high`` to 1, and solves that much smaller MIP (within ``lp_time`` and ``mip_time``
        seconds; None: no limit). On the calibrated studies the relaxation is within about
        0-1% of the optimum (1-3% on harder calibrations), so the rounded placement usually
        beats the greedy by far, and often matches the bound.

        Returns
        -------
        (LpSolution or None, float or None)
            The restricted MIP's solution and the LP bound (None where a step ran out of time).
        """
        first = self.program
        relaxed = LinearProgram(first.c, first.A, first.row_lower, first.row_upper, first.col_lower,
                                first.col_upper, sense="max")
        try:
            lp = relaxed.solve(time_limit=lp_time, options={"solver": "ipm"})
        except SolverError:
            return None, None
        if not lp.is_optimal:
            return None, None
        n_cover = self.coverage.n_cols
        value = lp.x[:n_cover]
        lower = np.zeros(first.n_cols)
        upper = np.array(np.broadcast_to(first.col_upper, (first.n_cols,)), dtype=np.float64)
        upper[:n_cover][value < low] = 0.0
        lower[:n_cover][value > high] = np.minimum(1.0, upper[:n_cover][value > high])
        restricted = LinearProgram(first.c, first.A, first.row_lower, first.row_upper, lower, upper,
                                   integrality=first.integrality, sense="max")
        try:
            return restricted.solve(time_limit=mip_time, mip_gap=1e-4), lp.objective
        except SolverError:
            return None, lp.objective


def build_model(net: RelayNetwork, range_km: np.ndarray, home: np.ndarray, *, capacity: float | None = None,
                move_cost_per_km: float | None = None, move_budget: float | None = None,
                binary_y: bool = False, linking: str = "nested", out_of_time=None) -> RelayModel:
    """Assemble the relay MIP as one CSC matrix (see the module docstring).

    Parameters
    ----------
    net
        The network and the arcs each commute keeps (:func:`build_network`).
    range_km, home
        Per scooter: range, and current location index (-1: none).
    capacity, move_cost_per_km, move_budget
        As in :func:`shareopt.relay.solve_relays`.
    binary_y
        Declare Y integer (an experiment: exactness does not need it).
    linking
        ``"nested"`` (default) or ``"arc"`` (the seed's H columns); see the module docstring.
    out_of_time
        A callable asked between the blocks of rows (and per location for the capacity rows):
        when it says the time is up, the build stops with
        :class:`~shareopt.exceptions.TimeLimitError`. None: never.

    Returns
    -------
    RelayModel
        Levels (:class:`LevelCoverage`) when scooters have no current location and no
        capacity is set, else counts (:class:`CountCoverage`).
    """
    n, arc_tail = net.n, net.arc_tail
    union = np.unique(net.kept)
    if capacity is None and not np.any(home >= 0):
        coverage = LevelCoverage(net, range_km, union)
    else:
        coverage = CountCoverage(net, range_km, home, union, capacity, move_cost_per_km, move_budget)
    out_of_time_check(out_of_time, "building the MIP (cover columns)")
    rows = coverage.rows
    p_commute = np.repeat(np.arange(net.origin.size), np.diff(net.kept_offsets))
    p_arc = net.kept
    y_commute = np.flatnonzero(np.diff(net.kept_offsets) > 0)
    h_arc = union if linking == "arc" else union[:0]  # nested rows link P to the cover directly
    n_h, n_y, n_p = h_arc.size, y_commute.size, p_arc.size
    h0 = coverage.n_cols
    y0 = h0 + n_h
    p0 = y0 + n_y
    h_col = np.full(net.heads.size, -1, np.int64)
    h_col[h_arc] = h0 + np.arange(n_h)
    # H[e] <= cover(a, d_e)
    r = np.arange(n_h)
    rows.add(np.r_[r, r], np.r_[h0 + r, coverage.lookup(arc_tail[h_arc], net.arc_dist[h_arc])],
             np.r_[np.ones(n_h), -np.ones(n_h)], np.full(n_h, -np.inf), 0.0)
    # flow conservation per (commute, location): out - in = Y at i, -Y at j, else 0
    tail_p, head_p = arc_tail[p_arc], net.heads[p_arc]
    keys = np.r_[p_commute * n + tail_p, p_commute * n + head_p,
                 y_commute * n + net.origin[y_commute], y_commute * n + net.dest[y_commute]]
    node_keys, node_row = np.unique(keys, return_inverse=True)
    p_cols, y_cols = p0 + np.arange(n_p), y0 + np.arange(n_y)
    rows.add(node_row, np.r_[p_cols, p_cols, y_cols, y_cols],
             np.r_[np.ones(n_p), -np.ones(n_p), -np.ones(n_y), np.ones(n_y)], np.zeros(node_keys.size), 0.0)
    out_of_time_check(out_of_time, "building the MIP (flow rows)")
    # time within budget: sum tau/B P - Y <= 0 (scaled to order one)
    y_row = np.full(net.origin.size, -1, np.int64)
    y_row[y_commute] = np.arange(n_y)
    rows.add(np.r_[y_row[p_commute], np.arange(n_y)], np.r_[p_cols, y_cols],
             np.r_[net.arc_tau[p_arc] / net.budget[p_commute], -np.ones(n_y)], np.full(n_y, -np.inf), 0.0)
    if linking == "arc":
        # P[k, e] <= H[e]
        r = np.arange(n_p)
        rows.add(np.r_[r, r], np.r_[p_cols, h_col[p_arc]], np.r_[np.ones(n_p), -np.ones(n_p)],
                 np.full(n_p, -np.inf), 0.0)
        # A path leaves a location once, on one scooter: out-flow <= cover(a, shortest kept arc).
        # Valid for whole placements; without it the relaxation splits flow over many arcs.
        out_keys, out_row = np.unique(p_commute * n + tail_p, return_inverse=True)
        least = np.full(out_keys.size, np.inf)
        np.minimum.at(least, out_row, net.arc_dist[p_arc])
        rows.add(np.r_[out_row, np.arange(out_keys.size)],
                 np.r_[p_cols, coverage.lookup(out_keys % n, least)],
                 np.r_[np.ones(n_p), -np.ones(out_keys.size)], np.full(out_keys.size, -np.inf), 0.0)
    else:
        _nested_rows(rows, net, coverage, p_commute, p_arc, p0)
    out_of_time_check(out_of_time, "building the MIP (linking rows)")
    if capacity is not None:
        _capacity_rows(rows, net, coverage, capacity, p0, p_commute, p_arc, out_of_time)
    A, lower, upper = rows.matrix(p0 + n_p)
    c = np.zeros(p0 + n_p)
    c[y0:p0] = net.demand[y_commute]
    integer = np.zeros(p0 + n_p, np.int32)
    integer[:h0] = 1
    if capacity is not None or binary_y:
        integer[y0:p0] = 1
    if capacity is not None:
        integer[p0:] = 1
    program = LinearProgram(c, A, lower, upper, 0.0, np.r_[coverage.upper, np.ones(n_h + n_y + n_p)],
                            integrality=integer, sense="max")
    return RelayModel(program, coverage, h_arc, y_commute, p_commute, p_arc)


def _nested_rows(rows: _Rows, net: RelayNetwork, coverage, p_commute, p_arc, p0) -> None:
    """A path leaves a location once, on one scooter: for commute k, location a and each cover
    level c of its kept arcs out of a, the flow on those arcs that need level c or more is at
    most cover(a, c). Valid for whole placements; the lowest level bounds the whole out-flow
    (else the relaxation splits flow over many half-covered arcs), the others imply P <= H.
    """
    n = net.n
    if p_arc.size == 0:
        return
    tail, need = net.arc_tail[p_arc], net.arc_dist[p_arc]
    order = np.lexsort((need, tail, p_commute))
    group = (p_commute * n + tail)[order]
    column = coverage.lookup(tail[order], need[order])
    group_end = np.r_[np.flatnonzero(group[1:] != group[:-1]) + 1, order.size]
    end_of = np.repeat(group_end, np.diff(np.r_[0, group_end]))
    starts = np.flatnonzero(np.r_[True, (group[1:] != group[:-1]) | (column[1:] != column[:-1])])
    length = end_of[starts] - starts
    row = np.repeat(np.arange(starts.size), length)
    within = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    position = np.repeat(starts, length) + within
    rows.add(np.r_[row, np.arange(starts.size)], np.r_[p0 + order[position], column[starts]],
             np.r_[np.ones(row.size), -np.ones(starts.size)], np.full(starts.size, -np.inf), 0.0)


def _capacity_rows(rows: _Rows, net, coverage: CountCoverage, capacity, p0, p_commute, p_arc, out_of_time) -> None:
    """Nested Hall rows per location a and range rho in {-inf} and its candidate ranges:
    riders on arcs out of a longer than rho <= q x scooters at a with a range above rho.

    A scooter reaches every leg up to its range, so the sets of scooters a rider can take
    are nested; riders can then be assigned to scooters, at most q each, exactly when these
    rows hold (Hall's condition for nested sets).
    """
    tail, need, weight = net.arc_tail[p_arc], net.arc_dist[p_arc], net.demand[p_commute]
    order = np.argsort(tail, kind="stable")
    bounds = np.searchsorted(tail[order], np.arange(net.n + 1))
    r_rows, r_cols, r_vals = [], [], []
    n_rows = 0
    for a in range(net.n):
        out_of_time_check(out_of_time, "building the MIP (capacity rows)")
        riders_here = order[bounds[a]:bounds[a + 1]]
        s, t = coverage.loc_start[a], coverage.loc_start[a + 1]
        if riders_here.size == 0 or s == t:
            continue
        ranges = coverage.group_range[coverage.grp[s:t]]            # descending
        for rho in np.r_[-np.inf, np.unique(ranges)]:
            riders = riders_here[need[riders_here] > rho]
            if riders.size == 0:
                continue
            above = int(np.count_nonzero(ranges > rho))
            cols, vals = p0 + riders, weight[riders]
            if above:
                cols, vals = np.r_[cols, s + above - 1], np.r_[vals, -float(capacity)]
            r_rows.append(np.full(cols.size, n_rows))
            r_cols.append(cols)
            r_vals.append(vals)
            n_rows += 1
    if n_rows:
        rows.add(np.concatenate(r_rows), np.concatenate(r_cols), np.concatenate(r_vals), np.full(n_rows, -np.inf), 0.0)


def paths_from_flow(net: RelayNetwork, model: RelayModel, x: np.ndarray) -> list:
    """Each served commute's path within the support of a whole-number flow (capacity models).

    The fastest path on the support's arcs: no slower than the flow, and simple even if the
    solver left a harmless cycle in it.
    """
    paths: list = [None] * net.origin.size
    used = np.flatnonzero(x[model.p_start:] > 0.5)
    for k in model.y_commute[x[model.y_start:model.p_start] > 0.5]:
        support = np.zeros(net.heads.size, bool)
        support[model.p_arc[used[model.p_commute[used] == k]]] = True
        _, pred = open_paths(np.array([net.origin[k]]), net.offsets, net.heads, net.arc_tau, support)
        node, nodes = int(net.dest[k]), [int(net.dest[k])]
        while node != net.origin[k] and pred[0, node] >= 0:
            node = int(net.arc_tail[pred[0, node]])
            nodes.append(node)
        if node == net.origin[k]:
            paths[k] = np.array(nodes[::-1], dtype=np.int64)
    return paths

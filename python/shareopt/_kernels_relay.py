"""The relay network: Numba kernels (least times, arc pruning, open paths, greedy rounds) and
the Python that runs them a step at a time, so that a time limit is looked at between steps.

Locations are ``0..n-1``. Usable arcs (``a != b`` and ``d_ab`` within the longest scooter
range) are a CSR table by tail: the arcs out of ``a`` are ``e`` in
``[offsets[a], offsets[a + 1])`` with head ``heads[e]``, distance ``arc_dist[e]`` (km) and
time ``arc_tau[e]`` (seconds, the swap time included). A commute ``k`` goes from
``origin[k]`` to ``dest[k]`` and is served by a path whose time is at most ``limit[k]``
(its budget plus one swap time, plus a rounding tolerance).

Inputs are validated by the caller; these kernels trust them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ._kernels_heap import heap_pop, heap_push
from .exceptions import TimeLimitError

__all__ = ["GREEDY_MAX_NEW", "RelayNetwork", "all_pairs_times", "build_network", "greedy_placement", "greedy_round",
           "kept_arcs", "open_paths", "out_of_time_check", "path_arcs", "served_by_placement"]

_RELATIVE_TOLERANCE = 1e-9  # budgets: a path within B (1 + this) counts as within B
_SOURCES_PER_CALL = 32      # Dijkstra sources per kernel call: the clock is read between calls
_COMMUTES_PER_CALL = 256    # commutes pruned per kernel call
GREEDY_MAX_NEW = 6          # new scooters the greedy considers for one commute


# ---------------------------------------------------------------- least times
@njit(cache=True)
def _dijkstra(source, offsets, heads, weights, open_arc, dist, pred, keys, items):
    """Least times from ``source`` over open arcs into ``dist`` (``pred``: the arc into each node)."""
    dist[:] = np.inf
    pred[:] = -1
    dist[source] = 0.0
    size = heap_push(keys, items, 0, 0.0, source)
    while size > 0:
        t, u, size = heap_pop(keys, items, size)
        if t > dist[u]:
            continue
        for e in range(offsets[u], offsets[u + 1]):
            if not open_arc[e]:
                continue
            v = heads[e]
            arrive = t + weights[e]
            if arrive < dist[v]:
                dist[v] = arrive
                pred[v] = e
                size = heap_push(keys, items, size, arrive, v)


@njit(cache=True)
def all_pairs_times(sources, offsets, heads, weights):
    """(len(sources), n) least path times from each source over every usable arc (inf: no path).

    The caller asks for a few sources at a time, so it can look at the clock between calls.
    """
    n = offsets.size - 1
    out = np.empty((sources.size, n))
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    open_arc = np.ones(heads.size, np.bool_)
    keys = np.empty(heads.size + 1)
    items = np.empty(heads.size + 1, np.int64)
    for r in range(sources.size):
        _dijkstra(sources[r], offsets, heads, weights, open_arc, dist, pred, keys, items)
        out[r] = dist
    return out


@njit(cache=True)
def open_paths(sources, offsets, heads, weights, open_arc):
    """Least times and the arc into each node, from each source over the open arcs.

    Returns ``dist`` and ``pred``, both (len(sources), n).
    """
    n = offsets.size - 1
    dist = np.empty((sources.size, n))
    pred = np.empty((sources.size, n), np.int64)
    keys = np.empty(heads.size + 1)
    items = np.empty(heads.size + 1, np.int64)
    for r in range(sources.size):
        _dijkstra(sources[r], offsets, heads, weights, open_arc, dist[r], pred[r], keys, items)
    return dist, pred


@njit(cache=True)
def _scan_kept(k, offsets, heads, arc_tau, sp, origin, dest, limit, out, start):
    """Count (out is None-like: start < 0) or write the arcs commute k keeps."""
    i, j, lim = origin[k], dest[k], limit[k]
    count = 0
    for a in range(offsets.size - 1):
        if a == j:
            continue  # a simple path never leaves its destination
        to_a = sp[i, a]
        if to_a + sp[a, j] > lim:
            continue  # no arc out of a can be on a path within budget
        for e in range(offsets[a], offsets[a + 1]):
            b = heads[e]
            if b == i:
                continue  # nor comes back to its origin
            if to_a + arc_tau[e] + sp[b, j] <= lim:
                if start >= 0:
                    out[start + count] = e
                count += 1
    return count


@njit(cache=True)
def kept_arcs(offsets, heads, arc_tau, sp, origin, dest, limit, active):
    """Arcs kept per commute: ``sp(i, a) + tau_ab + sp(b, j) <= limit``, as CSR over commutes.

    Returns ``(kept_offsets, kept)``; arc ids of a commute come sorted (by tail, then head).
    Inactive commutes keep nothing.
    """
    n_commutes = origin.size
    counts = np.zeros(n_commutes, np.int64)
    dummy = np.empty(0, np.int64)
    for k in range(n_commutes):
        if active[k]:
            counts[k] = _scan_kept(k, offsets, heads, arc_tau, sp, origin, dest, limit, dummy, -1)
    kept_offsets = np.zeros(n_commutes + 1, np.int64)
    kept_offsets[1:] = np.cumsum(counts)
    kept = np.empty(kept_offsets[-1], np.int64)
    for k in range(n_commutes):
        if counts[k]:
            _scan_kept(k, offsets, heads, arc_tau, sp, origin, dest, limit, kept, kept_offsets[k])
    return kept_offsets, kept


# ---------------------------------------------------------------- greedy placement
@njit(cache=True)
def _fewest_new(i, j, lim, offsets, heads, arc_dist, arc_tau, sp, placed_max, avail_max, max_new,
                dist, pred, keys, items):
    """Layered Dijkstra: ``dist[m * n + v]`` is the least time to v using m new scooters.

    An arc out of a location whose placed scooters reach it is free; another needs one new
    scooter, possible when some unused scooter reaches it. States that cannot reach j within
    ``lim`` (by the all-arcs lower bound ``sp``) are never pushed. Returns the least m with a
    path within ``lim``, or -1.
    """
    n = offsets.size - 1
    dist[:] = np.inf
    pred[:] = -1
    dist[i] = 0.0
    size = heap_push(keys, items, 0, 0.0, i)
    while size > 0:
        t, state, size = heap_pop(keys, items, size)
        if t > dist[state]:
            continue
        m = state // n
        u = state - m * n
        if u == j:
            continue
        for e in range(offsets[u], offsets[u + 1]):
            v = heads[e]
            arrive = t + arc_tau[e]
            if arrive + sp[v, j] > lim:
                continue
            m2 = m
            if placed_max[u] < arc_dist[e]:
                if m >= max_new or avail_max < arc_dist[e]:
                    continue
                m2 = m + 1
            dominated = False  # as fast with no more new scooters already
            for lower in range(m2 + 1):
                if dist[lower * n + v] <= arrive:
                    dominated = True
                    break
            if dominated:
                continue
            dist[m2 * n + v] = arrive
            pred[m2 * n + v] = state * heads.size + e
            size = heap_push(keys, items, size, arrive, m2 * n + v)
    for m in range(max_new + 1):
        if dist[m * n + j] <= lim:
            return m
    return -1


@njit(cache=True)
def _new_legs(m, j, n, n_arcs, pred, arc_dist, leg_tail, leg_dist):
    """Walk the layered path to (j, m) back; the legs that need a new scooter. Returns their number."""
    legs = 0
    state = m * n + j
    while pred[state] >= 0:
        previous = pred[state] // n_arcs
        if previous // n < state // n:
            leg_tail[legs] = previous - (previous // n) * n
            leg_dist[legs] = arc_dist[pred[state] - previous * n_arcs]
            legs += 1
        state = previous
    return legs


@njit(cache=True)
def _best_fit(legs, leg_dist, ranges, location, chosen):
    """Longest leg first, each takes the shortest unused range that reaches it. False if one cannot."""
    order = np.argsort(-leg_dist[:legs], kind="mergesort")
    taken = np.zeros(ranges.size, np.bool_)
    for r in range(legs):
        need = leg_dist[order[r]]
        chosen[order[r]] = -1
        for s in range(ranges.size):  # ranges ascending
            if location[s] < 0 and not taken[s] and ranges[s] >= need:
                chosen[order[r]] = s
                taken[s] = True
                break
        if chosen[order[r]] < 0:
            return False
    return True


@njit(cache=True)
def greedy_round(offsets, heads, arc_dist, arc_tau, sp, origin, dest, limit, demand, active, ranges, max_new,
                 touch_offsets, touch, location, placed_max, served, stamp, evaluations):
    """One round of the greedy placement: the move with the most demand served per new scooter.

    The round finds, for every unserved commute, the fewest new scooters that give it a path
    within budget (:func:`_fewest_new`); commutes that need none are served already. Its new
    scooters are matched best fit (the longest new leg takes the shortest unused range that
    reaches it, and so on), and the move is worth the demand of every commute it would serve:
    its own and that of the commutes through those places (``touch``: CSR of the commutes
    keeping an arc out of each location) that then have an open path. The move with the most
    demand per new scooter is made (ties: lower commute index). The caller repeats rounds
    until one places nothing, looking at the clock in between.

    Parameters
    ----------
    ranges
        Scooter ranges in km, sorted ascending (the caller maps back to scooters).
    location, placed_max, served
        The state, updated in place: location of each scooter (-1: not placed), the longest
        range placed at each location (-1: none), commutes known to be served.
    stamp, evaluations
        Scratch: the evaluation that last counted each commute, and how many evaluations
        there were (each gets a new number, so a commute counts once per evaluation).

    Returns
    -------
    (placed, evaluations) : (int, int)
        Scooters placed this round (0: no move is left, the greedy is done) and the new
        evaluation count.
    """
    n = offsets.size - 1
    n_arcs = heads.size
    n_commutes = origin.size
    n_scooters = ranges.size
    unused = 0
    avail_max = -1.0
    for s in range(n_scooters):
        if location[s] < 0:
            unused += 1
            avail_max = ranges[s]  # ascending: the last unused one reaches farthest
    if unused == 0:
        return 0, evaluations
    states = n * (max_new + 1)
    dist = np.empty(states)
    pred = np.empty(states, np.int64)
    keys = np.empty(n_arcs * (max_new + 1) + 2)
    items = np.empty(n_arcs * (max_new + 1) + 2, np.int64)
    leg_tail = np.empty(max_new, np.int64)
    leg_dist = np.empty(max_new)
    chosen = np.empty(max_new, np.int64)
    best_tail = np.empty(max_new, np.int64)
    best_chosen = np.empty(max_new, np.int64)
    saved = np.empty(max_new)
    cap = min(max_new, unused)
    best_k, best_legs, best_score = -1, 0, -1.0
    for k in range(n_commutes):
        if served[k] or not active[k]:
            continue
        m = _fewest_new(origin[k], dest[k], limit[k], offsets, heads, arc_dist, arc_tau, sp,
                        placed_max, avail_max, cap, dist, pred, keys, items)
        if m == 0:
            served[k] = True
            continue
        if m < 0:
            continue
        legs = _new_legs(m, dest[k], n, n_arcs, pred, arc_dist, leg_tail, leg_dist)
        if not _best_fit(legs, leg_dist, ranges, location, chosen):
            continue
        # Worth: the demand of every commute these scooters would serve.
        for r in range(legs):
            saved[r] = placed_max[leg_tail[r]]
        for r in range(legs):
            a = leg_tail[r]
            placed_max[a] = max(placed_max[a], ranges[chosen[r]])
        gain = demand[k]
        evaluations += 1
        stamp[k] = evaluations
        for r in range(legs):
            a = leg_tail[r]
            for t in range(touch_offsets[a], touch_offsets[a + 1]):
                other = touch[t]
                if served[other] or stamp[other] == evaluations:
                    continue
                stamp[other] = evaluations
                if _fewest_new(origin[other], dest[other], limit[other], offsets, heads, arc_dist,
                               arc_tau, sp, placed_max, -1.0, 0, dist, pred, keys, items) == 0:
                    gain += demand[other]
        for r in range(legs - 1, -1, -1):
            placed_max[leg_tail[r]] = saved[r]
        if gain / legs > best_score:
            best_k, best_legs, best_score = k, legs, gain / legs
            best_tail[:legs] = leg_tail[:legs]
            best_chosen[:legs] = chosen[:legs]
    if best_k < 0:
        return 0, evaluations
    for r in range(best_legs):
        a = best_tail[r]
        location[best_chosen[r]] = a
        placed_max[a] = max(placed_max[a], ranges[best_chosen[r]])
    served[best_k] = True
    return best_legs, evaluations


# ---------------------------------------------------------------- the network, a step at a time
@dataclass
class RelayNetwork:
    """Usable arcs, least times and the arcs every commute keeps (see :func:`build_network`)."""

    dist: np.ndarray            # (n, n) km
    time: np.ndarray            # (n, n) s, without swap time
    swap_time_s: float          # time lost at each relay
    offsets: np.ndarray         # CSR by tail of usable arcs
    heads: np.ndarray
    arc_dist: np.ndarray
    arc_tau: np.ndarray         # time + swap time
    sp: np.ndarray              # (n, n) least times over usable arcs (tau)
    origin: np.ndarray
    dest: np.ndarray
    demand: np.ndarray
    budget: np.ndarray          # C + w, seconds
    limit: np.ndarray           # budget with the rounding tolerance
    servable: np.ndarray        # bool: sp(i, j) within budget
    kept_offsets: np.ndarray    # CSR over commutes of kept arc ids
    kept: np.ndarray

    @property
    def n(self) -> int:
        """Number of locations."""
        return int(self.dist.shape[0])

    @property
    def arc_tail(self) -> np.ndarray:
        """Tail location of each usable arc (the CSR table's rows, expanded)."""
        return np.repeat(np.arange(self.n), np.diff(self.offsets))


def out_of_time_check(out_of_time, stage: str) -> None:
    """Raise :class:`TimeLimitError` when ``out_of_time()`` says the time is up (None: never)."""
    if out_of_time is not None and out_of_time():
        raise TimeLimitError(f"time limit reached while {stage}", "time limit")


def build_network(dist: np.ndarray, time: np.ndarray, max_range: float, swap_time_s: float,
                  origin, dest, demand, budget_s, out_of_time=None) -> RelayNetwork:
    """Usable arcs (a != b, d_ab <= max_range), all-pairs least times, and pruning per commute.

    ``out_of_time`` (a callable, or None) is asked between kernel calls, a few dozen sources
    or a few hundred commutes at a time; when it says the time is up the build stops with
    :class:`~shareopt.exceptions.TimeLimitError` (no placement can be judged without it).
    """
    n = dist.shape[0]
    usable = dist <= max_range
    np.fill_diagonal(usable, False)
    tails, heads = np.nonzero(usable)  # row-major: sorted by tail, then head
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=offsets[1:])
    arc_dist = np.ascontiguousarray(dist[tails, heads])
    arc_tau = np.ascontiguousarray(time[tails, heads] + swap_time_s)
    heads = heads.astype(np.int64)
    shortest = np.empty((n, n))
    for lo in range(0, n, _SOURCES_PER_CALL):
        out_of_time_check(out_of_time, "finding least times (the network)")
        sources = np.arange(lo, min(n, lo + _SOURCES_PER_CALL), dtype=np.int64)
        shortest[lo:lo + sources.size] = all_pairs_times(sources, offsets, heads, arc_tau)
    origin = np.ascontiguousarray(origin, np.int64)
    dest = np.ascontiguousarray(dest, np.int64)
    budget = np.asarray(budget_s, np.float64) + swap_time_s
    limit = budget + _RELATIVE_TOLERANCE * np.maximum(budget, 1.0)
    servable = shortest[origin, dest] <= limit
    counts, pieces = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for lo in range(0, origin.size, _COMMUTES_PER_CALL):
        out_of_time_check(out_of_time, "pruning arcs (the network)")
        part = slice(lo, lo + _COMMUTES_PER_CALL)
        piece_offsets, piece = kept_arcs(offsets, heads, arc_tau, shortest, origin[part], dest[part], limit[part],
                                         servable[part])
        counts.append(np.diff(piece_offsets))
        pieces.append(piece)
    kept_offsets = np.r_[0, np.cumsum(np.concatenate(counts))].astype(np.int64)
    kept = np.concatenate(pieces)
    return RelayNetwork(dist, time, float(swap_time_s), offsets, heads, arc_dist, arc_tau, shortest, origin, dest,
                        np.asarray(demand, np.float64), budget, limit, servable, kept_offsets, kept)


def served_by_placement(net: RelayNetwork, reach: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Which commutes a placement serves, from the placement alone.

    Parameters
    ----------
    reach
        (n,) longest range placed at each location (-inf where none).

    Returns
    -------
    served, time, paths
        Served mask; the time of each commute's fastest open path, a swap time at every
        relay (every leg after the first) included (inf: no open path); and per commute
        that path as an array of locations (None when not served).
    """
    open_arc = reach[net.arc_tail] >= net.arc_dist
    sources, row = np.unique(net.origin, return_inverse=True)
    dist, pred = open_paths(sources, net.offsets, net.heads, net.arc_tau, open_arc)
    fastest = dist[row, net.dest]
    served = fastest <= net.limit
    fastest = fastest - net.swap_time_s  # arc times count a swap on every leg, the first has none
    tails = net.arc_tail
    paths: list = [None] * net.origin.size
    for k in np.flatnonzero(served):
        node, nodes = int(net.dest[k]), [int(net.dest[k])]
        while node != net.origin[k]:
            node = int(tails[pred[row[k], node]])
            nodes.append(node)
        paths[k] = np.array(nodes[::-1], dtype=np.int64)
    return served, fastest, paths


def path_arcs(net: RelayNetwork, path: np.ndarray) -> np.ndarray:
    """Arc ids of a path given as locations."""
    out = np.empty(path.size - 1, np.int64)
    for r in range(path.size - 1):
        lo, hi = net.offsets[path[r]], net.offsets[path[r] + 1]
        out[r] = lo + np.searchsorted(net.heads[lo:hi], path[r + 1])
    return out


def greedy_placement(net: RelayNetwork, range_km: np.ndarray, out_of_time=None,
                     max_new: int = GREEDY_MAX_NEW) -> tuple[np.ndarray, str]:
    """Scooter -> location of the greedy placement (:func:`greedy_round`, round after round), and
    "complete", or "time limit" when ``out_of_time()`` said so between rounds (the scooters placed
    so far stand: a placement all the same). ``max_new``: new scooters considered for one commute."""
    order = np.argsort(range_km, kind="stable")
    ranges = np.ascontiguousarray(range_km[order])
    k = net.origin.size
    # commutes keeping an arc out of each location: the ones a scooter placed there may serve
    pairs = np.unique(net.arc_tail[net.kept] * k + np.repeat(np.arange(k), np.diff(net.kept_offsets)))
    touch_offsets = np.searchsorted(pairs // k, np.arange(net.n + 1))
    touch = pairs % k
    placed, placed_max = np.full(ranges.size, -1, np.int64), np.full(net.n, -1.0)
    served, stamp, evaluations = np.zeros(k, np.bool_), np.zeros(k, np.int64), 0
    status = "complete"
    while True:
        if out_of_time is not None and out_of_time():
            status = "time limit"
            break
        count, evaluations = greedy_round(net.offsets, net.heads, net.arc_dist, net.arc_tau, net.sp, net.origin,
                                          net.dest, net.limit, net.demand, net.servable, ranges, max_new,
                                          touch_offsets, touch, placed, placed_max, served, stamp, evaluations)
        if count == 0:
            break
    location = np.full(range_km.size, -1, np.int64)
    location[order] = placed
    return location, status

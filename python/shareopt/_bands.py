"""Target bands of bike rebalancing, whether a plan exists, and the smallest alpha that has one.

Station i must end with an integer number of bikes in [ceil((eps - alpha) C_i),
floor((eps + alpha) C_i)] (clipped to [0, C_i]), eps = sum(bikes) / sum(capacity). Where that
holds no integer the band is widened to [floor(eps C_i), ceil(eps C_i)]. With the rebalancing
truck free to move bikes between any two stations, a plan exists exactly when

- every station can reach its band (a station that may not give must not sit above it, one
  that may not take must not sit below it),
- the bands can hold the bikes there are: sum of lower bounds <= sum(bikes) <= sum of upper,
- the bikes that must move (the larger of what must leave and what must arrive) fit the
  budget of bikes moved.

Bands change only where (eps +- alpha) C_i crosses an integer, so alpha = |k - eps C_i| / C_i;
the sweep below visits those points in order, exactly (integer numerators), and finds the first
one where a plan exists. Widening makes existence non-monotone in alpha (a widened band holds
two integers, the narrow band that replaces it one), so the sweep looks at every point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exceptions import InfeasibleError

# Relative slack on (eps +- alpha) C: alpha comes as a float, so 0.1 means the decimal.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Bands:
    """Final-bike bounds per station and which of them were widened."""

    lower: np.ndarray
    upper: np.ndarray
    widened: np.ndarray


class BandsInfeasibleError(InfeasibleError):
    """No plan puts every station in its band.

    Attributes
    ----------
    stations
        Ids of the stations that make it impossible.
    min_feasible_alpha
        The smallest alpha for which a plan exists (None when none does).
    next_feasible_alpha
        The smallest alpha above the one asked for with a plan (None when none does).
    """

    def __init__(self, message: str, stations, min_feasible_alpha, next_feasible_alpha):
        super().__init__(message, "infeasible")
        self.stations = np.asarray(stations)
        self.min_feasible_alpha = min_feasible_alpha
        self.next_feasible_alpha = next_feasible_alpha


def bands_at(bikes: np.ndarray, capacity: np.ndarray, alpha: float) -> Bands:
    """The bands at ``alpha``, widened where they hold no integer."""
    total_bikes, total_docks = int(bikes.sum()), int(capacity.sum())
    eps = total_bikes / total_docks
    low_x, high_x = (eps - alpha) * capacity, (eps + alpha) * capacity
    lower = np.maximum(0, np.ceil(low_x - _TOLERANCE * (1.0 + np.abs(low_x)))).astype(np.int64)
    upper = np.minimum(capacity, np.floor(high_x + _TOLERANCE * (1.0 + np.abs(high_x)))).astype(np.int64)
    widened = lower > upper
    share = total_bikes * capacity  # eps C_i = share / total_docks, exactly
    lower = np.where(widened, share // total_docks, lower)
    upper = np.where(widened, -((-share) // total_docks), upper)
    return Bands(lower, upper, widened)


def net_ranges(bikes, bands: Bands, can_give, can_take) -> tuple[np.ndarray, np.ndarray]:
    """Least and most bikes each station may gain (negative: give), restrictions applied."""
    return least_gain(bands.lower, bikes, can_give), most_gain(bands.upper, bikes, can_take)


def least_gain(lower, bikes, give):
    """Least gain of a station whose band starts at ``lower``: it may not go below 0 if it may
    not give."""
    return np.where(give, lower - bikes, np.maximum(lower - bikes, 0))


def most_gain(upper, bikes, take):
    """Most gain of a station whose band ends at ``upper``: at most 0 if it may not take."""
    return np.where(take, upper - bikes, np.minimum(upper - bikes, 0))


def why_infeasible(bikes, capacity, low, high, max_moved, tolerance: float = 0.0) -> tuple[str, np.ndarray] | None:
    """None when a plan exists; else the reason and the positions of the stations behind it.
    ``tolerance``: slack on the sums (0 for whole bikes; real-valued bands need a hair)."""
    stuck = low > high + tolerance
    if stuck.any():
        return ("they sit outside their band and may not move bikes the way they must", np.flatnonzero(stuck))
    # eps C_i - b_i sums to zero: the stations asking more than that are the ones to name.
    total_bikes, total_docks = int(bikes.sum()), int(capacity.sum())
    fair = total_bikes * capacity - bikes * total_docks  # (eps C_i - b_i) x total_docks
    if low.sum() > tolerance:
        return ("their lower bounds together need more bikes than the system has",
                np.flatnonzero(low * total_docks > fair))
    if high.sum() < -tolerance:
        return ("their upper bounds together hold fewer bikes than the system has",
                np.flatnonzero(high * total_docks < fair))
    must_move = max(float(np.maximum(low, 0).sum()), float(np.maximum(-high, 0).sum()))
    if max_moved is not None and must_move > max_moved + tolerance:
        return (f"{must_move:,.6g} bikes must move to reach the bands, more than the {max_moved:,} allowed",
                np.flatnonzero((low > 0) | (high < 0)))
    return None


@dataclass(frozen=True)
class AlphaSweep:
    """Where plans exist: ``keys`` (alpha x total docks, ascending) and ``feasible`` at each."""

    keys: np.ndarray
    feasible: np.ndarray
    total_docks: int

    def min_feasible(self) -> float | None:
        hit = np.flatnonzero(self.feasible)
        return float(self.keys[hit[0]] / self.total_docks) if len(hit) else None

    def next_feasible(self, alpha: float) -> float | None:
        """The smallest alpha >= ``alpha`` with a plan."""
        # bands_at counts a breakpoint within the tolerance as reached: so does this.
        key = alpha * self.total_docks * (1.0 + _TOLERANCE)
        at = int(np.searchsorted(self.keys, key, side="right")) - 1  # the state in force at alpha
        later = np.flatnonzero(self.feasible[max(at, 0):])
        if not len(later):
            return None
        first = max(at, 0) + int(later[0])
        return alpha if first == at else float(self.keys[first] / self.total_docks)


def sweep_alpha(bikes, capacity, can_give, can_take, max_moved, strict: bool) -> AlphaSweep:
    """Whether a plan exists at every alpha where some band changes (see the module's notes)."""
    b = np.asarray(bikes, dtype=np.int64)
    cap = np.asarray(capacity, dtype=np.int64)
    give = np.broadcast_to(np.asarray(can_give, dtype=bool), b.shape)
    take = np.broadcast_to(np.asarray(can_take, dtype=bool), b.shape)
    total = int(cap.sum())
    share = int(b.sum()) * cap  # Q_i: eps C_i = Q_i / total
    floor_q = share // total
    rem = share - floor_q * total
    ceil_q = floor_q + (rem > 0)
    # key = alpha x total: k enters the band from below at (Q - k T) / C, from above at
    # (k T - Q) / C. Equal fractions give equal doubles, distinct ones stay in order.
    first = np.where(rem == 0, 0.0, np.minimum(rem, total - rem) / cap)  # first nonempty band
    lower_first = np.where(rem * 2 <= total, floor_q, ceil_q)            # the band there
    upper_first = np.where(rem * 2 >= total, ceil_q, floor_q)

    def f_low(lower):
        return least_gain(lower, b, give)

    def f_high(upper):
        return most_gain(upper, b, take)

    def stuck(lower, upper):
        return (f_low(lower) > f_high(upper)).astype(np.int64)

    # Widened state (every alpha below a station's first), then the jump at `first`.
    wide_low, wide_high = f_low(floor_q), f_high(ceil_q)
    wide_stuck = stuck(floor_q, ceil_q)
    keys, deltas = [first], [_deltas(f_low(lower_first) - wide_low, f_high(upper_first) - wide_high,
                                     np.maximum(f_low(lower_first), 0) - np.maximum(wide_low, 0),
                                     np.maximum(-f_high(upper_first), 0) - np.maximum(-wide_high, 0),
                                     stuck(lower_first, upper_first) - wide_stuck,
                                     -(first > 0).astype(np.int64) if strict else 0 * first)]
    # Lower bounds fall one by one after `first`: to k at (Q - k T) / C, k = lower_first - 1 .. 0.
    station = np.repeat(np.arange(len(b)), lower_first)
    k = lower_first[station] - 1 - _countup(np.zeros_like(lower_first), lower_first)
    new, old = least_gain(k, b[station], give[station]), least_gain(k + 1, b[station], give[station])
    keys.append((share[station] - k * total) / cap[station])
    deltas.append(_deltas(new - old, 0 * k, np.maximum(new, 0) - np.maximum(old, 0), 0 * k, 0 * k, 0 * k))
    # Upper bounds rise one by one: to k at (k T - Q) / C, k = upper_first + 1 .. C.
    station = np.repeat(np.arange(len(b)), cap - upper_first)
    k = _countup(upper_first + 1, cap - upper_first)
    new, old = most_gain(k, b[station], take[station]), most_gain(k - 1, b[station], take[station])
    keys.append((k * total - share[station]) / cap[station])
    deltas.append(_deltas(0 * k, new - old, 0 * k, np.maximum(-new, 0) - np.maximum(-old, 0), 0 * k, 0 * k))
    # A station stuck at `first` gets free where its band first reaches its bikes.
    free = first.copy()
    must_keep = ~give & (b > floor_q)   # may not give: needs upper >= b
    free = np.where(must_keep, np.maximum(free, (b * total - share) / cap), free)
    must_hold = ~take & (b < ceil_q)    # may not take: needs lower <= b
    free = np.where(must_hold, np.maximum(free, (share - b * total) / cap), free)
    late = stuck(lower_first, upper_first).astype(bool) & (free > first)
    keys.append(free[late])
    zero = np.zeros(int(late.sum()), dtype=np.int64)
    deltas.append(_deltas(zero, zero, zero, zero, -np.ones_like(zero), zero))

    key = np.concatenate(keys)
    delta = np.concatenate(deltas, axis=1)
    order = np.argsort(key, kind="stable")
    key, delta = key[order], delta[:, order]
    start = np.array([wide_low.sum(), wide_high.sum(), np.maximum(wide_low, 0).sum(),
                      np.maximum(-wide_high, 0).sum(), wide_stuck.sum(),
                      int((first > 0).sum()) if strict else 0], dtype=np.int64)
    state = start[:, None] + np.cumsum(delta, axis=1)
    # The state at each distinct key is the one after its last event; alpha = 0 is a candidate
    # even where no band changes there.
    last = np.flatnonzero(np.append(key[1:] != key[:-1], True))
    cand_keys, cand = key[last], state[:, last]
    if not len(cand_keys) or cand_keys[0] > 0:
        cand_keys = np.concatenate([[0.0], cand_keys])
        cand = np.concatenate([start[:, None], cand], axis=1)
    s_low, s_high, s_in, s_out, n_stuck, n_wide = cand
    moved = np.maximum(s_in, s_out)
    feasible = (n_stuck == 0) & (n_wide == 0) & (s_low <= 0) & (s_high >= 0)
    if max_moved is not None:
        feasible &= moved <= max_moved
    return AlphaSweep(cand_keys, feasible, total)


def _deltas(*columns) -> np.ndarray:
    return np.vstack([np.asarray(c, dtype=np.int64) for c in columns])


def _countup(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each (s, c): s, s + 1, ..., s + c - 1, concatenated."""
    counts = np.asarray(counts, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + (np.arange(int(counts.sum())) - offsets)

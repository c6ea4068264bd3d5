"""Bike rebalancing: move bikes so every station ends near the system's fill ratio, at least cost.

Seed 004 (a scipy ``linprog`` over every station pair). eps = sum(bikes) / sum(capacity);
station i must end with an integer number of bikes in its band [ceil((eps - alpha) C_i),
floor((eps + alpha) C_i)] (widened to [floor(eps C_i), ceil(eps C_i)] where that holds no
integer); transfers S_ij >= 0 are whole bikes; the cost is sum of distance_ij x S_ij, plus a
handling cost per bike moved if given.

It is a transshipment with bounds, solved exactly by our network simplex: a hub sends each
station what it may give (flow bounds = how far it sits above its band), transfer arcs carry
bikes from station to station, and each station returns to the hub what it may take. The
network's LP is integral, so whole bikes come for free. A city's stations are solved on every
giver -> taker pair; many thousands start from each station's nearest partners and add the
pairs whose reduced cost against the node potentials is negative until none saves more than
``tolerance`` per bike (``certified=True``, with ``gap_bound`` the proven distance to the
optimum). ``method="highs"`` solves the same LP through HiGHS as a cross-check,
and with ``integer_bikes=False`` the seed's own continuous model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _core
from ._bands import Bands, BandsInfeasibleError, bands_at, net_ranges, sweep_alpha, why_infeasible
from .data.stations import Stations, read_stations
from .exceptions import SolverError, TimeLimitError, ValidationError
from .flow import NetworkFlow, cost_scale, min_cost_flow
from .travel import TravelModel

__all__ = ["RebalancePlan", "rebalance", "BandsInfeasibleError"]

# Giver x taker pairs up to this many go into the model at once; beyond, nearest partners and
# pricing (the dense model's memory grows with the pairs, the priced one with the stations).
_DENSE_PAIRS = 1_000_000
_PER_TAKER = 8  # arcs a pricing round may add per taker (the most negative)


@dataclass(eq=False)
class RebalancePlan:
    """An optimal rebalancing plan.

    Attributes
    ----------
    station_id, xy, capacity, bikes
        The stations as given (x, y km), with the bikes they hold now.
    final_bikes
        Bikes at each station after the transfers.
    lower, upper
        Each station's band of final bikes; ``widened`` marks bands widened to
        [floor(eps C), ceil(eps C)] because the strict band held no integer.
    epsilon, alpha
        The system's fill ratio and the allowed deviation from it.
    transfer_from, transfer_to, transfer_bikes, transfer_km
        One row per transfer: station positions (rows of the stations table), bikes, and the
        distance of one trip.
    cost
        Sum of bikes x (distance + handling cost) over the transfers.
    bikes_moved
        Bikes carried, over all transfers.
    min_feasible_alpha
        The smallest alpha for which a plan exists, computed exactly (the same restrictions).
    certified
        True when every giver -> taker pair was in the model or priced out: no transfer left out
        of the model would save more than the tolerance per bike, so the plan is optimal for
        the complete graph of transfers to within ``gap_bound``.
    gap_bound
        Proven upper bound on ``cost`` minus the optimal cost (same units), from the pricing
        tolerance and the rounding of costs to the network simplex's integers: (tolerance +
        2.5 / scale) x the most bikes any plan can move. None for HiGHS (its own tolerances)
        and for a plan cut short by the time limit.
    arcs_in_model, arcs_priced, rounds, method, time_s
        Transfer arcs in the final model, pairs priced, solve-and-price rounds, the solver,
        seconds.
    """

    station_id: np.ndarray
    xy: np.ndarray
    capacity: np.ndarray
    bikes: np.ndarray
    final_bikes: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    widened: np.ndarray
    epsilon: float
    alpha: float
    transfer_from: np.ndarray
    transfer_to: np.ndarray
    transfer_bikes: np.ndarray
    transfer_km: np.ndarray
    cost: float
    bikes_moved: float
    handling_cost: float
    min_feasible_alpha: float | None
    certified: bool
    gap_bound: float | None
    arcs_in_model: int
    arcs_priced: int
    rounds: int
    method: str
    metric: str
    time_s: float
    lonlat: np.ndarray | None = field(default=None, repr=False)

    @property
    def distance_km(self) -> float:
        """Bike-km: sum of bikes x distance over the transfers."""
        return float(np.dot(self.transfer_bikes, self.transfer_km))

    def to_dict(self) -> dict:
        """JSON-safe summary."""
        widened = self.station_id[self.widened]
        return {
            "stations": int(len(self.station_id)),
            "bikes": int(self.bikes.sum()),
            "docks": int(self.capacity.sum()),
            "epsilon": round(float(self.epsilon), 6),
            "alpha": float(self.alpha),
            "feasible": True,
            "transfers": int(len(self.transfer_bikes)),
            "bikes_moved": _number(self.bikes_moved),
            "cost": round(float(self.cost), 6),
            "distance_km": round(self.distance_km, 6),
            "handling_cost": float(self.handling_cost),
            "widened_stations": int(len(widened)),
            "widened_ids": [_plain(i) for i in widened[:20]],
            "min_feasible_alpha": self.min_feasible_alpha,
            "certified": bool(self.certified),
            "gap_bound": self.gap_bound,
            "method": self.method,
            "metric": self.metric,
            "arcs_in_model": int(self.arcs_in_model),
            "arcs_priced": int(self.arcs_priced),
            "rounds": int(self.rounds),
            "time_s": round(float(self.time_s), 4),
        }

    def to_frame(self):
        """The transfers as a DataFrame: from_id, to_id, bikes, distance_km, cost."""
        import pandas as pd

        return pd.DataFrame(self._transfer_columns())

    def stations_frame(self):
        """Per station: id, capacity, bikes, final_bikes, lower, upper, widened."""
        import pandas as pd

        return pd.DataFrame({"station_id": self.station_id, "capacity": self.capacity,
                             "bikes": self.bikes, "final_bikes": self.final_bikes,
                             "lower": self.lower, "upper": self.upper, "widened": self.widened})

    def to_csv(self, path: str | Path) -> None:
        """Write the transfers as ``from_id,to_id,bikes,distance_km,cost``."""
        cols = self._transfer_columns()
        with open(path, "w") as out:
            out.write(",".join(cols) + "\n")
            for row in zip(*cols.values()):
                out.write("%s,%s,%s,%.6f,%.6f\n" % (row[0], row[1], _number(row[2]), row[3], row[4]))

    def _transfer_columns(self) -> dict[str, np.ndarray]:
        return {"from_id": self.station_id[self.transfer_from],
                "to_id": self.station_id[self.transfer_to], "bikes": self.transfer_bikes,
                "distance_km": self.transfer_km,
                "cost": self.transfer_bikes * (self.transfer_km + self.handling_cost)}

    def plot(self, ax=None, **kwargs):
        """Map of the stations (colored by change) with an arrow per transfer (matplotlib)."""
        from .plot import rebalance_map

        return rebalance_map(self, ax=ax, **kwargs)


def rebalance(stations, alpha: float, *, metric: str = "manhattan", travel: TravelModel | None = None,
              handling_cost: float = 0.0, can_give=None, can_take=None,
              max_bikes_moved: int | None = None, strict_bands: bool = False,
              integer_bikes: bool = True, method: str = "network", tolerance: float = 1e-9,
              time_limit: float | None = None, progress: bool = False) -> RebalancePlan:
    """Move bikes so that every station ends within its band, at least cost.

    Parameters
    ----------
    stations
        A :class:`~shareopt.data.Stations` with bike counts, or what
        :func:`~shareopt.data.read_stations` reads (CSV, GBFS feed or folder, DataFrame).
    alpha
        Allowed deviation of each station's fill from the system's fill ratio eps (>= 0).
    metric
        Distance between stations: ``"manhattan"`` (rectilinear, the seed's) or
        ``"euclidean"`` on x, y km, or ``"haversine"`` on lon/lat. Ignored when ``travel``
        is given.
    travel
        A :class:`~shareopt.travel.TravelModel` (metric and detour).
    handling_cost
        Cost per bike moved, in km-equivalents, on top of the distance (>= 0).
    can_give, can_take
        Which stations may give (take) bikes: boolean masks over the stations or collections
        of station ids. Default: all.
    max_bikes_moved
        Most bikes the plan may carry in all.
    strict_bands
        Raise instead of widening bands that hold no integer.
    integer_bikes
        Whole bikes (default). False: the seed's continuous model, through HiGHS.
    method
        ``"network"`` (our network simplex: exact, or within ``tolerance`` when priced) or
        ``"highs"`` (the same LP through HiGHS, on every giver -> taker pair; a cross-check).
    tolerance
        Pricing stops when no transfer outside the model would save more than this per bike
        (cost units, km by default: 1e-9 is a micrometre). 0 certifies the exact optimum of the
        costs as rounded for the network simplex; the default ends the rounds that only chase
        that rounding (reduced costs of a few units of 1/scale).
    time_limit
        Seconds. A network solve cut short raises :class:`~shareopt.exceptions.TimeLimitError`;
        pricing stopped between rounds returns the plan with ``certified=False``.
    progress
        Show a progress bar over pricing rounds.

    Raises
    ------
    BandsInfeasibleError
        No plan puts every station in its band (an :class:`~shareopt.exceptions.InfeasibleError`
        naming the stations, with ``min_feasible_alpha`` and ``next_feasible_alpha``).
    ValidationError
        No bike counts, a bad alpha, unknown station ids in ``can_give`` / ``can_take``.
    """
    start = time.perf_counter()
    table = stations if isinstance(stations, Stations) else read_stations(stations)
    if table.bikes is None:
        raise ValidationError("rebalancing needs the bikes at each station (no bike counts given)",
                              "no_bikes")
    alpha = _non_negative(alpha, "alpha")
    handling = _non_negative(handling_cost, "handling_cost")
    slack_per_bike = _non_negative(tolerance, "tolerance")
    if method not in ("network", "highs"):
        raise ValueError(f"method must be 'network' or 'highs', not {method!r}")
    if not integer_bikes and method != "highs":
        raise ValueError("integer_bikes=False is the seed's continuous LP: use method='highs'")
    if max_bikes_moved is not None:
        budget = _non_negative(max_bikes_moved, "max_bikes_moved")
        if budget != int(budget):
            raise ValidationError(f"max_bikes_moved must be a whole number >= 0, got {max_bikes_moved!r}",
                                  "bad_max_bikes_moved")
        max_bikes_moved = int(budget)
    travel = travel or TravelModel(metric)
    if travel.metric == "haversine" and table.projection is None:
        raise ValidationError("haversine needs stations with lon/lat", "no_lonlat")
    n = len(table)
    give = _station_mask(can_give, table, "can_give")
    take = _station_mask(can_take, table, "can_take")
    bikes, capacity = table.bikes, table.capacity

    if integer_bikes:
        sweep = sweep_alpha(bikes, capacity, give, take, max_bikes_moved, strict_bands)
        bands, band_tolerance = bands_at(bikes, capacity, alpha), 0.0
    else:
        sweep = _ContinuousSweep(bikes, capacity, give, take, max_bikes_moved)
        bands, band_tolerance = _continuous_bands(bikes, capacity, alpha), sweep.tolerance
    if strict_bands and bands.widened.any():
        _raise_infeasible(table, alpha, "their band holds no whole number of bikes (strict_bands)",
                          np.flatnonzero(bands.widened), sweep)
    low, high = net_ranges(bikes, bands, give, take)
    why = why_infeasible(bikes, capacity, low, high, max_bikes_moved, band_tolerance)
    if why is not None:
        _raise_infeasible(table, alpha, why[0], why[1], sweep)

    places = np.ascontiguousarray(travel.coordinates(table.locations), dtype=np.float64)
    model = _Transshipment(n, low, high, max_bikes_moved)
    if method == "highs":
        flows, stats = model.solve_highs(travel, places, handling, time_limit, integer_bikes)
    else:
        flows, stats = model.solve_network(travel, places, table.xy, handling, slack_per_bike, time_limit,
                                           progress, start)
    tail, head, bikes_moved = _straight_through(*flows)
    km = travel.distance(places[tail], places[head]) if len(tail) else np.zeros(0)
    final = bikes.astype(np.float64 if not integer_bikes else np.int64).copy()
    np.subtract.at(final, tail, bikes_moved)
    np.add.at(final, head, bikes_moved)
    return RebalancePlan(
        station_id=table.station_id, xy=table.xy, capacity=capacity, bikes=bikes,
        final_bikes=final, lower=bands.lower, upper=bands.upper, widened=bands.widened,
        epsilon=float(bikes.sum()) / float(capacity.sum()), alpha=alpha, transfer_from=tail,
        transfer_to=head, transfer_bikes=bikes_moved, transfer_km=km,
        cost=float(np.dot(bikes_moved, km + handling)), bikes_moved=float(bikes_moved.sum()),
        handling_cost=handling, min_feasible_alpha=sweep.min_feasible(), method=method,
        metric=travel.metric, time_s=time.perf_counter() - start,
        lonlat=table.locations.lonlat if table.projection is not None else None, **stats)


class _Transshipment:
    """The network: stations 0..n-1, a hub in (n) and out (n + 1), and in the priced model a
    detour node (n + 2).

    hub_out -> i carries what station i gives (bounds: how far above its band it sits), i -> j
    the transfers, j -> hub_in what j takes, hub_in -> hub_out all bikes moved (the budget).
    """

    def __init__(self, n: int, low, high, max_moved):
        self.n = n
        self.givers = np.flatnonzero(low < 0).astype(np.int32)
        self.takers = np.flatnonzero(high > 0).astype(np.int32)
        hub_in, hub_out = n, n + 1
        g, t = self.givers, self.takers
        self.fixed_tail = np.concatenate([np.full(len(g), hub_out), t, [hub_in]]).astype(np.int32)
        self.fixed_head = np.concatenate([g, np.full(len(t), hub_in), [hub_out]]).astype(np.int32)
        self.fixed_lower = np.concatenate([np.maximum(-high[g], 0), np.maximum(low[t], 0), [0]])
        self.fixed_upper = np.concatenate([-low[g], high[t], [np.inf if max_moved is None else max_moved]])

    def all_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        tail = np.repeat(self.givers, len(self.takers))
        head = np.tile(self.takers, len(self.givers))
        keep = tail != head
        return tail[keep], head[keep]

    def solve_highs(self, travel, places, handling, time_limit, integer_bikes):
        tail, head = self.all_pairs()
        cost = travel.distance(places[tail], places[head]) + handling
        all_tail = np.concatenate([self.fixed_tail, tail])
        all_head = np.concatenate([self.fixed_head, head])
        fixed = len(self.fixed_tail)
        solution = min_cost_flow(
            self.n + 2, all_tail, all_head, np.concatenate([np.zeros(fixed), cost]), np.zeros(self.n + 2),
            lower=np.concatenate([self.fixed_lower, np.zeros(len(tail))]),
            upper=np.concatenate([self.fixed_upper, np.full(len(tail), np.inf)]),
            method="highs", time_limit=time_limit)
        flow = solution.flow[fixed:]
        if integer_bikes:
            rounded = np.round(flow)
            if np.abs(flow - rounded).max(initial=0.0) > 1e-6:
                raise SolverError("HiGHS returned a fractional flow for integer bands", "not_integral")
            flow = rounded.astype(np.int64)
        used = flow > 1e-9
        stats = dict(certified=True, gap_bound=None, arcs_in_model=len(tail), arcs_priced=len(tail),
                     rounds=1)
        return (tail[used], head[used], flow[used]), stats

    def most_moved(self) -> float:
        """The most bikes any plan can move: what the givers can give, the takers take, the
        budget allow."""
        g, t = len(self.givers), len(self.takers)
        return float(min(self.fixed_upper[:g].sum(), self.fixed_upper[g:g + t].sum(), self.fixed_upper[-1]))

    def solve_network(self, travel, places, xy, handling, tolerance, time_limit, progress, start):
        from tqdm.auto import tqdm

        n = self.n
        # Any two stations are at most twice the farthest one from station 0 apart.
        reach = 2.0 * float(travel.distance(np.repeat(places[:1], n, axis=0), places).max(initial=0.0))
        scale = cost_scale(1.01 * (reach + handling) + 1e-9, n + 3)
        bound = int(np.ceil(scale * 1.01 * (reach + handling + 1e-9))) + _core.TRANSFER_TIE + 1
        # Reduced costs above -slack price nothing; beyond the dearest arc a tolerance means
        # "price only what the detour carries", and keeps the C++ sums far from overflow.
        slack = int(min(np.floor(tolerance * scale), bound))
        model = NetworkFlow(n + 3, np.zeros(n + 3, dtype=np.int64), cost_bound=bound)
        dense = len(self.givers) * len(self.takers) <= _DENSE_PAIRS
        fixed_tail, fixed_head = self.fixed_tail, self.fixed_head
        fixed_cost = np.zeros(len(fixed_tail), dtype=np.int64)
        fixed_lower, fixed_upper = self.fixed_lower, self.fixed_upper
        if not dense:
            # A detour through an extra node from every giver to every taker, dearer than any
            # transfer: the first model is feasible whatever the nearest pairs miss, and while
            # it carries bikes some pair prices out (so a certified plan never uses it).
            detour = n + 2
            fixed_tail = np.concatenate([fixed_tail, self.givers, np.full(len(self.takers), detour)])
            fixed_head = np.concatenate([fixed_head, np.full(len(self.givers), detour), self.takers])
            fixed_cost = np.concatenate([fixed_cost, np.full(len(self.givers), bound),
                                         np.zeros(len(self.takers), dtype=np.int64)])
            extra = len(self.givers) + len(self.takers)
            fixed_lower = np.concatenate([fixed_lower, np.zeros(extra)])
            fixed_upper = np.concatenate([fixed_upper, np.full(extra, np.inf)])
        fixed = len(fixed_tail)
        detour_arcs = slice(len(self.fixed_tail), fixed)  # empty in the dense model
        model.add_arcs(fixed_tail, fixed_head, fixed_cost, fixed_lower, fixed_upper)
        tail, head = self.all_pairs() if dense else _nearest_pairs(xy, self.givers, self.takers,
                                                                   travel.metric)
        tails, heads = [tail], [head]
        model.add_arcs(tail, head, _core.transfer_costs(travel.core, places, tail, head, scale, handling))
        priced, rounds, certified = 0, 0, dense
        with tqdm(desc="rebalance", unit=" round", disable=not progress, leave=False) as bar:
            while True:
                model.solve(_remaining(time_limit, start, strict=True))
                rounds += 1
                bar.update(1)
                if certified:
                    break
                if _remaining(time_limit, start) == 0.0:
                    break
                # While the detour carries bikes, price exactly: its bikes may save less than
                # the tolerance per pair, and a plan must not end on the detour.
                on_detour = model.flows()[detour_arcs].any()
                new_tail, new_head, new_cost, pairs = _core.price_transfers(
                    travel.core, places, self.givers, self.takers, model.potentials(), scale,
                    handling, _PER_TAKER, 0 if on_detour else slack)
                priced += pairs
                bar.set_postfix(arcs=sum(len(t) for t in tails), added=len(new_tail))
                if not len(new_tail):
                    certified = True
                    break
                model.add_arcs(new_tail, new_head, new_cost)
                tails.append(new_tail)
                heads.append(new_head)
        flows = model.flows()
        if flows[detour_arcs].any():
            raise TimeLimitError(f"the time limit of {time_limit} s ran out before a plan (pricing "
                                 "had not yet found direct transfers for every bike)")
        flow = flows[fixed:]
        tail, head = np.concatenate(tails), np.concatenate(heads)
        used = flow > 0
        # Our plan's rounded cost is within slack per bike of any plan's that carries no bike
        # through a station, an optimal one among them (only pairs outside the model can price
        # out, by at most slack), and each bike-arc's rounded cost is its real cost + [1.5, 2.5].
        priced_slack = 0 if dense else slack
        gap = (priced_slack + _core.TRANSFER_TIE + 0.5) * self.most_moved() / scale
        stats = dict(certified=certified, gap_bound=gap if certified else None, arcs_in_model=len(tail),
                     arcs_priced=len(tail) if dense else priced, rounds=rounds)
        return (tail[used], head[used], flow[used]), stats


def _continuous_bands(bikes, capacity, alpha) -> Bands:
    """The seed's bands: real numbers of bikes, (eps +- alpha) C clipped to [0, C]."""
    eps = float(bikes.sum()) / float(capacity.sum())
    return Bands(np.maximum((eps - alpha) * capacity, 0.0), np.minimum((eps + alpha) * capacity, capacity),
                 np.zeros(len(bikes), dtype=bool))


class _ContinuousSweep:
    """min_feasible_alpha for the seed's continuous bands: they only widen with alpha, so a
    plan's existence is monotone and bisection finds the threshold (to 1e-12)."""

    def __init__(self, bikes, capacity, give, take, max_moved):
        self.args = bikes, capacity, give, take, max_moved
        self.tolerance = 1e-9 * (1.0 + float(bikes.sum()))

    def feasible(self, alpha: float) -> bool:
        bikes, capacity, give, take, max_moved = self.args
        low, high = net_ranges(bikes, _continuous_bands(bikes, capacity, alpha), give, take)
        return why_infeasible(bikes, capacity, low, high, max_moved, self.tolerance) is None

    def min_feasible(self) -> float | None:
        if self.feasible(0.0):
            return 0.0
        if not self.feasible(1.0):  # every band is [0, C] from alpha = 1 on
            return None
        lo, hi = 0.0, 1.0
        while hi - lo > 1e-12:
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if self.feasible(mid) else (mid, hi)
        return hi

    def next_feasible(self, alpha: float) -> float | None:
        least = self.min_feasible()
        return None if least is None else max(least, alpha)


def _nearest_pairs(xy, givers, takers, metric, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Each taker's k nearest givers and each giver's k nearest takers (planar x, y)."""
    from scipy.spatial import cKDTree

    p = 1 if metric == "manhattan" else 2
    pairs = []
    for source, target, forward in ((givers, takers, True), (takers, givers, False)):
        kk = min(k + 1, len(source))
        _, near = cKDTree(xy[source]).query(xy[target], k=kk, p=p)
        near = near.reshape(len(target), kk)
        other = np.repeat(target, kk)
        found = source[near.ravel()]
        pairs.append((found, other) if forward else (other, found))
    tail = np.concatenate([pairs[0][0], pairs[1][0]]).astype(np.int64)
    head = np.concatenate([pairs[0][1], pairs[1][1]]).astype(np.int64)
    key = np.unique(tail[tail != head] * (len(xy) + 1) + head[tail != head])
    return (key // (len(xy) + 1)).astype(np.int32), (key % (len(xy) + 1)).astype(np.int32)


def _straight_through(tail, head, bikes):
    """Transfers where no station both gives and takes: bikes carried into a station and on from
    it go straight from where they start to where they end instead. Distances obey the triangle
    inequality, so this never costs more; an exact optimum has no such station already (rounded
    costs carry a tie that makes every detour dearer), but one certified within a tolerance may."""
    through = np.intersect1d(tail, head)
    out_of: dict[int, dict[int, object]] = {}
    into: dict[int, dict[int, object]] = {}
    for i, k, b in zip(tail.tolist(), head.tolist(), bikes.tolist()):
        row = out_of.setdefault(i, {})
        row[k] = row.get(k, 0) + b
        into.setdefault(k, {})[i] = row[k]
    # A station that passes bikes on keeps doing so until handled: new transfers i -> k join a
    # giver i and a taker k that already held transfers out and in.
    for j in through.tolist():
        arrive = sorted(into.pop(j).items())
        leave = sorted(out_of.pop(j).items())
        for i, _ in arrive:
            del out_of[i][j]
        for k, _ in leave:
            del into[k][j]
        # Pair what arrives with what leaves in turn (the north-west corner rule).
        a = b = 0
        while a < len(arrive) and b < len(leave):
            (i, came), (k, went) = arrive[a], leave[b]
            moved = min(came, went)
            if i != k:  # bikes that come back where they started stay there
                out_of[i][k] = out_of[i].get(k, 0) + moved
                into[k][i] = into[k].get(i, 0) + moved
            arrive[a], leave[b] = (i, came - moved), (k, went - moved)
            a += arrive[a][1] == 0
            b += leave[b][1] == 0
        for i, rest in arrive[a:]:  # what was not passed on still ends at j
            out_of[i][j] = rest
            into.setdefault(j, {})[i] = rest
        for k, rest in leave[b:]:  # and what j sends of its own still leaves it
            out_of.setdefault(j, {})[k] = rest
            into[k][j] = rest
    triples = [(i, k, n) for i, row in sorted(out_of.items()) for k, n in sorted(row.items()) if n > 0]
    return (np.array([t[0] for t in triples], dtype=tail.dtype), np.array([t[1] for t in triples], dtype=head.dtype),
            np.array([t[2] for t in triples], dtype=bikes.dtype))


def _remaining(time_limit, start, strict: bool = False) -> float | None:
    if time_limit is None:
        return None
    left = time_limit - (time.perf_counter() - start)
    if left <= 0.0 and strict:
        raise TimeLimitError(f"the time limit of {time_limit:g} s ran out before a plan")
    return max(left, 0.0)


def _raise_infeasible(table: Stations, alpha: float, reason: str, rows, sweep) -> None:
    ids = table.station_id[rows]
    shown = ", ".join(str(_plain(i)) for i in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    smallest, following = sweep.min_feasible(), sweep.next_feasible(alpha)
    hint = ("no alpha gives a plan" if smallest is None else
            f"the smallest alpha with a plan is {smallest:.6g}" +
            ("" if following is None or following == smallest else f", the next above {alpha:g} is {following:.6g}"))
    count = f"{len(ids):,} station" + ("" if len(ids) == 1 else "s")
    raise BandsInfeasibleError(f"no rebalancing plan at alpha={alpha:g}: {count} ({shown}): "
                               f"{reason}; {hint}", ids, smallest, following)


def _station_mask(selection, table: Stations, name: str) -> np.ndarray:
    n = len(table)
    if selection is None:
        return np.ones(n, dtype=bool)
    values = np.asarray(selection)
    if values.dtype == bool:
        if values.shape != (n,):
            raise ValidationError(f"{name}: a boolean mask needs one entry per station ({n})", "bad_mask")
        return values.copy()
    wanted = values.ravel()
    ids = table.station_id
    if ids.dtype.kind in "iu" and wanted.dtype.kind not in "iu":
        try:
            as_int = wanted.astype(np.int64)
            if np.array_equal(as_int, wanted.astype(np.float64)):  # 3.0 is station 3, 1.7 is none
                wanted = as_int
        except (TypeError, ValueError):
            pass
    elif ids.dtype.kind not in "iu":
        wanted = wanted.astype(str)
    known = np.isin(wanted, ids)
    if not known.all():
        missing = ", ".join(str(_plain(v)) for v in wanted[~known][:10])
        raise ValidationError(f"{name}: unknown station ids {missing}", "unknown_id",
                              np.flatnonzero(~known))
    return np.isin(ids, wanted)


def _non_negative(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a number, got {value!r}", "bad_" + name) from None
    if not np.isfinite(value) or value < 0:
        raise ValidationError(f"{name} must be finite and >= 0, got {value}", "bad_" + name)
    return value


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value

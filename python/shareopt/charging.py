"""Charging ports at car-sharing stations: failure curves by replay, then the best ports for a budget.

The method, in three steps:

1. **Replay.** Each station's reservation events (returning cars that need a port, customers
   that need a car charged enough for their trip) are replayed in C++ with P + k ports for
   k = 0..K, giving failures(s, k) for cars and for parking (:func:`failure_curves`).
2. **Allocate.** Choose k per station to minimize w_car x car failures + w_park x park
   failures with total cost <= budget: a multiple-choice knapsack, solved as a HiGHS MIP
   from arrays (gap reported), or by the greedy marginal rule when every curve is convex and
   every port costs the same, where that rule is exact (:func:`plan_ports`).
3. **Check.** The chosen ports are replayed again and the failures compared with the ones
   the curves predicted (:attr:`PortPlan.resimulated`).

The model is separable: a station's events do not change when another station gets ports.
:func:`resimulate_network` measures what that leaves out, on synthetic data, by running the
whole network (cars driving the trips) with the new ports.
"""

from __future__ import annotations

import itertools
import math
import os
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import _core
from ._allocation import Allocation, Frontier, allocate, frontier
from .data.charging_tables import ChargingData, read_charging
from .data.report import DataWarning
from .exceptions import TimeLimitError, ValidationError

__all__ = ["FailureCurves", "PortPlan", "failure_curves", "plan_ports", "port_frontier",
           "replay_ports", "resimulate_network"]


@dataclass(frozen=True)
class FailureCurves:
    """Failures by station and ports added, from the replay.

    Attributes
    ----------
    station_id : ndarray
    ports, max_added : ndarray of int64
    car, park : ndarray of float64, shape (n, K + 1)
        Failed car and park reservations with k ports added; NaN past ``max_added``.
    """

    station_id: np.ndarray
    ports: np.ndarray
    max_added: np.ndarray
    car: np.ndarray
    park: np.ndarray

    def weighted(self, weights=(1.0, 1.0)) -> np.ndarray:
        """w_car x car + w_park x park, shape (n, K + 1)."""
        w_car, w_park = _weights(weights)
        return w_car * self.car + w_park * self.park

    def to_dict(self) -> dict:
        return {"stations": int(self.station_id.size),
                "baseline_car_failures": int(self.car[:, 0].sum()),
                "baseline_park_failures": int(self.park[:, 0].sum()),
                "max_added": int(self.max_added.max(initial=0))}

    def plot(self, stations=None, ax=None):
        """Car and park failures against ports added, for some stations (default: the 8 worst)."""
        from .plot import _pyplot

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        if stations is None:
            stations = np.argsort(-(self.car[:, 0] + self.park[:, 0]), kind="stable")[:8]
        k = np.arange(self.car.shape[1])
        for s in stations:
            line, = ax.plot(k, self.park[s], marker="o", label=f"{self.station_id[s]} park")
            ax.plot(k, self.car[s], marker="s", linestyle="--", color=line.get_color(), label=f"{self.station_id[s]} car")
        ax.set_xlabel("ports added")
        ax.set_ylabel("failed reservations")
        ax.legend(fontsize="small", ncol=2)
        return ax


def failure_curves(data, *, max_added=None, threads: int | None = None, progress: bool = False,
                   time_limit: float | None = None) -> FailureCurves:
    """Replay every station with P + k ports for k = 0..max_added.

    Parameters
    ----------
    data
        :class:`~shareopt.data.charging_tables.ChargingData`, or what :func:`read_charging`
        reads (a folder, a dict of tables).
    max_added
        Override the stations' ``max_added_ports`` (an int or one per station).
    threads
        Worker threads (default: every core).
    progress
        Show a progress bar over the events replayed.
    time_limit
        Seconds; past it, :class:`~shareopt.exceptions.TimeLimitError` says how far it got.
    """
    data = _as_data(data)
    added = data.max_added if max_added is None else np.broadcast_to(np.asarray(max_added), data.max_added.shape)
    if np.any(added < 0) or np.any(added != np.round(added)):
        raise ValidationError("max_added must be whole numbers >= 0", "bad_max_added", np.flatnonzero(added < 0))
    car, park = _replay(data, data.ports, np.asarray(added, dtype=np.int32), threads, progress, time_limit)
    car, park = car.astype(np.float64), park.astype(np.float64)
    car[car < 0] = np.nan
    park[park < 0] = np.nan
    return FailureCurves(data.station_id, data.ports, np.asarray(added, dtype=np.int64), car, park)


def replay_ports(data, added=None, *, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Failed car and park reservations per station with ``ports + added`` ports (a replay)."""
    data = _as_data(data)
    extra = np.zeros(data.n_stations, np.int64) if added is None else np.asarray(added, dtype=np.int64)
    if extra.shape != (data.n_stations,) or np.any(extra < 0):
        raise ValidationError(f"added must be {data.n_stations} whole numbers >= 0", "bad_added")
    car, park = _replay(data, data.ports + extra, np.zeros(data.n_stations, np.int32), threads, False, None)
    return car[:, 0], park[:, 0]


_BATCHES = 20  # slices of the stations when a bar or a time limit needs news along the way


def _replay(data: ChargingData, ports, added, threads, progress: bool, time_limit: float | None):
    """The C++ replay over every station, whole or in slices of about equal event counts."""
    from tqdm.auto import tqdm

    events = data.events()
    ports = np.asarray(ports, dtype=np.int32)
    rate = data.charge_rate / 3600.0
    n = data.n_stations
    slices = 1 if not (progress or time_limit is not None) else min(_BATCHES, max(n, 1))
    cut = np.unique(np.searchsorted(events.offsets, np.linspace(0, events.n_events, slices + 1)[1:-1]))
    bounds = [0, *[int(c) for c in cut if 0 < c < n], n]
    deadline = None if time_limit is None else time.perf_counter() + float(time_limit)
    cars, parks = [], []
    with tqdm(total=events.n_events, desc="replay", unit=" events", disable=not progress, leave=False) as bar:
        for a, b in itertools.pairwise(bounds):
            lo, hi = events.offsets[a], events.offsets[b]
            ilo, ihi = events.initial_offsets[a], events.initial_offsets[b]
            car, park = _core.port_failure_curves(
                events.offsets[a:b + 1] - lo, events.time[lo:hi], events.expiry[lo:hi], events.charge[lo:hi],
                events.kind[lo:hi], events.initial_offsets[a:b + 1] - ilo, events.initial_charge[ilo:ihi], 0.0,
                ports[a:b], rate[a:b], added[a:b], _threads(threads))
            cars.append(car)
            parks.append(park)
            bar.update(int(hi - lo))
            if deadline is not None and time.perf_counter() > deadline and b < n:
                raise TimeLimitError(f"time limit of {time_limit} s reached after replaying {b:,} of {n:,} "
                                     f"stations", "time limit")
    width = int(added.max(initial=0)) + 1

    def joined(parts):  # slices may be narrower than the widest station's curve
        return np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1])), constant_values=-1) for p in parts])

    return joined(cars), joined(parks)


@dataclass(frozen=True)
class PortPlan:
    """Ports to add per station, with failures before, predicted and re-simulated.

    Attributes
    ----------
    station_id, ports, added : ndarray
    cost, budget : float
    weights : tuple of float
    baseline, predicted, resimulated : dict
        ``{"car": n, "park": n, "weighted": x}`` with today's ports, as the curves predict
        with the plan, and as a new replay with the plan's ports finds.
    method, case : str
        ``"mip"`` or ``"greedy"``; the curves' case (``"convex_equal_cost"`` when greedy is
        exact, ``"nonconvex"`` or ``"unequal_cost"``).
    exact : bool
        Proved optimal (greedy on convex curves with equal costs, or MIP within its gap 0).
    mip_gap : float
    time_s : float
    recorded : dict or None
        ``{"car": n, "park": n}`` failures the tables record (their ``event_status``), when
        they say; a replay with today's ports should give the same (``baseline``), and a
        :class:`~shareopt.data.DataWarning` says so when it does not.
    curves : FailureCurves
    frontier : Frontier or None
    """

    station_id: np.ndarray
    ports: np.ndarray
    added: np.ndarray
    cost: float
    budget: float
    weights: tuple[float, float]
    baseline: dict
    predicted: dict
    resimulated: dict
    method: str
    case: str
    exact: bool
    mip_gap: float
    time_s: float
    curves: FailureCurves = field(repr=False)
    frontier: Frontier | None = field(default=None, repr=False)
    recorded: dict | None = None

    def to_dict(self) -> dict:
        """JSON-safe summary (no per-station arrays)."""
        out = {"stations": int(self.station_id.size), "budget": float(self.budget), "cost": float(self.cost),
               "ports_added": int(self.added.sum()), "stations_with_ports": int(np.count_nonzero(self.added)),
               "weights": list(self.weights), "baseline_failures": self.baseline,
               "predicted_failures": self.predicted, "resimulated_failures": self.resimulated,
               "method": self.method, "case": self.case, "exact": bool(self.exact),
               "mip_gap": _finite(self.mip_gap), "recorded_failures": self.recorded,
               "time_s": round(float(self.time_s), 4)}
        if self.frontier is not None:
            out["frontier"] = self.frontier.to_dict()
        return out

    def to_frame(self):
        """One row per station: ports, added, and the failures before and after (pandas)."""
        import pandas as pd

        k = self.added
        rows = np.arange(k.size)
        return pd.DataFrame({"station_id": self.station_id, "ports": self.ports, "added": k,
                             "car_failures_before": self.curves.car[:, 0], "park_failures_before": self.curves.park[:, 0],
                             "car_failures_after": self.curves.car[rows, k], "park_failures_after": self.curves.park[rows, k]})

    def to_csv(self, path) -> None:
        """Write station_id, ports, added (the plan) as CSV."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("station_id,ports,added\n")
            handle.writelines(f"{sid},{int(p)},{int(a)}\n"
                              for sid, p, a in zip(self.station_id, self.ports, self.added))

    def plot(self, ax=None):
        """The budget frontier when the plan has one, else the ports added per station."""
        if self.frontier is not None:
            ax = self.frontier.plot(ax=ax)
            ax.axvline(self.budget, color="0.4", linestyle=":", label="budget")
            return ax
        from .plot import _pyplot

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        chosen = np.flatnonzero(self.added)
        ax.bar(np.arange(chosen.size), self.added[chosen])
        ax.set_xticks(np.arange(chosen.size), [str(s) for s in self.station_id[chosen]], rotation=90, fontsize="x-small")
        ax.set_ylabel("ports added")
        return ax


def plan_ports(data, budget: float, *, weights=(1.0, 1.0), method: str = "auto",
               time_limit: float | None = None, mip_gap: float | None = None,
               with_frontier: bool = False, frontier_points: int | None = None, threads: int | None = None,
               progress: bool = False) -> PortPlan:
    """The ports to add per station that fail the fewest weighted reservations within a budget.

    Parameters
    ----------
    data
        :class:`~shareopt.data.charging_tables.ChargingData` or what :func:`read_charging` reads.
    budget
        Most total cost of the added ports.
    weights
        (w_car, w_park): the weight of a failed car reservation and of a failed park one.
    method
        ``"auto"`` (greedy where it is exact, else the MIP), ``"mip"`` or ``"greedy"``.
    time_limit
        Seconds for the whole plan: the replay stops with
        :class:`~shareopt.exceptions.TimeLimitError` past it; the MIP gets what is left and,
        when it runs out, returns its best allocation with the gap (``exact=False``).
    mip_gap
        Relative gap at which HiGHS may stop (default 0: proven optimal).
    with_frontier, frontier_points
        Also compute the whole budget frontier (:func:`port_frontier`; ``frontier_points``
        budgets when it has to fall back to the MIP).
    progress
        Show a progress bar over the replay.

    Returns
    -------
    PortPlan
    """
    started = time.perf_counter()
    data = _as_data(data)
    budget = _budget(budget)
    w = _weights(weights)
    curves = failure_curves(data, threads=threads, progress=progress, time_limit=time_limit)
    weighted = curves.weighted(w)
    left = None if time_limit is None else max(0.01, float(time_limit) - (time.perf_counter() - started))
    chosen: Allocation = allocate(weighted, data.cost_per_port, curves.max_added, budget, method=method,
                                  time_limit=left, mip_gap=mip_gap)
    added = chosen.added
    car, park = replay_ports(data, added, threads=threads)
    rows = np.arange(added.size)
    plan_frontier = _frontier(weighted, data.cost_per_port, curves.max_added, None, "auto", frontier_points) \
        if with_frontier else None
    recorded = _recorded(data, curves)
    return PortPlan(
        station_id=data.station_id, ports=data.ports, added=added, cost=float(chosen.cost), budget=budget,
        weights=w, baseline=_summary(curves.car[:, 0], curves.park[:, 0], w),
        predicted=_summary(curves.car[rows, added], curves.park[rows, added], w),
        resimulated=_summary(car, park, w), method=chosen.method, case=chosen.case, exact=chosen.exact,
        mip_gap=chosen.mip_gap, time_s=time.perf_counter() - started, curves=curves, frontier=plan_frontier,
        recorded=recorded)


def port_frontier(data, *, weights=(1.0, 1.0), max_budget: float | None = None, method: str = "auto",
                  points: int | None = None, threads: int | None = None) -> Frontier:
    """Least weighted failures for every budget from 0 to ``max_budget``.

    ``method="auto"`` is exact: the greedy order when every curve is convex and every port
    costs the same, else a dynamic program over the budget in the costs' common unit. When
    that would need too many budget steps (costs in cents over a large budget), it solves the
    MIP at ``points`` budgets instead (default 41) and says so (``method="mip"``, with
    ``proven`` per budget, ``exact=False``). ``method`` may also be "greedy", "dp" or "mip".
    """
    data = _as_data(data)
    curves = failure_curves(data, threads=threads)
    return _frontier(curves.weighted(_weights(weights)), data.cost_per_port, curves.max_added, max_budget,
                     method, points)


_FRONTIER_POINTS = 41


def _frontier(weighted, cost, max_added, max_budget, method: str, points: int | None) -> Frontier:
    try:
        return frontier(weighted, cost, max_added, max_budget, method=method,
                        points=points if method == "mip" else None)
    except ValidationError as err:
        if method != "auto" or err.reason not in ("too_large", "no_cost_unit"):
            raise
    return frontier(weighted, cost, max_added, max_budget, method="mip", points=points or _FRONTIER_POINTS)


def _recorded(data: ChargingData, curves: FailureCurves) -> dict | None:
    """The failures the tables record, with a warning when today's replay does not agree."""
    summary = data.summary()
    car, park = summary["recorded_car_failures"], summary["recorded_park_failures"]
    if car is None or park is None:
        return None
    replayed = (int(np.nansum(curves.car[:, 0])), int(np.nansum(curves.park[:, 0])))
    if (car, park) != replayed:
        warnings.warn(f"the tables record {car:,} failed car and {park:,} failed park reservations, "
                      f"a replay with today's ports gives {replayed[0]:,} and {replayed[1]:,}: the "
                      "history does not follow the replay's rules (see shareopt.charging), so the "
                      "curves may be off", DataWarning, stacklevel=3)
    return {"car": car, "park": park}


def resimulate_network(synthetic, added) -> dict:
    """Run the whole synthetic network again with ``added`` ports: what the separable model misses.

    A customer who now gets a car drives it to a destination, where it needs a port that the
    per-station replay did not ask for; this simulation has those knock-on effects.

    Returns
    -------
    dict
        ``{"car": n, "park": n}`` failed reservations in the network with the new ports.
    """
    demand = dict(synthetic.demand)
    extra = np.asarray(added, dtype=np.int64)
    if extra.shape != demand["ports"].shape or np.any(extra < 0):
        raise ValidationError("added must be one whole number >= 0 per station", "bad_added")
    for key in ("epoch", "km"):
        demand.pop(key, None)
    demand["ports"] = (demand["ports"] + extra).astype(np.int32)
    log = _core.simulate_charging_network(**demand)
    return {"car": int(np.count_nonzero(log["served"] == 0)), "park": int(np.count_nonzero(log["parked"] == 0))}


def _summary(car: np.ndarray, park: np.ndarray, weights: tuple[float, float]) -> dict:
    c, p = int(np.nansum(car)), int(np.nansum(park))
    return {"car": c, "park": p, "weighted": weights[0] * c + weights[1] * p}


def _as_data(data) -> ChargingData:
    return data if isinstance(data, ChargingData) else read_charging(data)


def _weights(weights) -> tuple[float, float]:
    try:
        w_car, w_park = (float(w) for w in weights)
    except (TypeError, ValueError):
        raise ValidationError(f"weights must be two numbers (car, park), got {weights!r}", "bad_weights") from None
    if not (w_car >= 0 and w_park >= 0 and math.isfinite(w_car) and math.isfinite(w_park)) or w_car + w_park == 0:
        raise ValidationError(f"weights must be finite, >= 0 and not both 0, got {weights!r}", "bad_weights")
    return w_car, w_park


def _budget(budget) -> float:
    value = float(budget)
    if not (value >= 0) or not math.isfinite(value):
        raise ValidationError(f"budget must be a finite number >= 0, got {budget!r}", "bad_budget")
    return value


def _threads(threads: int | None) -> int:
    if threads is None:
        return max(1, os.cpu_count() or 1)
    if int(threads) < 1:
        raise ValidationError(f"threads must be >= 1, got {threads!r}", "bad_threads")
    return int(threads)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None

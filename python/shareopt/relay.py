"""Scooter relays (seed 003): place scooters so commutes longer than one charge get done.

A commute i -> j (demand h, time budget C) is served when a path of open arcs leads from i to
j within C. Arc a -> b is open when a scooter placed at a still reaches b on its charge
(``d_ab <= range``): the rider swaps scooters at every stop. Place the scooters (each at one
location at most) to serve the most demand; among such placements, move the fewest.

The model is the seed's (X: scooters at places, H: open arcs, Y: served commutes, P: each
commute's path), made small enough to solve:

- pruning: commute i -> j keeps arc a -> b only if ``sp(i, a) + c_ab + sp(b, j) <= C``, with
  sp the least time over every usable arc (as if scooters stood everywhere), since no path
  within budget can use another arc. Commutes that even sp cannot serve drop out.
- no symmetric copies: without current locations or a capacity only how far each place
  reaches matters (levels, with Hall's condition on the scooters' ranges); otherwise scooters
  of one range and current location are counted per place, as a group.
- only the placement is integer: for a whole placement, the optimum over continuous paths and
  served shares is exactly the demand it serves (see :mod:`shareopt._relay_model`).
- two starts: a greedy placement (most demand per new scooter first) and one rounded from the
  LP relaxation; when the rounded one meets the relaxation's bound, that proves it at once.
- without a capacity the answer is read from the placement itself: open arcs, then the
  fastest open path of each commute (with a capacity, from the MIP's paths).
- ``time_limit`` covers the whole solve: every stage looks at the clock between its steps.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ._kernels_relay import (
    build_network,
    greedy_placement,
    path_arcs,
    served_by_placement,
)
from ._relay_model import build_model, paths_from_flow
from .data.relay_tables import RelayData, read_relay, synthetic_relay
from .exceptions import SolverError, TimeLimitError, ValidationError
from .travel import METRICS, TravelModel

__all__ = ["RelayData", "RelayPlan", "read_relay", "solve_relays", "synthetic_relay"]

UNSERVABLE = "no path within budget even with scooters everywhere"
NOT_CHOSEN = "not served by the placement"
# With a time limit only (without one no stage is cut by the clock):
_GREEDY_SHARE = 1.0 / 3.0    # of the time left, at most, for the greedy start
_TIE_BREAK_MIN_S = 10.0      # phase two gets as long as phase one took, at least this (within the limit)
_LOW_TIME_S = 0.05           # less time left than this: skip the stage (greedy, MIP, tie-break)
_RELAXATION_SHARE = 0.5      # of the time left, at most, for the LP relaxation (the rounding start)
_ROUNDED_MIP_SHARE = 0.25    # and for the small MIP it rounds to
_BOUND_TOLERANCE = 1e-6      # relative: served demand above the bound by more is a bug


@dataclass(frozen=True, eq=False)
class RelayPlan:
    """Where the scooters stand, which commutes that serves, and how sure we are.

    Attributes
    ----------
    location : ndarray of int64
        Location index of each scooter (-1: not placed). Scooters with a current location
        that the plan does not need stay there.
    counts : ndarray of int64
        Scooters per location.
    open_arcs : ndarray (n, 2) of int64
        Arcs (a, b) some placed scooter at a reaches.
    served : ndarray of bool
        Commutes with an open path within budget (with a capacity: the MIP's choice, whose
        riders can be assigned to scooters).
    servable : ndarray of bool
        Commutes some placement could serve (a path within budget over every usable arc).
    path_time_s : ndarray
        Time of each commute's fastest open path, ``swap_time_s`` at every relay (every leg
        after the first) included; inf when it has none.
    paths : list
        For each commute, the locations of its path (the fastest open one), or None.
    served_demand, total_demand : float
    scooters_used, scooters_moved : int
        Scooters placed; placed elsewhere than their current location (all placed scooters
        when none has one).
    move_cost : float or None
        Moving cost of the plan, when costs and current locations are given.
    bound : float
        No placement serves more demand than this (HiGHS's dual bound, the LP bound, or the
        demand of the servable commutes).
    mip_gap : float
        ``(bound - served_demand) / bound``.
    proven : bool
        The served demand is proven optimal within the ``mip_gap`` asked for (by HiGHS, or by
        the LP bound: status "optimal (LP bound)"), and ``mip_gap`` is within it.
    status : str
        Status of the main solve; one naming the time limit when it stopped a stage.
    mip_objective : float or None
        Its objective. Without a capacity ``served_demand`` is read from the placement and
        is normally at least this (it may be less only by a path the MIP took over budget
        within HiGHS's feasibility tolerance, 1e-6); with a capacity it is the MIP's.
    greedy_demand, rounded_demand : float or None
        Demand served by the greedy start and by the LP-rounding start (None: not run).
    greedy_status : str
        "complete", "time limit" (stopped between rounds: the scooters placed so far stand),
        "skipped (time limit)" or "not run" (with a capacity or a move budget, or
        ``warm_start=False``).
    tie_break : str
        Phase two (fewest scooters moved): "optimal", "time limit", "skipped" (by
        ``tie_break=False`` or for lack of time) or "not needed" (nothing moved or served).
    arcs_unpruned, arcs_usable, arcs_kept : int
        Path variables: the seed's (every ordered pair for every commute), those within the
        longest range for servable commutes, and those kept by pruning.
    model_columns, model_rows : int
        Size of the MIP (0 when the time limit stopped its build).
    timings : dict
        Seconds per stage: network, greedy, model, rounding, mip, tie_break.
    time_s : float
        The whole solve.
    """

    data: RelayData = field(repr=False)
    location: np.ndarray
    counts: np.ndarray
    open_arcs: np.ndarray
    served: np.ndarray
    servable: np.ndarray
    path_time_s: np.ndarray
    paths: list = field(repr=False)
    served_demand: float
    total_demand: float
    scooters_used: int
    scooters_moved: int
    move_cost: float | None
    bound: float
    mip_gap: float
    proven: bool
    status: str
    mip_objective: float | None
    greedy_demand: float | None
    rounded_demand: float | None
    greedy_status: str
    tie_break: str
    arcs_unpruned: int
    arcs_usable: int
    arcs_kept: int
    model_columns: int
    model_rows: int
    metric: str
    timings: dict
    time_s: float

    @property
    def served_share(self) -> float:
        """Served demand over total demand (0 when there is none)."""
        return self.served_demand / self.total_demand if self.total_demand > 0 else 0.0

    def reasons(self) -> np.ndarray:
        """Per commute: "served", or why not."""
        out = np.full(self.served.size, NOT_CHOSEN, dtype=object)
        out[~self.servable] = UNSERVABLE
        out[self.served] = "served"
        return out

    def to_dict(self) -> dict:
        """JSON-safe summary (non-finite numbers become None)."""
        summary = {
            "locations": self.data.n_locations, "scooters": self.data.n_scooters, "commutes": self.data.n_commutes,
            "served_demand": self.served_demand, "total_demand": self.total_demand,
            "served_share": round(self.served_share, 6),
            "servable_demand": float(self.data.demand[self.servable].sum()),
            "served_commutes": int(self.served.sum()), "servable_commutes": int(self.servable.sum()),
            "unservable_commutes": int((~self.servable).sum()),
            "scooters_used": self.scooters_used, "scooters_moved": self.scooters_moved, "move_cost": self.move_cost,
            "locations_with_scooters": int(np.count_nonzero(self.counts)), "open_arcs": int(self.open_arcs.shape[0]),
            "bound": self.bound, "mip_gap": self.mip_gap, "proven": bool(self.proven), "status": self.status,
            "mip_objective": self.mip_objective, "greedy_demand": self.greedy_demand,
            "rounded_demand": self.rounded_demand, "greedy_status": self.greedy_status, "tie_break": self.tie_break,
            "arcs_unpruned": self.arcs_unpruned, "arcs_usable": self.arcs_usable, "arcs_kept": self.arcs_kept,
            "model_columns": self.model_columns, "model_rows": self.model_rows, "metric": self.metric,
            "timings_s": dict(self.timings), "time_s": round(self.time_s, 4),
        }
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in summary.items()}

    def to_frame(self):
        """One row per scooter: scooter, location (None: not placed), range_km, home, moved."""
        import pandas as pd

        ids = self.data.location_id
        placed = self.location >= 0
        home = self.data.home
        return pd.DataFrame({
            "scooter": self.data.scooter_id,
            "location": np.where(placed, ids[np.maximum(self.location, 0)], None),
            "range_km": self.data.range_km,
            "home": np.where(home >= 0, ids[np.maximum(home, 0)], None),
            "moved": placed & (self.location != home),
        })

    def commutes_frame(self):
        """One row per commute: ids, demand, budget, served, path time, path, reason."""
        import pandas as pd

        ids = self.data.location_id
        return pd.DataFrame({
            "commute": self.data.commute_id, "origin": ids[self.data.origin],
            "destination": ids[self.data.destination], "demand": self.data.demand,
            "budget_s": self.data.budget_s, "served": self.served,
            "path_time_s": np.where(self.served, self.path_time_s, np.nan),
            "path": [">".join(ids[p]) if p is not None else "" for p in self.paths],
            "reason": self.reasons(),
        })

    def plot(self, ax=None, max_paths: int = 300):
        """A map: candidate locations, placed scooters, served paths (:func:`shareopt.plot.relay_map`)."""
        from .plot import relay_map

        return relay_map(self, ax=ax, max_paths=max_paths)


def solve_relays(locations, scooters=None, commutes=None, *, full_range_km: float | None = None,
                 speed_kmh: float = 15.0, metric: str | None = None, swap_time_s: float = 0.0,
                 capacity: float | None = None, move_cost_per_km: float | None = None,
                 move_budget: float | None = None, time_limit: float | None = None, mip_gap: float = 1e-4,
                 warm_start: bool = True, rounding: bool = True, tie_break: bool = True,
                 binary_served: bool = False, progress: bool = False) -> RelayPlan:
    """Place scooters to serve the most commute demand (then move the fewest).

    Parameters
    ----------
    locations, scooters, commutes
        The three tables (see :func:`read_relay`): DataFrames, dicts of columns or paths; or
        a :class:`RelayData` (or a folder) as ``locations`` alone.
    full_range_km
        Range of a full charge, when the scooters table gives ``charge``.
    speed_kmh
        Scooter speed (:class:`~shareopt.travel.TravelModel`).
    metric
        Distance metric; default haversine for lon/lat places, else manhattan.
    swap_time_s
        Time lost at each relay (every leg after the first); default 0, as the seed.
    capacity
        Commuters one scooter can carry (default None: unlimited, as the seed). With a
        capacity, each commute's riders ride one path and need a scooter each leg.
    move_cost_per_km, move_budget
        With current locations: standing a scooter at a costs distance(home, a) x
        move_cost_per_km (default 1: the budget is in km), in total at most move_budget.
    time_limit
        Seconds for the whole solve (default None: no stage is cut by the clock, and the
        same input gives the same plan). Every stage looks at the clock between its steps:
        the network (least times and pruning), the greedy start (between rounds, at most a
        third of the time left), the MIP's build, the LP rounding, HiGHS and the tie-break.
        A stopped solve keeps the best placement so far and says so (``status``,
        ``greedy_status``, ``proven``, ``bound``, ``mip_gap``). One step can run past the
        limit by its own length (a greedy round, a block of the MIP's rows).
    mip_gap
        Relative gap at which HiGHS stops (default 1e-4).
    warm_start
        Start HiGHS from the greedy placement (default True; not with a capacity or a move
        budget, where that placement may not be allowed).
    rounding
        Also try a start rounded from the LP relaxation (RENS-style; without a capacity):
        it often matches the relaxation's bound, which then proves it optimal at once.
    tie_break
        Phase two: fewest scooters moved among placements serving as much (default True).
        With a time limit it gets as long as phase one took (at least 10 s) within the limit;
        without one it runs to the end.
    binary_served
        Declare Y binary (an experiment: exactness does not need it).
    progress
        Show the stages on stderr (tqdm).

    Returns
    -------
    RelayPlan

    Raises
    ------
    ValidationError
        Bad tables (see :func:`read_relay`), a budget below the direct time of its commute
        (naming the commute rows), or a bad parameter.
    TimeLimitError
        The time limit passed before the network (least times, pruning) was built: without
        it no placement can be judged.
    """
    from tqdm.auto import tqdm

    started = _clock()
    data = locations if isinstance(locations, RelayData) else (
        read_relay(locations, full_range_km=full_range_km) if scooters is None and commutes is None
        else read_relay(locations=locations, scooters=scooters, commutes=commutes, full_range_km=full_range_km))
    _check_parameters(speed_kmh, swap_time_s, capacity, move_cost_per_km, move_budget, time_limit, mip_gap)
    metric = metric or ("haversine" if data.lonlat is not None else "manhattan")
    if metric not in METRICS:
        raise ValidationError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}", "bad_metric")
    if metric == "haversine" and data.lonlat is None:
        raise ValidationError("the haversine metric needs lon, lat locations; these are x, y km", "bad_metric")
    if move_budget is not None:
        homeless = np.flatnonzero(data.home < 0)
        if homeless.size:
            raise ValidationError(f"a move budget needs every scooter's current location; scooters rows "
                                  f"{_first(homeless)} have no location_id", "no_location", homeless)
    move_cost_per_km = 1.0 if move_cost_per_km is None and move_budget is not None else move_cost_per_km
    out_of_time = None if time_limit is None else (lambda: _left(time_limit, started) <= 0.0)

    with tqdm(total=5, desc="relays", disable=not progress, leave=False) as bar:
        bar.set_postfix_str("network")
        travel = TravelModel(metric, speed_kmh=speed_kmh)
        dist = travel.distance_matrix(data.lonlat if metric == "haversine" else data.xy)
        times = travel.drive_time(dist.ravel()).reshape(dist.shape)
        _check_budgets(data, times)
        net = build_network(dist, times, float(data.range_km.max()), float(swap_time_s), data.origin,
                            data.destination, data.demand, data.budget_s, out_of_time=out_of_time)
        info = {"greedy_demand": None, "rounded_demand": None, "mip_objective": None, "status": "not run",
                "proven": False, "bound": float(net.demand[net.servable].sum()), "tie_break": "not needed",
                "greedy_status": "not run", "timings": {"network": _clock() - started}}
        bar.update()

        bar.set_postfix_str("greedy")
        clock = _clock()
        location, greedy = np.full(data.n_scooters, -1, np.int64), None
        if warm_start and capacity is None and move_budget is None:
            location, greedy = _greedy_stage(net, data, info, time_limit, started)
        info["timings"]["greedy"] = _clock() - clock
        bar.update()

        bar.set_postfix_str("model")
        clock = _clock()
        try:
            model = build_model(net, data.range_km, data.home, capacity=capacity, move_cost_per_km=move_cost_per_km,
                                move_budget=move_budget, binary_y=binary_served, out_of_time=out_of_time)
        except TimeLimitError:
            model = None
            info["status"] = f"time limit while building the MIP ({_kept(greedy)})"
        info["timings"]["model"] = _clock() - clock
        bar.update()

        bar.set_postfix_str("MIP")
        solution = None  # the MIP's (or the proven rounding's) solution, whose placement is location
        if model is not None:
            solution, location = _phase_one(net, model, data, location, greedy, info, started, time_limit, mip_gap,
                                            rounding and capacity is None, bar)
        bar.update()

        bar.set_postfix_str("tie-break")
        clock = _clock()
        served = _served(net, model, solution, location, data.range_km, capacity)
        if solution is None:
            info["tie_break"] = "not needed" if info["status"] == "nothing to serve" else "skipped"
        elif _moved(location, data.home) == 0:
            info["tie_break"] = "not needed"
        elif not tie_break:
            info["tie_break"] = "skipped"
        else:
            location, served = _phase_two(net, model, data, location, served, info, started, time_limit, mip_gap,
                                          capacity)
        info["timings"]["tie_break"] = _clock() - clock
        bar.update()

    if data.has_homes:  # scooters the plan does not need stay where they are
        idle = (location < 0) & (data.home >= 0)
        location[idle] = data.home[idle]
        if capacity is None:
            served = _served(net, model, None, location, data.range_km, None)
    return _plan(data, net, model, location, served, info, dist, move_cost_per_km, metric, mip_gap, started)


def _greedy_stage(net, data, info, time_limit, started):
    """The greedy start within its share of the time left: (location, what it serves) or no start."""
    left = _left(time_limit, started)
    if left is not None and left <= _LOW_TIME_S:
        info["greedy_status"] = "skipped (time limit)"
        return np.full(data.n_scooters, -1, np.int64), None
    stop = None if left is None else _clock() + _GREEDY_SHARE * left
    location, info["greedy_status"] = greedy_placement(net, data.range_km,
                                                       None if stop is None else (lambda: _clock() >= stop))
    greedy = served_by_placement(net, _reach_of(location, data.range_km, net.n))
    info["greedy_demand"] = float(net.demand[greedy[0]].sum())
    return location, greedy


def _phase_one(net, model, data, location, greedy, info, started, time_limit, mip_gap, rounding, bar):
    """Most demand served: HiGHS from the best start (greedy, or the LP rounding when better).

    Returns the solution (None: the MIP did not run or found nothing) and the best placement.
    """
    left = _left(time_limit, started)
    if model.y_commute.size == 0:
        info.update(status="nothing to serve", proven=True, bound=0.0)
        return None, location
    if left is not None and left <= _LOW_TIME_S:
        info["status"] = f"time limit before the MIP ({_kept(greedy)})"
        return None, location
    start = model.start_vector(net, location, greedy[2] if greedy is not None else [None] * data.n_commutes)
    clock = _clock()
    if rounding:
        bar.set_postfix_str("LP rounding")
        rounded, lp_bound = model.rounded_start(None if left is None else _RELAXATION_SHARE * left,
                                                None if left is None else _ROUNDED_MIP_SHARE * left)
        if lp_bound is not None:
            info["bound"] = min(info["bound"], lp_bound)
        if rounded is not None:
            # the start is rebuilt from the rounded placement: whole paths, exactly feasible
            placed = model.placement(rounded.x, net.n)
            served, _, paths = served_by_placement(net, _reach_of(placed, data.range_km, net.n))
            demand = float(net.demand[served].sum())
            info["rounded_demand"] = demand
            if demand > model.program.c @ start:
                start, location = model.start_vector(net, placed, paths), placed
            if lp_bound is not None and lp_bound - demand <= mip_gap * lp_bound:
                # the relaxation proves it: no placement serves more (within the gap)
                info.update(status="optimal (LP bound)", proven=True, mip_objective=float(rounded.objective))
                info["timings"]["rounding"] = _clock() - clock
                return rounded, placed
        left = _left(time_limit, started)
        bar.set_postfix_str("MIP")
    info["timings"]["rounding"] = _clock() - clock
    if left is not None and left <= _LOW_TIME_S:
        info["status"] = "time limit before the MIP (the best start)"
        return None, location
    clock = _clock()
    try:
        solution = model.program.solve(time_limit=left, mip_gap=mip_gap, warm_start=start)
    except TimeLimitError:
        info["status"] = "time limit before the MIP found a placement (the best start)"
        return None, location
    finally:
        info["timings"]["mip"] = _clock() - clock
    info.update(status=solution.status, proven=bool(solution.is_optimal), mip_objective=float(solution.objective),
                bound=min(info["bound"], float(solution.dual_bound)))
    return solution, model.placement(solution.x, net.n)


def _phase_two(net, model, data, location, served, info, started, time_limit, mip_gap, capacity):
    """Fewest scooters moved among placements serving as much (kept only when it moves fewer)."""
    left = _left(time_limit, started)
    if left is not None and left <= _LOW_TIME_S:
        info["tie_break"] = "skipped"
        return location, served
    floor = float(net.demand[served[0]].sum())
    floor -= 1e-9 * max(1.0, floor)
    limit = None
    if left is not None:
        limit = min(left, max(_TIE_BREAK_MIN_S, info["timings"].get("mip", 0.0) + info["timings"].get("rounding", 0.0)))
    start = model.start_vector(net, location, served[2])
    try:
        second = model.tie_break(floor).solve(time_limit=limit, mip_gap=mip_gap, warm_start=start)
    except TimeLimitError:
        info["tie_break"] = "time limit"
        return location, served
    info["tie_break"] = "optimal" if second.is_optimal else "time limit"
    location2 = model.placement(second.x, net.n)
    served2 = _served(net, model, second, location2, data.range_km, capacity)
    if net.demand[served2[0]].sum() >= floor and _moved(location2, data.home) < _moved(location, data.home):
        return location2, served2
    return location, served


# ---------------------------------------------------------------- steps
def _served(net, model, solution, location, range_km, capacity):
    """(served, path time, paths): from the placement alone, or with a capacity from the MIP's flows
    (without a MIP solution a capacity model has placed nothing: no start is made for it)."""
    if capacity is None or solution is None:
        return served_by_placement(net, _reach_of(location, range_km, net.n))
    paths = paths_from_flow(net, model, solution.x)
    served = np.array([p is not None for p in paths], dtype=bool)
    path_time = np.full(served.size, np.inf)
    for k in np.flatnonzero(served):
        path_time[k] = float(net.arc_tau[path_arcs(net, paths[k])].sum()) - net.swap_time_s
    return served, path_time, paths


def _kept(greedy) -> str:
    """What a solve stopped before the MIP keeps."""
    return "no start: no scooter moved" if greedy is None else "the greedy placement"


def _reach_of(location: np.ndarray, range_km: np.ndarray, n: int) -> np.ndarray:
    """Longest range placed at each location (-inf where none)."""
    reach = np.full(n, -np.inf)
    placed = location >= 0
    np.maximum.at(reach, location[placed], range_km[placed])
    return reach


def _moved(location: np.ndarray, home: np.ndarray) -> int:
    """Scooters placed elsewhere than their current location (all placed ones without one)."""
    return int(np.count_nonzero((location >= 0) & (location != home)))


def _plan(data, net, model, location, served_paths, info, dist, move_cost_per_km, metric, mip_gap,
          started) -> RelayPlan:
    """The plan of a placement; raises :class:`SolverError` if it serves more than the bound (a bug)."""
    served, path_time, paths = served_paths
    n = net.n
    placed = location >= 0
    counts = np.bincount(location[placed], minlength=n).astype(np.int64)
    reach = _reach_of(location, data.range_km, n)
    open_mask = reach[net.arc_tail] >= net.arc_dist
    moved = placed & (location != data.home)
    move_cost = None
    if move_cost_per_km is not None and data.has_homes and not np.any(moved & (data.home < 0)):
        move_cost = float(dist[data.home[moved], location[moved]].sum() * move_cost_per_km)
    served_demand = float(data.demand[served].sum())
    bound = float(info["bound"])
    if served_demand > bound + _BOUND_TOLERANCE * max(1.0, bound):
        raise SolverError(f"internal error: the plan serves demand {served_demand!r}, above the bound {bound!r} "
                          f"({info['status']}); please report it", "served above bound")
    gap = max(0.0, (bound - served_demand) / bound) if bound > 0 else 0.0
    return RelayPlan(
        data, location, counts, np.column_stack([net.arc_tail[open_mask], net.heads[open_mask]]), served,
        net.servable.copy(), path_time, paths, served_demand, float(data.demand.sum()), int(placed.sum()),
        int(moved.sum()), move_cost, bound, gap, bool(info["proven"] and gap <= mip_gap + 1e-9), info["status"],
        info["mip_objective"], info["greedy_demand"], info["rounded_demand"], info["greedy_status"],
        info["tie_break"], arcs_unpruned=int(data.n_commutes * n * (n - 1)),
        arcs_usable=int(net.servable.sum() * net.heads.size), arcs_kept=int(net.kept.size),
        model_columns=0 if model is None else model.program.n_cols,
        model_rows=0 if model is None else model.program.n_rows, metric=metric,
        timings={name: round(value, 4) for name, value in info["timings"].items()},
        time_s=_clock() - started)


# ---------------------------------------------------------------- checks
def _check_budgets(data: RelayData, times: np.ndarray) -> None:
    """Raise :class:`ValidationError` naming the commutes whose budget is below their direct time."""
    direct = times[data.origin, data.destination]
    short = np.flatnonzero(data.budget_s < direct * (1.0 - 1e-12))
    if short.size:
        k = short[0]
        named = ", ".join(data.commute_label(r) for r in short[:5])
        more = f", and {short.size - 5} more" if short.size > 5 else ""
        raise ValidationError(f"{short.size} commutes rows have a budget below the direct travel time: {named}{more} "
                              f"(first: budget {data.budget_s[k]:.1f} s, direct {direct[k]:.1f} s)",
                              "budget_below_direct_time", short)


def _check_parameters(speed_kmh, swap_time_s, capacity, move_cost_per_km, move_budget, time_limit, mip_gap):
    """Raise :class:`ValidationError` for a parameter that is not a finite number in its range."""
    def positive(name, value, allow_zero=False, optional=False):
        if optional and value is None:
            return
        ok = value is not None and isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
        if not ok:
            what = ">= 0" if allow_zero else "> 0"
            raise ValidationError(f"{name} must be a finite number {what}, got {value!r}", f"bad_{name}")

    positive("speed_kmh", speed_kmh)
    positive("swap_time_s", swap_time_s, allow_zero=True)
    positive("capacity", capacity, optional=True)
    positive("move_cost_per_km", move_cost_per_km, allow_zero=True, optional=True)
    positive("move_budget", move_budget, allow_zero=True, optional=True)
    positive("time_limit", time_limit, optional=True)
    positive("mip_gap", mip_gap, allow_zero=True)


def _clock() -> float:
    """Seconds on the solve's clock (``time.perf_counter``; one place to read it)."""
    return time.perf_counter()


def _left(time_limit: float | None, started: float) -> float | None:
    """Seconds left of the time limit (None: no limit)."""
    return None if time_limit is None else time_limit - (_clock() - started)


def _first(rows: np.ndarray) -> str:
    """The first few rows, for a message."""
    return "[" + ", ".join(str(int(r)) for r in rows[:5]) + (", ..." if rows.size > 5 else "") + "]"

"""Trip chains: which orders a fleet serves, and each vehicle's chain of orders, exactly.

The model is Ma et al. (2017), seed 001 phase one: a min-cost flow on the DAG
``source -> pickup(i) -> dropoff(i) -> pickup(j) -> ... -> sink`` with unit capacities and the
fleet bound on ``source -> sink``. We solve it in its transportation form: every drop-off
supplies one vehicle and every pickup needs one, from the source (a new vehicle), an earlier
drop-off (a pair arc) or its own drop-off (the order is skipped). Same optimum, but no service
arcs, so chains of orders do not become deep paths of the simplex tree. Its LP is integral, so
the network simplex gives the exact optimum. Order j may follow order i when ``dropoff_time[i] + travel_time(dropoff[i],
pickup[j]) <= pickup_time[j]`` (and ``pickup_time[j] - dropoff_time[i] <= max_idle`` when set).

A full NYC day has billions of compatible pairs, so the model starts from a few candidate arcs
per order (the cheapest and the earliest successors and predecessors), and each round prices
every compatible pair with the node potentials, through a spatial and temporal cell index that
skips whole cells whose best potential cannot pay for the distance. Pairs with negative reduced
cost join the model and the simplex continues from its basis. When a complete round finds none,
the solution is optimal for the full graph: ``certified=True``.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _core
from .data.orders import Orders
from .exceptions import InfeasibleError, SolverError, TimeLimitError
from .flow import min_cost_flow
from .travel import TravelModel, ZoneMatrix

__all__ = ["TripChainSolution", "solve_trip_chains", "read_chains", "chain_params", "full_network",
           "FlowNetwork"]

_MAX_HIGHS_PAIRS = 20_000_000


@dataclass(eq=False)
class TripChainSolution:
    """Chains of an optimal (or, when ``certified`` is False, best found) trip-chain plan.

    Attributes
    ----------
    objective
        vehicle_cost x vehicles + deadhead cost + service cost - revenue of served orders.
    num_vehicles
        Vehicles used (chains).
    chains
        One int array of order indices (rows of the orders table) per vehicle, in time order.
    served
        Boolean mask over the orders.
    cost_breakdown
        The objective's parts: vehicle, dispatch and collection (depot legs), deadhead
        between orders, service, revenue; and the km driven empty and in service.
    potentials
        (n, 2) node potentials of each order's pickup and drop-off node, in cost units, with
        the source at 0 (network method; the HiGHS duals for ``method="highs"``). The reduced
        cost of a pair i -> j is ``deadhead_cost(i, j) + potentials[i, 1] - potentials[j, 0]``.
    certified
        True when every compatible pair was priced and none had negative reduced cost: the
        plan is optimal for the full compatibility graph.
    lower_bound
        No plan over all compatible pairs costs less (the objective when certified; after a
        time limit, the best bound of the complete pricing rounds: the model's optimum plus
        each order's least reduced cost outside the model; NaN before any). ``gap_pct`` is
        how far the plan can be from the optimum.
    arcs_in_model, arcs_priced, rounds
        Pair arcs in the final model, pairs whose reduced cost was evaluated exactly (in
        every pricing round, the first solve's rounds on the auction's duals included; the
        time test follows only for pairs that would enter the model), and solve-and-price
        rounds of the simplex.
    """

    objective: float
    num_vehicles: int
    chains: list[np.ndarray]
    served: np.ndarray
    cost_breakdown: dict
    potentials: np.ndarray
    certified: bool
    arcs_in_model: int
    arcs_priced: int
    rounds: int
    method: str
    status: str
    time_s: float
    order_id: np.ndarray
    pickup_time: np.ndarray = field(repr=False)
    dropoff_time: np.ndarray = field(repr=False)
    sink_potential: float = 0.0
    lower_bound: float = math.nan

    def __repr__(self) -> str:
        mark = "certified optimal" if self.certified else self.status
        return (f"TripChainSolution({self.num_vehicles:,} vehicles serve "
                f"{int(self.served.sum()):,}/{len(self.served):,} orders, objective "
                f"{self.objective:,.2f}, {mark}, {self.time_s:.2f} s)")

    @property
    def gap_pct(self) -> float:
        """At most this far (% of |lower_bound|) above the optimum: 0 when certified."""
        if self.certified:
            return 0.0
        if math.isnan(self.lower_bound) or self.lower_bound == 0:
            return math.nan
        return 100.0 * (self.objective - self.lower_bound) / abs(self.lower_bound)

    @property
    def vehicle_of(self) -> np.ndarray:
        """Vehicle index of each order (-1 when not served)."""
        out = np.full(len(self.served), -1, dtype=np.int64)
        for v, chain in enumerate(self.chains):
            out[chain] = v
        return out

    def to_dict(self) -> dict:
        """JSON-safe summary (the numbers ``shareopt chain --json`` prints)."""
        served = int(self.served.sum())
        return {
            "objective": round(float(self.objective), 6),
            "vehicles": int(self.num_vehicles),
            "served": served,
            "lost": int(len(self.served) - served),
            "orders": int(len(self.served)),
            "certified": bool(self.certified),
            "lower_bound": None if math.isnan(self.lower_bound) else round(float(self.lower_bound), 6),
            "gap_pct": None if math.isnan(self.gap_pct) else float(self.gap_pct),
            "status": self.status,
            "method": self.method,
            "arcs_in_model": int(self.arcs_in_model),
            "arcs_priced": int(self.arcs_priced),
            "rounds": int(self.rounds),
            "time_s": round(float(self.time_s), 4),
            "cost_breakdown": {k: round(float(v), 6) for k, v in self.cost_breakdown.items()},
        }

    def to_frame(self):
        """One row per served order: vehicle, position in its chain, order id and times."""
        import pandas as pd

        vehicle = np.concatenate([np.full(len(c), v) for v, c in enumerate(self.chains)] or [[]])
        position = np.concatenate([np.arange(len(c)) for c in self.chains] or [[]])
        index = np.concatenate(self.chains or [np.empty(0, np.int64)]).astype(np.int64)
        return pd.DataFrame({
            "vehicle": vehicle.astype(np.int64),
            "position": position.astype(np.int64),
            "order_id": self.order_id[index],
            "order_index": index,
            "pickup_time": self.pickup_time[index],
            "dropoff_time": self.dropoff_time[index],
        })

    def to_csv(self, path) -> None:
        """Write the chains as ``vehicle,position,order_id`` rows."""
        with open(path, "w", encoding="utf-8") as out:
            out.write("vehicle,position,order_id\n")
            for v, chain in enumerate(self.chains):
                for position, i in enumerate(chain):
                    out.write(f"{v},{position},{self.order_id[i]}\n")

    def plot(self, ax=None, max_vehicles: int = 60):
        """Gantt chart of the first ``max_vehicles`` vehicles (see :func:`shareopt.plot.gantt`)."""
        from .plot import gantt

        return gantt(self, ax=ax, max_vehicles=max_vehicles)


def chain_params(*, vehicle_cost: float = 0.0, deadhead_cost_per_km: float = 1.0,
                 service_cost_per_km: float | None = None, depot=None,
                 max_vehicles: int | None = None, max_idle: float | None = None,
                 must_serve: bool = False, successors: int | None = None,
                 price_per_order: int = 4, threads: int | None = None,
                 auction: bool = True, auction_rounds: int = 8) -> dict:
    """The cost and search parameters as the C++ chainer takes them (validated).

    ``auction=False`` starts every solve of the network simplex from its greedy plan instead
    of an auction's optimum of the model (tests compare the two; both are exact).
    ``auction_rounds`` caps the auctions of one solve: while pricing against an auction's
    duals adds more than 2% of the model's arcs, the auction solves again before the simplex
    starts (1: the auction only starts the simplex).
    """
    if (isinstance(auction_rounds, bool) or not 1 <= auction_rounds <= 1000  # NaN fails too
            or int(auction_rounds) != auction_rounds):
        raise ValueError(f"auction_rounds must be a whole number in [1, 1000], got {auction_rounds!r}")
    if service_cost_per_km is None:
        service_cost_per_km = deadhead_cost_per_km
    if max_vehicles is not None and (int(max_vehicles) != max_vehicles or max_vehicles < 0):
        raise ValueError(f"max_vehicles must be a whole number >= 0, got {max_vehicles!r}")
    if successors is not None and (isinstance(successors, bool) or not np.isfinite(successors)
                                   or int(successors) != successors or not 1 <= successors <= 1000):
        raise ValueError(f"successors must be a whole number in [1, 1000] (or None: by density), "
                         f"got {successors!r}")
    if depot is not None:
        depot = tuple(float(v) for v in depot)
        if len(depot) not in (2, 3):
            raise ValueError("depot must be (x, y) or (x, y, zone)")
        depot = (depot[0], depot[1], int(depot[2]) if len(depot) == 3 else -1)
    return {
        "vehicle_cost": float(vehicle_cost),
        "deadhead_cost_per_km": float(deadhead_cost_per_km),
        "service_cost_per_km": float(service_cost_per_km),
        "depot": depot,
        "max_vehicles": -1 if max_vehicles is None else int(max_vehicles),
        "max_idle_s": np.inf if max_idle is None else float(max_idle),
        "must_serve": bool(must_serve),
        "successors": 0 if successors is None else int(successors),
        "price_per_order": int(price_per_order),
        "threads": 0 if threads is None else int(threads),
        "auction": bool(auction),
        "auction_rounds": int(auction_rounds),
    }


def _travel_model(metric, speed_kmh, detour, travel) -> TravelModel:
    if travel is not None:
        return travel
    if isinstance(metric, ZoneMatrix):
        return TravelModel("manhattan", detour=detour, speed_kmh=speed_kmh, zone_matrix=metric)
    return TravelModel(metric, detour=detour, speed_kmh=speed_kmh)


def solve_trip_chains(orders: Orders, *, vehicle_cost: float = 0.0,
                      deadhead_cost_per_km: float = 1.0,
                      service_cost_per_km: float | None = None, speed_kmh=25.0,
                      metric="manhattan", detour: float = 1.0, travel: TravelModel | None = None,
                      depot=None, max_vehicles: int | None = None, max_idle: float | None = None,
                      must_serve: bool = False, method: str = "network",
                      time_limit: float | None = None, progress: bool = False,
                      successors: int | None = None, price_per_order: int = 4,
                      threads: int | None = None,
                      initial: TripChainSolution | Sequence | None = None,
                      auction: bool = True) -> TripChainSolution:
    """Choose the orders to serve and each vehicle's chain at minimum cost.

    Parameters
    ----------
    orders
        An :class:`~shareopt.data.Orders` table (see :func:`~shareopt.data.read_orders`).
    vehicle_cost
        Cost per vehicle used (the seed's fleet plus dispatch and collection cost).
    deadhead_cost_per_km
        Cost of empty driving: depot to first pickup, between orders, last drop-off to depot.
    service_cost_per_km
        Cost of driving an order (default: ``deadhead_cost_per_km``). The service distance is
        the orders' ``distance`` column when present, else the travel model's distance.
    speed_kmh, metric, detour
        The travel model: one speed or 24 hourly speeds; ``"manhattan"`` (default),
        ``"euclidean"``, ``"haversine"`` (on lon/lat) or a :class:`~shareopt.travel.ZoneMatrix`.
    travel
        A ready :class:`~shareopt.travel.TravelModel`, instead of the three above.
    depot
        ``(x, y)`` (or ``(x, y, zone)``) in the travel model's coordinates. None: a vehicle
        starts at its first pickup and ends at its last drop-off at no cost.
    max_vehicles
        Fleet bound F (None: unbounded).
    max_idle
        Longest wait in seconds between a drop-off and the next pickup (None: any).
    must_serve
        Serve every order; :class:`~shareopt.exceptions.InfeasibleError` when F is too small.
    method
        ``"network"`` (C++ network simplex with lazy arcs) or ``"highs"`` (the same flow LP
        over every compatible pair, through HiGHS: a cross-check for small cases).
    time_limit
        Seconds for the whole solve. When it runs out the best plan so far comes back with
        ``certified=False`` and ``status="time_limit"``.
    progress
        Show a progress bar of the pricing rounds.
    successors, price_per_order
        Candidate arcs per order to start from (cheapest and earliest, each way; default: by
        the density of compatible pairs, about 0.6 x the square root of their number per
        order with a wait of at most 20 minutes, 5 to 16), and arcs added per order and
        round (four times as many in the first solve's rounds on the auction's duals); they
        change speed, never the optimum.
    threads
        Threads for arc generation and pricing (default: all cores).
    initial
        A plan to start from: a :class:`TripChainSolution` of the same orders or a list of
        chains, each a sequence of order indices. Its links that are compatible under these
        parameters join the model, and the first solve starts from the chains they make
        (extended by the greedy start, without the chains that do not pay for themselves or
        beyond ``max_vehicles``). A re-solve after a small change, such as a cost, then does
        far fewer pivots. The optimal cost does not depend on it (among equally good plans,
        the one returned may). Network method only.
    auction
        Without a fleet bound (and without ``initial``), solve the model first as an
        assignment by an epsilon-scaling auction and start the network simplex from its
        optimum, on a basis close to its duals; the same again when a pricing round adds more
        than 2% of the arcs. ``False``: the simplex alone, from a greedy plan. Same optimum,
        same certificate; the auction is several times faster on large models.

    Returns
    -------
    TripChainSolution
    """
    start = time.perf_counter()
    if not isinstance(orders, Orders):
        raise TypeError("orders must be an Orders table (use shareopt.data.read_orders)")
    params = chain_params(vehicle_cost=vehicle_cost, deadhead_cost_per_km=deadhead_cost_per_km,
                          service_cost_per_km=service_cost_per_km, depot=depot,
                          max_vehicles=max_vehicles, max_idle=max_idle, must_serve=must_serve,
                          successors=successors, price_per_order=price_per_order, threads=threads,
                          auction=auction)
    if method not in ("network", "highs"):
        raise ValueError(f"method must be 'network' or 'highs', not {method!r}")
    model = _travel_model(metric, speed_kmh, detour, travel)
    pickups, dropoffs = orders.pickups, orders.dropoffs
    chainer = _core.TripChainer(
        model.core, orders.pickup_time, orders.dropoff_time, model.coordinates(pickups),
        pickups.zone, model.coordinates(dropoffs), dropoffs.zone, orders.revenue,
        orders.distance, params)
    deadline = np.inf if time_limit is None else start + float(time_limit)
    if initial is not None:
        if method != "network":
            raise ValueError("initial applies to method='network' only")
        chainer.set_start_links(*start_links(initial, len(orders)))
    if method == "highs":
        solved = _solve_highs(chainer, time_limit)
    else:
        solved = _solve_network(chainer, deadline, progress, must_serve)
    return _solution(orders, model, chainer, params, method, solved, time.perf_counter() - start)


def start_links(initial, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The links of a start plan, as order indices.

    Parameters
    ----------
    initial
        A TripChainSolution of ``n`` orders, or a list of chains of order indices.
    n
        Number of orders.

    Returns
    -------
    from, to : numpy.ndarray
        int32 arrays, one entry per link.

    Raises
    ------
    ValueError
        Naming the first chain with an order out of range or repeated, or a solution of
        another number of orders.
    """
    if isinstance(initial, TripChainSolution):
        if len(initial.served) != n:
            raise ValueError(f"initial: a plan of {len(initial.served)} orders, not of these {n}")
        chains = initial.chains
    else:
        chains = initial
    seen = np.zeros(n, dtype=bool)
    froms, tos = [], []
    for k, chain in enumerate(chains):
        chain = np.asarray(chain)
        if chain.ndim != 1 or (chain.size and not np.issubdtype(chain.dtype, np.integer)):
            raise ValueError(f"initial: chain {k} is not a sequence of order indices")
        bad = chain[(chain < 0) | (chain >= n)]
        if bad.size:
            raise ValueError(f"initial: chain {k} names order {bad[0]}, not one of the {n} orders")
        chain = chain.astype(np.int64)
        if len(np.unique(chain)) < len(chain) or seen[chain].any():
            twice = next(int(u) for u in chain if seen[u] or (chain == u).sum() > 1)
            raise ValueError(f"initial: order {twice} appears twice (chain {k})")
        seen[chain] = True
        froms.append(chain[:-1])
        tos.append(chain[1:])
    empty = [np.zeros(0, dtype=np.int64)]
    return (np.concatenate(empty + froms).astype(np.int32), np.concatenate(empty + tos).astype(np.int32))


def read_chains(path, orders: Orders) -> list[np.ndarray]:
    """Chains from a ``vehicle,position,order_id`` CSV, as order indices of ``orders``.

    Parameters
    ----------
    path
        A file written by :meth:`TripChainSolution.to_csv` (or ``shareopt chain --out``).
    orders
        The orders the ids refer to.

    Returns
    -------
    list of numpy.ndarray
        One chain per vehicle, in position order: a start plan for
        ``solve_trip_chains(initial=...)``.

    Raises
    ------
    ValueError
        Naming the lines whose order ids are not among the orders or whose position is not
        an integer, or when a column is missing.
    """
    index = {str(order_id): k for k, order_id in enumerate(orders.order_id)}
    by_vehicle: dict[str, list[tuple[int, int]]] = {}
    unknown = []
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        if not {"vehicle", "position", "order_id"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: needs the columns vehicle, position, order_id")
        for row_number, row in enumerate(reader, start=2):
            k = index.get(row["order_id"])
            if k is None:
                unknown.append(row_number)
                continue
            try:
                position = int(row["position"])
            except (TypeError, ValueError):
                raise ValueError(f"{path}: line {row_number}: position {row['position']!r} is "
                                 "not an integer") from None
            by_vehicle.setdefault(row["vehicle"], []).append((position, k))
    if unknown:
        shown = ", ".join(map(str, unknown[:5])) + (", ..." if len(unknown) > 5 else "")
        raise ValueError(f"{path}: {len(unknown)} order ids not among the orders (lines {shown})")
    return [np.array([k for _, k in sorted(stops)], dtype=np.int64) for stops in by_vehicle.values()]


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.perf_counter()) if np.isfinite(deadline) else np.inf


def _solve_network(chainer, deadline: float, progress: bool, must_serve: bool) -> dict:
    from tqdm.auto import tqdm

    chainer.add_candidate_arcs(_left(deadline))
    rounds, certified, status = 0, False, "optimal"
    model_bound = -np.inf  # best lower bound on the model's optimum over all pairs, real units
    with tqdm(desc="trip chains", unit=" round", disable=not progress, leave=False) as bar:
        while True:
            status = chainer.solve_flow(_left(deadline))
            if status not in ("optimal", "infeasible"):
                break
            # Infeasible over the arcs so far proves nothing: the big-M potentials price the
            # missing arcs, and only a complete round that adds none proves it for all pairs.
            rounds += 1
            added, complete = chainer.price(_left(deadline))
            bar.update(1)
            bar.set_postfix(arcs=chainer.arcs_in_model, added=added)
            if not complete:
                status = "time_limit"
                break
            if status == "optimal":  # rounding moves a plan by at most n / scale
                bound = chainer.scaled_objective + chainer.pricing_bound - chainer.size - 1
                model_bound = max(model_bound, bound / chainer.scale)
            if added == 0:
                if status == "infeasible":
                    raise InfeasibleError("no plan serves every order with max_vehicles="
                                          f"{chainer.fleet_limit} vehicles (must_serve)")
                certified = True
                break
    if status == "time_limit" and must_serve and not chainer.served().all():
        raise TimeLimitError("time limit reached before a plan serving every order was found")
    potentials = chainer.potentials()
    return {
        "successor": chainer.successor(), "starts": chainer.starts_chain().astype(bool),
        "served": chainer.served().astype(bool), "certified": certified, "status": status,
        "potentials": potentials, "arcs_in_model": chainer.arcs_in_model,
        "arcs_priced": chainer.arcs_priced, "rounds": rounds, "model_bound": model_bound,
    }


@dataclass(frozen=True, eq=False)
class FlowNetwork:
    """The whole flow network of a chainer: its base arcs, then one arc per compatible pair.

    ``cost`` is real (the model's float costs) or scaled integers (what the network simplex and
    OR-Tools solve). The plan's cost is the network's objective plus ``offset``: the network
    prices skipping an order, serving it costs ``sum(service - revenue)`` on top.
    """

    tail: np.ndarray
    head: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    supply: np.ndarray
    offset: float
    num_base: int
    pair_from: np.ndarray
    pair_to: np.ndarray


def full_network(chainer, max_pairs: int, *, real_costs: bool) -> FlowNetwork:
    """Every compatible pair of a ``_core.TripChainer`` with its base arcs (for cross-checks
    and peers); ``real_costs`` picks float costs over the scaled integers."""
    pair_from, pair_to, pair_cost = chainer.all_pairs(max_pairs)
    tail, head, lower, upper, base_cost = chainer.base_arcs()
    start_cost, end_cost, service_cost, _ = chainer.cost_terms()
    if real_costs:
        base_cost = np.empty(len(tail))
        base_cost[0] = 0.0
        base_cost[1::3] = start_cost
        base_cost[2::3] = -service_cost  # skipping an order saves its service, forgoes revenue
        base_cost[3::3] = end_cost
        pair_cost = chainer.pair_costs(pair_from, pair_to)
        offset = float(service_cost.sum())
    else:
        offset = float(np.round(service_cost * chainer.scale).sum())
    ones = np.ones(len(pair_from), dtype=np.int64)
    return FlowNetwork(
        tail=np.r_[tail, 3 + 2 * pair_from.astype(np.int64)],
        head=np.r_[head, 2 + 2 * pair_to.astype(np.int64)],
        lower=np.r_[lower, 0 * ones], upper=np.r_[upper, ones], cost=np.r_[base_cost, pair_cost],
        supply=chainer.supplies(), offset=offset, num_base=len(tail), pair_from=pair_from,
        pair_to=pair_to)


def _solve_highs(chainer, time_limit) -> dict:
    n = chainer.size
    network = full_network(chainer, _MAX_HIGHS_PAIRS, real_costs=True)
    solution = min_cost_flow(2 * n + 2, network.tail, network.head, network.cost, network.supply,
                             lower=network.lower, upper=network.upper, method="highs",
                             time_limit=time_limit)
    pair_from, pair_to, base = network.pair_from, network.pair_to, network.num_base
    flow = solution.flow
    if np.any(np.abs(flow - np.round(flow)) > 1e-6):
        raise SolverError("HiGHS returned a fractional flow (the flow LP should be integral)")
    flow = np.round(flow)
    successor = np.full(n, -1, dtype=np.int32)
    used = flow[base:] > 0.5
    successor[pair_from[used]] = pair_to[used]
    pi = solution.potentials - solution.potentials[0]
    return {
        "successor": successor, "starts": flow[1:base:3] > 0.5,
        "served": flow[2:base:3] < 0.5, "certified": True, "status": "optimal",
        "potentials": pi, "arcs_in_model": len(pair_from), "arcs_priced": len(pair_from),
        "rounds": 1,
    }


def _chains(successor: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    chains = []
    for first in np.flatnonzero(starts):
        chain = [int(first)]
        while successor[chain[-1]] >= 0:
            chain.append(int(successor[chain[-1]]))
        chains.append(np.asarray(chain, dtype=np.int64))
    return chains


def _deadhead_km(orders, model, depot, pair_from, pair_to, firsts, lasts) -> float:
    """Empty km: between consecutive orders, and depot legs when there is a depot."""
    pickups, dropoffs = orders.pickups, orders.dropoffs
    km = float(model.distance(dropoffs.take(pair_from), pickups.take(pair_to)).sum())
    if depot is not None and len(firsts):
        home = np.tile(np.array(depot[:2], dtype=np.float64), (len(firsts), 1))
        zone = np.full(len(firsts), depot[2], dtype=np.int32)
        first, last = pickups.take(firsts), dropoffs.take(lasts)
        core = model.core
        km += float(core.pair_distance(home, zone, model.coordinates(first), first.zone).sum())
        km += float(core.pair_distance(model.coordinates(last), last.zone, home, zone).sum())
    return km


def _solution(orders, model, chainer, params, method, solved, seconds) -> TripChainSolution:
    chains = _chains(solved["successor"], solved["starts"])
    served = solved["served"]
    start_cost, end_cost, service_cost, service_km = chainer.cost_terms()
    pair_from = np.concatenate([c[:-1] for c in chains] or [np.empty(0, np.int64)]).astype(np.int32)
    pair_to = np.concatenate([c[1:] for c in chains] or [np.empty(0, np.int64)]).astype(np.int32)
    firsts = np.array([c[0] for c in chains], dtype=np.int64)
    lasts = np.array([c[-1] for c in chains], dtype=np.int64)
    vehicles = len(chains)
    revenue = float(orders.revenue[served].sum())
    between = float(chainer.pair_costs(pair_from, pair_to).sum())
    depot_legs = float(start_cost[firsts].sum() - vehicles * params["vehicle_cost"]
                       + end_cost[lasts].sum())
    service = float((service_cost[served] + orders.revenue[served]).sum())
    empty_km = _deadhead_km(orders, model, params["depot"], pair_from, pair_to, firsts, lasts)
    breakdown = {
        "vehicles": float(vehicles * params["vehicle_cost"]),
        "dispatch_and_collection": depot_legs,
        "deadhead_between_orders": between,
        "service": service,
        "revenue": -revenue,
        "lost_revenue": float(orders.revenue[~served].sum()),
        "deadhead_km": empty_km,
        "service_km": float(service_km[served].sum()),
    }
    objective = (breakdown["vehicles"] + depot_legs + between + service - revenue)
    if solved["certified"]:
        lower_bound = objective
    else:  # the model's bound plus what the model leaves out: service - revenue of every order
        lower_bound = min(objective, solved.get("model_bound", -np.inf) + float(service_cost.sum()))
    pi = solved["potentials"]
    n = len(orders)
    return TripChainSolution(
        objective=objective, num_vehicles=vehicles, chains=chains, served=served,
        cost_breakdown=breakdown,
        potentials=np.column_stack([pi[2:2 * n + 2:2], pi[3:2 * n + 2:2]]) if n else np.empty((0, 2)),
        certified=solved["certified"], arcs_in_model=int(solved["arcs_in_model"]),
        arcs_priced=int(solved["arcs_priced"]), rounds=int(solved["rounds"]), method=method,
        status=solved["status"], time_s=seconds, order_id=orders.order_id,
        lower_bound=float(lower_bound) if np.isfinite(lower_bound) else math.nan,
        pickup_time=orders.pickup_time, dropoff_time=orders.dropoff_time,
        sink_potential=float(pi[1]) if len(pi) > 1 else 0.0)

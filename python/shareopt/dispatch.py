"""Real-time dispatch: answer each new order at once (seed 001, phase two).

After the reserved orders are chained (:func:`~shareopt.chaining.solve_trip_chains`), orders
keep arriving. A :class:`Dispatcher` holds the chains in C++ and answers each offer with the
cheapest feasible insertion: between two consecutive orders of a chain, before the first,
after the last, or on a new vehicle while the fleet allows one. The cost model is the trip
chains' own, unchanged. A vehicle waits at its last drop-off; it can take the new order only
if, leaving no earlier than that drop-off and the request time, it reaches the pickup in time,
and still reaches its next pickup after the new drop-off.

Accepted: the least marginal cost when it is negative (``policy="profit"``), or whenever an
insertion is feasible (``policy="always"``, the seed's rule). Rejected, with the reason:
``infeasible``, ``unprofitable`` or ``fleet_limit``.

The C++ index files each gap of a chain under the time the vehicle starts waiting there, so an
offer reads only the gaps that can hold it (drop-offs at most ``max_idle`` before its pickup).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _core
from .chaining import TripChainSolution, _travel_model, chain_params
from .data.orders import Orders
from .geo import Locations

POLICIES = ("profit", "always")


@dataclass(frozen=True)
class Decision:
    """The answer to one offer.

    Attributes
    ----------
    accepted
        Whether the order was taken (and committed to the chains).
    reason
        ``"accepted"``, ``"infeasible"``, ``"unprofitable"`` or ``"fleet_limit"``.
    vehicle, position
        Where the order goes (or would go, when unprofitable): the vehicle and the index of the
        order in its chain after the insertion. A vehicle equal to the fleet size before the
        offer is a new one. None when nothing is feasible.
    marginal_cost
        Change of the plan's cost (NaN when nothing is feasible); negative is a profit.
    order
        Index of the order in the dispatcher's table once accepted (reserved orders first,
        then accepted offers in turn), else None.
    """

    accepted: bool
    reason: str
    vehicle: int | None
    position: int | None
    marginal_cost: float
    order: int | None

    @classmethod
    def _from_core(cls, answer) -> Decision:
        reason, vehicle, position, cost, _after, order = answer
        feasible = vehicle >= 0
        return cls(reason == "accepted", reason, vehicle if feasible else None,
                   position if feasible else None, float(cost), order if order >= 0 else None)

    def to_dict(self) -> dict:
        cost = None if math.isnan(self.marginal_cost) else self.marginal_cost
        return {"accepted": self.accepted, "reason": self.reason, "vehicle": self.vehicle,
                "position": self.position, "marginal_cost": cost, "order": self.order}


@dataclass(frozen=True, eq=False)
class Decisions:
    """The answers to a stream of offers, as arrays (see :class:`Decision` for each field;
    -1 where a field does not apply)."""

    reason: np.ndarray
    vehicle: np.ndarray
    position: np.ndarray
    marginal_cost: np.ndarray
    order: np.ndarray

    @property
    def accepted(self) -> np.ndarray:
        return self.reason == "accepted"

    def __len__(self) -> int:
        return len(self.reason)

    def counts(self) -> dict:
        """How many offers ended each way."""
        return {name: int(np.count_nonzero(self.reason == name)) for name in _core.VERDICTS}

    def to_dict(self) -> dict:
        return {"offers": len(self), **self.counts()}

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"reason": self.reason, "vehicle": self.vehicle,
                             "position": self.position, "marginal_cost": self.marginal_cost,
                             "order": self.order})


class Dispatcher:
    """The chains of a fleet, answering new orders by cheapest insertion.

    Parameters
    ----------
    chains
        A :class:`~shareopt.chaining.TripChainSolution`, or a list of integer arrays: each
        vehicle's orders, as row indices into ``orders``, in the order served.
    orders
        The reserved orders (an :class:`~shareopt.data.Orders` table); rows in no chain are
        kept as not served.
    vehicle_cost, deadhead_cost_per_km, service_cost_per_km, speed_kmh, metric, detour, travel, depot, max_vehicles, max_idle
        The trip-chain cost model, as in :func:`~shareopt.chaining.solve_trip_chains`.
    policy
        ``"profit"``: accept an order when its cheapest insertion lowers the plan's cost;
        ``"always"``: whenever one is feasible (the seed's rule).
    bid_prices
        Weight of the bid prices, in [0, 1] (0: off; needs ``chains`` to be the phase-one
        :class:`~shareopt.chaining.TripChainSolution` of ``orders``). The plan's potentials
        price each reserved pickup (what the plan pays to bring a vehicle there), so a vehicle
        free at a place from a time on is worth the best such price of a later pickup less the
        deadhead to it. Offers then go where the marginal cost plus ``bid_prices`` x (value of
        the free vehicle state used up - value of the one left at the new drop-off) is least:
        appending to a chain trades its last drop-off for the new one, a new vehicle adds one.
        Whether to accept still goes by the marginal cost alone.

    Notes
    -----
    One dispatcher is not meant for concurrent use from several threads; the binding holds a
    lock, so sharing one is safe but serializes the calls. :meth:`offer_many` releases the
    GIL while it runs.
    """

    def __init__(self, chains, orders: Orders, *, vehicle_cost: float = 0.0,
                 deadhead_cost_per_km: float = 1.0, service_cost_per_km: float | None = None,
                 speed_kmh=25.0, metric="manhattan", detour: float = 1.0, travel=None,
                 depot=None, max_vehicles: int | None = None, max_idle: float | None = None,
                 policy: str = "profit", bid_prices: float = 0.0):
        if not isinstance(orders, Orders):
            raise TypeError("orders must be an Orders table (use shareopt.data.read_orders)")
        if policy not in POLICIES:
            raise ValueError(f"policy must be 'profit' or 'always', not {policy!r}")
        bid_prices = float(bid_prices)
        if not 0.0 <= bid_prices <= 1.0:
            # Above 1 a new vehicle could score below its own cost (a value is at most the
            # vehicle cost): the fleet would grow for nothing.
            raise ValueError(f"bid_prices must be a weight in [0, 1], not {bid_prices!r}")
        plan = chains if isinstance(chains, TripChainSolution) else None
        if bid_prices and plan is None:
            raise ValueError("bid_prices need the phase-one TripChainSolution as chains (its potentials)")
        if plan is not None:
            chains = plan.chains
        chains = [np.asarray(c, dtype=np.int64).ravel() for c in chains]
        for k, chain in enumerate(chains):
            if chain.size and (chain.min() < 0 or chain.max() >= len(orders)):
                raise ValueError(f"chain {k} names rows outside the {len(orders)} orders")
        params = chain_params(vehicle_cost=vehicle_cost, deadhead_cost_per_km=deadhead_cost_per_km,
                              service_cost_per_km=service_cost_per_km, depot=depot,
                              max_vehicles=max_vehicles, max_idle=max_idle)
        params["accept_always"] = policy == "always"
        model = _travel_model(metric, speed_kmh, detour, travel)
        self._core = _core.Dispatcher(model.core, params)
        self._core.load(*self._columns(orders), [c.astype(np.int32).tolist() for c in chains if c.size])
        if bid_prices:
            from ._bidprice import vehicle_values

            grid = vehicle_values(plan, orders, self._coordinates, model, deadhead_cost_per_km,
                                  horizon_s=max_idle)
            self._core.set_bid_prices(**grid, weight=bid_prices)

    # ------------------------------------------------------------------ state
    @classmethod
    def restore(cls, data: bytes) -> Dispatcher:
        """A dispatcher from :meth:`snapshot` bytes: the same state, the same decisions."""
        self = cls.__new__(cls)
        self._core = _core.Dispatcher.restore(bytes(data))
        return self

    def snapshot(self) -> bytes:
        """The whole state (travel model, parameters, orders, chains) as bytes."""
        return self._core.snapshot()

    @property
    def num_vehicles(self) -> int:
        return self._core.num_vehicles

    @property
    def num_orders(self) -> int:
        return self._core.num_orders

    @property
    def chains(self) -> list[np.ndarray]:
        """Each vehicle's orders (indices into the dispatcher's table), in service order."""
        return [np.asarray(self._core.chain(v), dtype=np.int64) for v in range(self.num_vehicles)]

    @property
    def objective(self) -> float:
        """Cost of the current plan: vehicles, deadhead, service minus revenue."""
        return self._core.objective()

    def reoptimize(self, now: float, *, horizon: float | None = None,
                   time_limit: float | None = None, progress: bool = False) -> float:
        """Re-chain everything that has not started by ``now``, exactly; returns the saving.

        Orders picked up before ``now`` stay where they are, and so does the next order of a
        vehicle that must already be on its way to it. Every other held order is re-chained
        by the trip-chain solver (certified optimum, every held order still served): a vehicle
        on the road continues from its last started drop-off, leaving no earlier than ``now``;
        vehicles with nothing started may disappear or new ones appear. Vehicle numbers change.
        With ``horizon`` (seconds), only orders picked up before ``now + horizon`` move: the
        rest of each chain stays together, and some vehicle must still reach its first pickup
        (the exact optimum of that smaller problem; how a service re-plans a busy day often).
        Returns the old plan's cost minus the new one's (>= 0 up to the cost rounding); 0 and
        no change when ``time_limit`` cut the solve short.
        """
        from ._reoptimize import reoptimize

        now = self._when(now)
        if not math.isfinite(now):
            raise ValueError("now must be a finite time")
        if horizon is not None and not (float(horizon) > 0.0 and math.isfinite(float(horizon))):
            raise ValueError(f"horizon must be a finite number of seconds > 0, not {horizon!r}")
        return reoptimize(self._core, now, time_limit, progress, None if horizon is None else float(horizon))

    # ------------------------------------------------------------------ offers
    def offer(self, order, request_time: float | None = None) -> Decision:
        """Answer one order now; commit it when accepted.

        ``order`` is an :class:`~shareopt.data.Orders` table of one row, or a mapping with
        ``pickup_time``, ``dropoff_time``, ``pickup`` and ``dropoff`` (x, y in the travel
        model's space, optionally a zone id third), ``revenue`` and optionally ``distance``
        (km). ``request_time`` None: the vehicle may leave as soon as its previous drop-off.
        """
        return Decision._from_core(self._core.offer(*self._one(order), self._when(request_time)))

    def evaluate(self, order, request_time: float | None = None) -> Decision:
        """The decision :meth:`offer` would take, without committing anything."""
        return Decision._from_core(self._core.offer(*self._one(order), self._when(request_time),
                                                    commit=False))

    def offer_many(self, orders: Orders, request_time=None) -> Decisions:
        """Offer a stream of orders in turn, in one C++ call (the GIL is released).

        ``request_time``: one per order (None: no request-time limit). Every order is checked
        before any is committed, so a bad row raises and changes nothing.
        """
        n = len(orders)
        if request_time is None:
            when = np.full(n, -np.inf)
        else:
            when = np.broadcast_to(np.asarray(request_time, dtype=np.float64), (n,)).copy()
        verdict, vehicle, position, cost, _after, order = self._core.offer_many(
            *self._columns(orders), when)
        names = np.asarray(_core.VERDICTS)
        return Decisions(names[verdict], vehicle, position, cost, order)

    # ------------------------------------------------------------------ inputs
    def _coordinates(self, places: Locations) -> np.ndarray:
        return places.lonlat if self._core.metric == "haversine" else places.xy

    def _columns(self, orders: Orders) -> tuple:
        if not isinstance(orders, Orders):
            raise TypeError("orders must be an Orders table")
        pickups, dropoffs = orders.pickups, orders.dropoffs
        return (orders.pickup_time, orders.dropoff_time, self._coordinates(pickups), pickups.zone,
                self._coordinates(dropoffs), dropoffs.zone, orders.revenue, orders.distance)

    @staticmethod
    def _when(request_time) -> float:
        if request_time is None:
            return -math.inf
        value = float(request_time)
        if math.isnan(value):
            raise ValueError("request_time is NaN")
        return value

    def _one(self, order) -> tuple:
        if isinstance(order, Orders):
            if len(order) != 1:
                raise ValueError(f"offer() takes one order, got {len(order)} (use offer_many)")
            columns = self._columns(order)
            zone = [-1 if z is None else int(z[0]) for z in (columns[3], columns[5])]
            pickup = (float(columns[2][0, 0]), float(columns[2][0, 1]), zone[0])
            dropoff = (float(columns[4][0, 0]), float(columns[4][0, 1]), zone[1])
            distance = math.nan if columns[7] is None else float(columns[7][0])
            return (float(columns[0][0]), float(columns[1][0]), pickup, dropoff,
                    float(columns[6][0]), distance)
        try:
            pickup, dropoff = _place(order["pickup"]), _place(order["dropoff"])
            distance = order.get("distance")
            return (float(order["pickup_time"]), float(order["dropoff_time"]), pickup, dropoff,
                    float(order["revenue"]), math.nan if distance is None else float(distance))
        except KeyError as missing:
            raise ValueError(f"order lacks {missing}: give pickup_time, dropoff_time, pickup, "
                             "dropoff and revenue") from None


def _place(value) -> tuple:
    values = tuple(value)
    if len(values) not in (2, 3):
        raise ValueError("a place is (x, y) or (x, y, zone)")
    return (float(values[0]), float(values[1]), int(values[2]) if len(values) == 3 else -1)

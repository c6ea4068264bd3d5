"""Bid prices for the dispatcher from the phase-one potentials (internal).

The phase-one flow prices each reserved pickup: its potential is what the plan pays to bring a
vehicle there (the vehicle cost for a chain's first order, less where a vehicle arrives from an
earlier drop-off). A vehicle free at place x from time t could take over any later reserved
pickup j, so it is worth ``max(0, max_j potential_j - deadhead_cost(x, j))`` to the plan. The
dispatcher reads that value on a grid of cells and time buckets (C++ ``BidPrices``).
"""

from __future__ import annotations

import numpy as np

from .chaining import TripChainSolution
from .data.orders import Orders

MAX_CELLS_PER_SIDE = 48
CHUNK = 1 << 20  # pickups x cells evaluated at once


def vehicle_values(plan: TripChainSolution, orders: Orders, coordinates, travel,
                   deadhead_cost_per_km: float, bucket_s: float = 900.0,
                   horizon_s: float | None = None) -> dict:
    """The grid of values of a free vehicle, as keyword arguments for the core's
    ``set_bid_prices`` (less the weight).

    ``coordinates(locations)`` gives the places the dispatcher uses (x/y km, or lon/lat for
    haversine); ``horizon_s`` (max_idle): pickups further ahead count for nothing.
    """
    potentials = np.asarray(plan.potentials, dtype=np.float64)
    if potentials.shape != (len(orders), 2):
        raise ValueError(f"the plan has potentials for {potentials.shape[0]} orders, the table "
                         f"{len(orders)}: bid prices need the plan of these orders")
    if not np.isfinite(potentials).all():
        raise ValueError("the plan's potentials are not finite (method='highs' without duals?)")
    pickup = np.asarray(coordinates(orders.pickups), dtype=np.float64)
    dropoff = np.asarray(coordinates(orders.dropoffs), dtype=np.float64)
    places = np.vstack([pickup, dropoff])
    if not np.isfinite(places).all():
        raise ValueError("bid prices need coordinates for every place (zone-only orders have none)")
    low, high = places.min(axis=0), places.max(axis=0)
    per_side = int(np.clip(3.0 * np.sqrt(len(orders)), 8, MAX_CELLS_PER_SIDE))
    side = max(float((high - low).max()) / per_side, 1e-6)
    nx = max(1, int(np.ceil((high[0] - low[0]) / side + 1e-9)))
    ny = max(1, int(np.ceil((high[1] - low[1]) / side + 1e-9)))
    cx = low[0] + side * (np.arange(nx) + 0.5)
    cy = low[1] + side * (np.arange(ny) + 0.5)
    centers = np.column_stack([np.tile(cx, ny), np.repeat(cy, nx)])

    t0 = float(np.floor(orders.pickup_time.min() / bucket_s) * bucket_s)
    bucket = np.floor((orders.pickup_time - t0) / bucket_s).astype(np.int64)
    nt = int(bucket.max()) + 1
    # best[b, cell]: the best pickup of bucket b as seen from the cell's centre.
    best = np.full((nt, len(centers)), -np.inf)
    price = potentials[:, 0]
    step = max(1, CHUNK // len(centers))
    for start in range(0, len(orders), step):
        rows = np.arange(start, min(start + step, len(orders)))
        km = np.asarray(travel.distance_matrix(pickup[rows], centers))
        np.maximum.at(best, bucket[rows], price[rows, None] - deadhead_cost_per_km * km)
    # A vehicle free in bucket b reaches pickups of later buckets (within the horizon).
    later = np.full_like(best, -np.inf)
    if horizon_s is None:
        running = np.full(len(centers), -np.inf)
        for b in range(nt - 1, 0, -1):
            running = np.maximum(running, best[b])
            later[b - 1] = running
    else:
        reach = max(1, int(np.ceil(horizon_s / bucket_s)))
        for b in range(nt - 1):
            later[b] = best[b + 1:b + 1 + reach].max(axis=0)
    values = np.maximum(later, 0.0).reshape(nt, ny, nx)
    return {"values": np.ascontiguousarray(values), "x0": float(low[0]), "y0": float(low[1]),
            "side": side, "t0": t0, "bucket_s": float(bucket_s)}

"""The seed's scooter-relay MIP (seed 003) as written: every ordered pair, every scooter, all binary.

Columns: ``X[a, s]`` (scooter s stands at a), ``H[a, b]`` (arc open) for every ordered pair,
``Y[k]`` (commute served), ``P[k, a, b]`` (commute k's path uses a -> b) for every commute and
every ordered pair. Rows: each scooter at one place at most; ``H[a, b] <= sum of X[a, s] over
the scooters whose range reaches d_ab``; flow conservation of P per (commute, location), with
Y leaving the origin and reaching the destination; time ``sum tau P <= C Y``; ``P <= H``.
Objective: max ``sum h Y``. Built from arrays into one CSC matrix and handed to HiGHS through
shareopt's bridge (passModel), like ours, so the comparison is about the formulation only.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from shareopt.lp import LinearProgram
from shareopt.travel import TravelModel


def seed_size(n: int, scooters: int, commutes: int) -> dict:
    """Columns, rows and (at most) nonzeros of the seed's model, without building it."""
    pairs = n * (n - 1)
    columns = n * scooters + pairs + commutes + commutes * pairs
    rows = scooters + pairs + commutes * n + commutes + commutes * pairs
    nonzeros = n * scooters + pairs * (1 + scooters) + commutes * (5 * pairs + 3)
    return {"columns": columns, "rows": rows, "nonzeros": nonzeros}


def travel_of(data, speed_kmh: float = 15.0) -> tuple[np.ndarray, np.ndarray]:
    """Distances (km) and times (s) as solve_relays measures them (haversine for lon/lat)."""
    metric = "haversine" if data.lonlat is not None else "manhattan"
    travel = TravelModel(metric, speed_kmh=speed_kmh)
    dist = travel.distance_matrix(data.lonlat if data.lonlat is not None else data.xy)
    return dist, travel.drive_time(dist.ravel()).reshape(dist.shape)


def seed_model(data, speed_kmh: float = 15.0, swap_time_s: float = 0.0) -> LinearProgram:
    """The seed's MIP for a :class:`~shareopt.relay.RelayData`."""
    dist, time = travel_of(data, speed_kmh)
    n, n_s, n_k = data.n_locations, data.n_scooters, data.n_commutes
    pa, pb = np.nonzero(~np.eye(n, dtype=bool))
    n_p = pa.size
    x0, h0, y0 = 0, n * n_s, n * n_s + n_p
    p0 = y0 + n_k
    n_cols = p0 + n_k * n_p
    rows, cols, vals, lower, upper = [], [], [], [], []
    row = 0

    def add(r, c, v, lo, hi):
        nonlocal row
        rows.append(np.asarray(r, np.int64) + row)
        cols.append(np.asarray(c, np.int64))
        vals.append(np.broadcast_to(np.asarray(v, np.float64), np.shape(c)))
        lower.append(np.asarray(lo, np.float64))
        upper.append(np.asarray(hi, np.float64))
        row += len(lower[-1])

    s_idx = np.arange(n * n_s) % n_s      # X[a, s] at column a * n_s + s
    add(s_idx, x0 + np.arange(n * n_s), 1.0, np.full(n_s, -np.inf), np.ones(n_s))
    covers = data.range_km[None, :] >= dist[pa, pb][:, None]  # (pairs, scooters)
    pair, scooter = np.nonzero(covers)
    add(np.r_[np.arange(n_p), pair], np.r_[h0 + np.arange(n_p), x0 + pa[pair] * n_s + scooter],
        np.r_[np.ones(n_p), -np.ones(pair.size)], np.full(n_p, -np.inf), np.zeros(n_p))
    k_of = np.repeat(np.arange(n_k), n_p)
    p_cols = p0 + np.arange(n_k * n_p)
    tails, heads = np.tile(pa, n_k), np.tile(pb, n_k)
    y_cols = y0 + np.arange(n_k)
    add(np.r_[k_of * n + tails, k_of * n + heads, np.arange(n_k) * n + data.origin,
              np.arange(n_k) * n + data.destination],
        np.r_[p_cols, p_cols, y_cols, y_cols],
        np.r_[np.ones(p_cols.size), -np.ones(p_cols.size), -np.ones(n_k), np.ones(n_k)],
        np.zeros(n_k * n), np.zeros(n_k * n))
    budget = data.budget_s + swap_time_s
    add(np.r_[k_of, np.arange(n_k)], np.r_[p_cols, y_cols],
        np.r_[np.tile(time[pa, pb] + swap_time_s, n_k), -budget], np.full(n_k, -np.inf), np.zeros(n_k))
    r = np.arange(p_cols.size)
    add(np.r_[r, r], np.r_[p_cols, h0 + np.tile(np.arange(n_p), n_k)],
        np.r_[np.ones(r.size), -np.ones(r.size)], np.full(r.size, -np.inf), np.zeros(r.size))
    A = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row, n_cols))
    c = np.zeros(n_cols)
    c[y0:p0] = data.demand
    return LinearProgram(c, A, np.concatenate(lower), np.concatenate(upper), 0.0, 1.0,
                         integrality=np.ones(n_cols, np.int32), sense="max")


def seed_placement(data, x: np.ndarray) -> np.ndarray:
    """Scooter -> location index (-1: not placed) from a solution of :func:`seed_model`."""
    n, n_s = data.n_locations, data.n_scooters
    at = np.round(x[:n * n_s]).reshape(n, n_s) > 0.5
    location = np.full(n_s, -1, np.int64)
    placed_a, placed_s = np.nonzero(at)
    location[placed_s] = placed_a
    return location

"""Trips on the H3 grid: cells, periods, demand rates, destinations, routes and durations.

The fleet-distribution model (:mod:`shareopt.hexfleet`) reads trips only through
:class:`HexDemand`, built here from an :class:`~shareopt.data.Orders` table.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .data import DataWarning, Orders
from .exceptions import ValidationError

__all__ = ["HexDemand", "hex_demand"]

_DAY = 86_400.0


@dataclass(frozen=True)
class HexDemand:
    """Demand of one cycle (a day) on H3 cells, in CSR form over g = cell * T + period.

    Attributes
    ----------
    cells : ndarray of uint64
        H3 indices of the C cells (those where some trip starts or ends).
    resolution, periods : int
    days : int
        Cycles the trips came from (rates are per cycle).
    rate : ndarray (C * T,)
        Expected trips per cycle starting in cell c in period t.
    od_offsets : ndarray (C * T + 1,)
        Entries k of g are ``od_offsets[g]:od_offsets[g + 1]``.
    od_dest, od_prob, od_steps, od_arrive : ndarray (K,)
        Destination cell, its probability given g, route length in hex steps (at least 1)
        and the period the car is free again (>= t + 1; T or more: after the cycle).
    fare_per_step : ndarray (T,)
        Fare per hex step in each period.
    fuel_per_step : float
    maintenance : ndarray (C,)
        Cost per free car per period in each cell.
    """

    cells: np.ndarray
    resolution: int
    periods: int
    days: int
    rate: np.ndarray
    od_offsets: np.ndarray
    od_dest: np.ndarray
    od_prob: np.ndarray
    od_steps: np.ndarray
    od_arrive: np.ndarray
    fare_per_step: np.ndarray
    fuel_per_step: float
    maintenance: np.ndarray

    @property
    def n_cells(self) -> int:
        return int(self.cells.size)

    @property
    def od_origin(self) -> np.ndarray:
        """Origin cell of each entry."""
        return np.repeat(np.arange(self.n_cells * self.periods) // self.periods, np.diff(self.od_offsets))

    @property
    def od_period(self) -> np.ndarray:
        """Departure period of each entry."""
        return np.repeat(np.arange(self.n_cells * self.periods) % self.periods, np.diff(self.od_offsets))

    @property
    def od_gain(self) -> np.ndarray:
        """Fare minus fuel of one trip of each entry."""
        return (self.fare_per_step[self.od_period] - self.fuel_per_step) * self.od_steps

    def period_demand(self, period: int = 0) -> np.ndarray:
        """Expected trips per cell starting in one period (the seed's "morning demand")."""
        return self.rate.reshape(self.n_cells, self.periods)[:, period].copy()

    def cell_lonlat(self) -> np.ndarray:
        """(C, 2) lon, lat of the cell centers."""
        import h3.api.numpy_int as h3n

        return np.array([h3n.cell_to_latlng(int(c))[::-1] for c in self.cells])

    def to_dict(self) -> dict:
        return {"cells": self.n_cells, "resolution": self.resolution, "periods": self.periods,
                "days": self.days, "trips_per_cycle": float(self.rate.sum()),
                "od_entries": int(self.od_dest.size)}


def hex_demand(orders: Orders, resolution: int = 8, periods: int = 24, *, fare_per_step=None,
               fuel_per_step: float = 0.12, maintenance=0.5, start_hour: float = 0.0,
               days: int | None = None) -> HexDemand:
    """The demand of an orders table on H3 cells, per period of a daily cycle.

    Parameters
    ----------
    orders
        Trips with places (x/y with a projection, lon/lat, or zones at their centroids) and
        times; each calendar day of pickups is one cycle (rates are averages per day).
    resolution
        H3 resolution (8: cells of about 0.74 km^2).
    periods
        T, periods per day.
    fare_per_step
        Fare per hex step: a number, one per period, or None to learn it from the orders'
        revenue (revenue over hex steps of the trips that start in each period).
    fuel_per_step
        Fuel cost per hex step.
    maintenance
        Cost per free car per period: a number or one per cell (in the order of ``cells``
        found: pass a number, or call again with the cells' order).
    start_hour
        Clock hour at which period 0 begins.
    days
        Cycles the trips cover (rates are trips per cycle); default: the span of the pickups
        in days, rounded, at least 1. Trips on days that hold under 1% of them (stray records
        of the day before or after) are left out with a :class:`~shareopt.data.DataWarning`.
    """
    import h3.api.numpy_int as h3n

    if not (0 <= int(resolution) <= 15):
        raise ValidationError(f"resolution must be 0..15, got {resolution}", "bad_resolution")
    T = int(periods)
    if T < 1 or T > 1440:
        raise ValidationError(f"periods must be 1..1440, got {periods}", "bad_periods")
    if len(orders) == 0:
        raise ValidationError("no trips", "empty")
    if orders.projection is None:
        raise ValidationError("hex cells need geographic places: orders with lon/lat or zones "
                              "(x/y tables have no projection)", "no_lonlat")
    seconds = orders.pickup_time - start_hour * 3600.0
    keep = _main_days(seconds)
    if not keep.all():
        warnings.warn(f"hex_demand: {np.count_nonzero(~keep):,} of {keep.size:,} trips start on days that hold "
                      f"under {_STRAY_SHARE:.0%} of the trips (stray records); they are left out", DataWarning,
                      stacklevel=2)
        orders = orders.take(np.flatnonzero(keep))
        seconds = seconds[keep]
    if days is None:
        # Cycles the data covers: its span in days (one calendar day read with a later start
        # hour is still one cycle, not two).
        days = max(1, round(float(seconds.max() - seconds.min()) / _DAY))
    elif int(days) < 1:
        raise ValidationError(f"days must be >= 1, got {days}", "bad_days")
    days = int(days)
    pick = orders.projection.to_lonlat(orders.pickup_xy)
    drop = orders.projection.to_lonlat(orders.dropoff_xy)
    points = np.concatenate([pick, drop])
    unique, where = np.unique(np.round(points, 7), axis=0, return_inverse=True)
    point_cell = np.array([h3n.latlng_to_cell(lat, lon, int(resolution)) for lon, lat in unique], dtype=np.uint64)
    cell_of = point_cell[where.ravel()]
    cells, index = np.unique(cell_of, return_inverse=True)
    n = len(orders)
    origin, dest = index[:n].astype(np.int64), index[n:].astype(np.int64)
    C = cells.size

    period_length = _DAY / T
    period = np.minimum((np.mod(seconds, _DAY) // period_length).astype(np.int64), T - 1)
    duration = np.maximum(orders.dropoff_time - orders.pickup_time, 0.0)

    # One entry per (origin, period, destination): counts, median duration.
    g = origin * T + period
    key = g * C + dest
    order = np.lexsort((duration, key))
    key_sorted = key[order]
    first = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    counts = np.diff(np.r_[first, key_sorted.size])
    median = duration[order][first + (counts - 1) // 2]
    entry_key = key_sorted[first]
    entry_g, entry_dest = entry_key // C, entry_key % C
    rate = np.bincount(entry_g, weights=counts, minlength=C * T) / days
    offsets = np.zeros(C * T + 1, dtype=np.int64)
    np.cumsum(np.bincount(entry_g, minlength=C * T), out=offsets[1:])
    prob = counts / np.repeat(np.bincount(entry_g, weights=counts, minlength=C * T)[entry_g], 1)
    steps = _hex_steps(cells, entry_g // T, entry_dest)
    arrive = entry_g % T + np.maximum(1, np.floor(median / period_length + 0.5)).astype(np.int64)

    entry_period = entry_g % T
    if fare_per_step is None:
        revenue_steps = np.bincount(period, weights=orders.revenue, minlength=T)
        trip_steps = np.bincount(entry_period, weights=steps * counts, minlength=T)
        fare = np.divide(revenue_steps, trip_steps, out=np.zeros(T), where=trip_steps > 0)
    else:
        fare = np.broadcast_to(np.asarray(fare_per_step, dtype=np.float64), (T,)).copy()
    upkeep = np.broadcast_to(np.asarray(maintenance, dtype=np.float64), (C,)).copy()
    for name, values in (("fare_per_step", fare), ("maintenance", upkeep), ("fuel_per_step", np.array([fuel_per_step]))):
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValidationError(f"{name} must be finite and >= 0", f"bad_{name}")
    return HexDemand(cells, int(resolution), T, days, rate, offsets, entry_dest.astype(np.int32),
                     prob.astype(np.float64), steps, arrive.astype(np.int32), fare, float(fuel_per_step), upkeep)


_STRAY_SHARE = 0.01


def _main_days(seconds: np.ndarray) -> np.ndarray:
    """Trips on days that hold at least 1% of all trips."""
    day = np.floor(seconds / _DAY).astype(np.int64)
    _values, inverse, counts = np.unique(day, return_inverse=True, return_counts=True)
    return (counts >= _STRAY_SHARE * seconds.size)[inverse.ravel()]


def _hex_steps(cells: np.ndarray, origin: np.ndarray, dest: np.ndarray) -> np.ndarray:
    """Route length in hex steps (at least 1: a trip inside a cell still takes the car out).

    h3's grid distance fails across pentagons or far apart; then the great-circle distance
    over the distance between neighbouring cell centers stands in.
    """
    import h3
    import h3.api.numpy_int as h3n

    pairs, inverse = np.unique(np.stack([origin, dest], axis=1), axis=0, return_inverse=True)
    steps = np.empty(len(pairs), dtype=np.int64)
    spacing = None
    for i, (a, b) in enumerate(pairs):
        try:
            steps[i] = h3n.grid_distance(int(cells[a]), int(cells[b]))
        except h3.H3BaseException:  # no grid path (pentagons, or too far apart)
            if spacing is None:
                spacing = math.sqrt(3.0) * h3n.average_hexagon_edge_length(h3n.get_resolution(int(cells[a])), "km")
            lat1, lon1 = h3n.cell_to_latlng(int(cells[a]))
            lat2, lon2 = h3n.cell_to_latlng(int(cells[b]))
            steps[i] = round(h3n.great_circle_distance((lat1, lon1), (lat2, lon2), "km") / spacing)
    return np.maximum(steps[inverse.ravel()], 1)

"""Synthetic tables with a seed: an NYC-like day of taxi orders, bike-share stations.

The shapes follow published NYC figures, not a fit: the hourly profile of a weekday of yellow
taxi pickups (quiet at 4-5 h, peaks at 8-9 h and 18-21 h), trip lengths with a median near
2.5 km and a long tail of airport runs, pickups concentrated in Manhattan, hourly speeds from
about 16 km/h at rush hour to 30 km/h at night, and the NYC meter fare. Same arguments and
seed, same table.
"""

from __future__ import annotations

import numpy as np

from ..geo import LocalProjection
from ..travel import TravelModel
from .orders import Orders
from .stations import Stations

__all__ = ["synthetic_orders", "synthetic_stations", "NYC_DAY_ORDERS", "NYC_HOURLY_PROFILE",
           "NYC_HOURLY_SPEED_KMH", "NYC_PROJECTION"]

NYC_DAY_ORDERS = 380_000

# Share of a weekday's pickups by hour (NYC yellow taxi, 2013, approximate).
NYC_HOURLY_PROFILE = np.array([3.4, 2.4, 1.7, 1.2, 0.9, 0.9, 2.0, 3.6, 4.4, 4.5, 4.3, 4.4,
                               4.6, 4.6, 4.8, 4.5, 4.0, 4.7, 5.9, 6.3, 5.8, 5.7, 5.6, 4.8])
NYC_HOURLY_PROFILE = NYC_HOURLY_PROFILE / NYC_HOURLY_PROFILE.sum()

# Typical taxi speeds by hour, km/h (Manhattan-dominated traffic).
NYC_HOURLY_SPEED_KMH = np.array([27.0, 29.0, 30.0, 31.0, 31.0, 29.0, 25.0, 19.0, 16.5, 16.0,
                                 16.5, 16.5, 16.0, 16.0, 15.5, 15.5, 16.0, 16.5, 17.0, 18.5,
                                 20.5, 22.0, 23.5, 25.0])

# Times Square: the center the generators project about.
NYC_PROJECTION = LocalProjection(-73.9855, 40.7580)

# Pickup hotspots: lon, lat, spread (km), weight.
_HOTSPOTS = np.array([
    [-73.982, 40.755, 1.3, 0.32],   # Midtown
    [-73.958, 40.773, 1.2, 0.14],   # Upper East Side
    [-73.978, 40.785, 1.2, 0.10],   # Upper West Side
    [-74.000, 40.735, 1.2, 0.18],   # Chelsea and the Village
    [-74.008, 40.713, 1.0, 0.08],   # Lower Manhattan
    [-73.970, 40.690, 2.5, 0.06],   # Brooklyn
    [-73.925, 40.755, 2.0, 0.04],   # Long Island City and Astoria
    [-73.945, 40.808, 1.2, 0.03],   # Harlem
    [-73.874, 40.777, 0.3, 0.03],   # LaGuardia
    [-73.778, 40.641, 0.4, 0.02],   # JFK
])
_AIRPORTS = (8, 9)
_FAR_TRIP_SHARE = 0.06          # trips whose destination is another hotspot (cross-town, airports)
_LENGTH_MEDIAN_KM = 2.3
_LENGTH_SIGMA = 0.7


def synthetic_orders(n: int = NYC_DAY_ORDERS, *, seed=0, places: str = "lonlat",
                     date: str = "2013-01-15") -> Orders:
    """An NYC-like weekday of taxi orders.

    Parameters
    ----------
    n
        Number of orders (380,000 is a full NYC day).
    seed
        Seed or :class:`numpy.random.Generator`.
    places
        ``"lonlat"`` (geographic, projected about Times Square) or ``"xy"`` (plain km).
    date
        The day the times count from (its local midnight is ``orders.epoch``).

    Returns
    -------
    Orders
        Sorted by pickup time, ids 0..n-1, with recorded distances (km) and meter revenue.
    """
    n = _positive_count(n, "n")
    rng = np.random.default_rng(seed)
    hour = rng.choice(24, size=n, p=NYC_HOURLY_PROFILE)
    pickup_time = np.sort(hour * 3600.0 + rng.uniform(0.0, 3600.0, n))

    spot = rng.choice(len(_HOTSPOTS), size=n, p=_HOTSPOTS[:, 3])
    pickup = _around_hotspots(spot, rng)
    far = (rng.random(n) < _FAR_TRIP_SHARE) | np.isin(spot, _AIRPORTS)
    dropoff = np.empty_like(pickup)
    # Far trips end at another hotspot (airport pickups mostly head to Manhattan).
    far_spot = rng.choice(len(_HOTSPOTS), size=int(far.sum()), p=_HOTSPOTS[:, 3])
    dropoff[far] = _around_hotspots(far_spot, rng)
    near = ~far
    length = rng.lognormal(np.log(_LENGTH_MEDIAN_KM), _LENGTH_SIGMA, int(near.sum()))
    angle = rng.uniform(0.0, 2.0 * np.pi, int(near.sum()))
    # Straight-line offset of a trip whose grid (manhattan) length is `length`.
    offset = length / (np.abs(np.cos(angle)) + np.abs(np.sin(angle)))
    dropoff[near] = pickup[near] + np.column_stack([np.cos(angle), np.sin(angle)]) * offset[:, None]

    model = TravelModel("manhattan", speed_kmh=NYC_HOURLY_SPEED_KMH)
    grid_km = np.maximum(model.distance(pickup, dropoff), 0.15)
    distance = grid_km * rng.lognormal(0.0, 0.08, n)
    drive = model.drive_time(distance, pickup_time)
    duration = 60.0 + drive * rng.lognormal(0.0, 0.15, n)  # a minute to board and pay
    dropoff_time = pickup_time + duration
    revenue = np.round(2.5 + 2.5 * distance / 1.609344 + 0.10 * duration / 60.0, 2)

    ids = np.arange(n, dtype=np.int64)
    common = dict(distance=distance, epoch=np.datetime64(date, "s"), strict=True)
    if places == "lonlat":
        return Orders(ids, pickup_time, dropoff_time, NYC_PROJECTION.to_lonlat(pickup),
                      NYC_PROJECTION.to_lonlat(dropoff), revenue, crs="lonlat",
                      projection=NYC_PROJECTION, **common)
    if places == "xy":
        return Orders(ids, pickup_time, dropoff_time, pickup, dropoff, revenue, **common)
    raise ValueError(f"places must be 'lonlat' or 'xy', got {places!r}")


def synthetic_stations(n: int = 600, *, seed=0, places: str = "lonlat", fill: float = 0.45,
                       imbalance: float = 0.35) -> Stations:
    """Bike-share stations like Citi Bike's: docks of 15-60, bikes unevenly spread.

    Parameters
    ----------
    n
        Number of stations.
    seed
        Seed or :class:`numpy.random.Generator`.
    places
        ``"lonlat"`` or ``"xy"`` (km about Times Square).
    fill
        Mean share of docks holding a bike.
    imbalance
        How far the local fill swings around ``fill`` (0: even; commuting flows empty some
        areas and fill others).
    """
    n = _positive_count(n, "n")
    if not 0.0 < fill < 1.0:
        raise ValueError(f"fill must be in (0, 1), got {fill}")
    if not 0.0 <= imbalance < 1.0:
        raise ValueError(f"imbalance must be in [0, 1), got {imbalance}")
    rng = np.random.default_rng(seed)
    manhattan_only = _HOTSPOTS[:8]
    weights = manhattan_only[:, 3] / manhattan_only[:, 3].sum()
    spot = rng.choice(len(manhattan_only), size=n, p=weights)
    xy = _around_hotspots(spot, rng, spread_scale=1.6)
    docks = np.array([15, 19, 23, 27, 31, 35, 39, 43, 47, 55, 59])
    dock_weights = np.array([6, 10, 14, 14, 14, 11, 9, 7, 6, 5, 4], dtype=float)
    capacity = rng.choice(docks, size=n, p=dock_weights / dock_weights.sum())
    # A smooth north-south and east-west swing: residential areas full, the core empty.
    wave = np.sin(xy[:, 1] / 3.0) * np.cos(xy[:, 0] / 4.0)
    share = np.clip(fill + imbalance * wave + rng.normal(0.0, 0.08, n), 0.0, 1.0)
    bikes = rng.binomial(capacity, share)
    ids = np.arange(1, n + 1, dtype=np.int64)
    if places == "lonlat":
        return Stations(ids, NYC_PROJECTION.to_lonlat(xy), capacity, bikes, crs="lonlat",
                        projection=NYC_PROJECTION, strict=True)
    if places == "xy":
        return Stations(ids, xy, capacity, bikes, strict=True)
    raise ValueError(f"places must be 'lonlat' or 'xy', got {places!r}")


def _around_hotspots(spot: np.ndarray, rng: np.random.Generator, spread_scale: float = 1.0) -> np.ndarray:
    center = NYC_PROJECTION.to_xy(_HOTSPOTS[spot, :2])
    spread = _HOTSPOTS[spot, 2:3] * spread_scale
    return center + rng.normal(size=(len(spot), 2)) * spread


def _positive_count(n, name: str) -> int:
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)

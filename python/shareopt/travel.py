"""The travel model: distances and travel times, one implementation for every problem.

A :class:`TravelModel` measures distance with a metric (manhattan, euclidean or haversine)
times a detour factor, and turns distance into time with a constant speed or a speed for each
hour of the day. Trips that cross an hour keep going at the next hour's speed, so a later
departure never arrives earlier (the FIFO property chaining relies on). A zone matrix learned
from trips (median distance and time per zone pair) replaces the metric between zones seen
often enough. The arithmetic lives in C++ (``shareopt._core.TravelModel``), so compiled
kernels of every problem call the very same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _core
from .geo import Locations, _as_points

__all__ = ["TravelModel", "ZoneMatrix", "METRICS"]

METRICS = ("manhattan", "euclidean", "haversine")


@dataclass(frozen=True, eq=False)
class ZoneMatrix:
    """Distance and time between zones; NaN where a pair was not observed.

    Parameters
    ----------
    distance_km, time_s
        (K, K) arrays indexed by zone id (from, to). NaN entries fall back to the metric.
    trips
        (K, K) number of trips each entry was learned from.
    """

    distance_km: np.ndarray
    time_s: np.ndarray
    trips: np.ndarray

    @property
    def n_zones(self) -> int:
        return self.distance_km.shape[0]

    @property
    def n_pairs(self) -> int:
        """Number of zone pairs with a learned (non-NaN) entry."""
        return int(np.count_nonzero(~np.isnan(self.distance_km)))

    @classmethod
    def learn(cls, pickup_zone, dropoff_zone, distance_km, duration_s, *, min_trips: int = 5,
              n_zones: int | None = None) -> ZoneMatrix:
        """Median distance and duration of observed trips per zone pair.

        Pairs with fewer than ``min_trips`` trips stay NaN. Trips within one zone that was
        seen too rarely get the median of all intra-zone trips, since the metric between a
        zone's centroid and itself is zero.
        """
        pz = np.asarray(pickup_zone, dtype=np.int64)
        dz = np.asarray(dropoff_zone, dtype=np.int64)
        dist = np.asarray(distance_km, dtype=np.float64)
        dur = np.asarray(duration_s, dtype=np.float64)
        if not (len(pz) == len(dz) == len(dist) == len(dur)):
            raise ValueError("zone and trip arrays must have the same length")
        ok = (pz >= 0) & (dz >= 0) & np.isfinite(dist) & np.isfinite(dur) & (dist >= 0) & (dur >= 0)
        if n_zones is None:
            n_zones = int(max(pz[ok].max(initial=-1), dz[ok].max(initial=-1))) + 1
        if n_zones <= 0:
            raise ValueError("no trip with zones to learn a zone matrix from")
        ok &= (pz < n_zones) & (dz < n_zones)
        pair = pz[ok] * n_zones + dz[ok]
        trips = np.bincount(pair, minlength=n_zones * n_zones)
        med_dist = _median_by_group(pair, dist[ok], n_zones * n_zones)
        med_time = _median_by_group(pair, dur[ok], n_zones * n_zones)
        rare = trips < min_trips
        med_dist[rare] = np.nan
        med_time[rare] = np.nan

        diagonal = np.arange(n_zones) * (n_zones + 1)
        intra = pz[ok] == dz[ok]
        if np.count_nonzero(intra) >= min_trips:
            fill = np.isnan(med_dist[diagonal])
            med_dist[diagonal[fill]] = np.median(dist[ok][intra])
            med_time[diagonal[fill]] = np.median(dur[ok][intra])
        shape = (n_zones, n_zones)
        return cls(med_dist.reshape(shape), med_time.reshape(shape), trips.reshape(shape))


def _median_by_group(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of values per integer group id; NaN for empty groups."""
    out = np.full(n_groups, np.nan)
    if len(group) == 0:
        return out
    order = np.lexsort((values, group))
    g = group[order]
    v = values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    counts = np.diff(np.r_[starts, len(g)])
    lo = starts + (counts - 1) // 2
    hi = starts + counts // 2
    out[g[starts]] = 0.5 * (v[lo] + v[hi])
    return out


class TravelModel:
    """Distances and travel times between places.

    Parameters
    ----------
    metric
        ``"manhattan"`` or ``"euclidean"`` on x, y km, or ``"haversine"`` on lon/lat.
    detour
        Road distance over metric distance (> 0; 1.0 means the metric itself).
    speed_kmh
        One speed, or 24 speeds for the hours of the day (hour 0 starts at time 0 mod 86400,
        the local midnight of the data's epoch).
    zone_matrix
        Learned distances and times between zones; used when both places have a zone and the
        pair was observed.

    Notes
    -----
    Places are :class:`~shareopt.geo.Locations` (what tables expose) or plain (n, 2) arrays
    in the metric's own space: x, y km, or lon, lat degrees for haversine.

    Examples
    --------
    >>> import numpy as np
    >>> model = TravelModel("manhattan", detour=1.2, speed_kmh=20.0)
    >>> model.distance(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]))
    array([8.4])
    """

    def __init__(self, metric: str = "manhattan", detour: float = 1.0, speed_kmh=25.0,
                 zone_matrix: ZoneMatrix | None = None):
        speeds = np.atleast_1d(np.asarray(speed_kmh, dtype=np.float64))
        if speeds.ndim != 1 or len(speeds) not in (1, 24):
            raise ValueError("speed_kmh must be one number or 24 numbers (one per hour)")
        self._core = _core.TravelModel(str(metric), float(detour), speeds.tolist())
        self.zone_matrix = zone_matrix
        if zone_matrix is not None:
            self._core.set_zone_matrix(zone_matrix.distance_km, zone_matrix.time_s)

    # Pickle through the constructor's arguments: batches send models to worker processes.
    def __getstate__(self):
        return {"metric": self.metric, "detour": self.detour, "speed_kmh": self.speeds_kmh,
                "zone_matrix": self.zone_matrix}

    def __setstate__(self, state):
        self.__init__(**state)

    def __repr__(self) -> str:
        speeds = self.speeds_kmh
        speed = f"{speeds[0]:g} km/h" if len(speeds) == 1 else f"{speeds.min():.1f}-{speeds.max():.1f} km/h by hour"
        zones = f", zone matrix {self.zone_matrix.n_pairs} pairs" if self.zone_matrix else ""
        return f"TravelModel({self.metric}, detour {self.detour:g}, {speed}{zones})"

    @property
    def metric(self) -> str:
        return self._core.metric

    @property
    def detour(self) -> float:
        return self._core.detour

    @property
    def speeds_kmh(self) -> np.ndarray:
        return np.asarray(self._core.speeds_kmh)

    @property
    def core(self) -> _core.TravelModel:
        """The C++ model, for compiled kernels."""
        return self._core

    def coordinates(self, places) -> np.ndarray:
        """(n, 2) coordinates of places in the metric's space (what the C++ model reads)."""
        if isinstance(places, Locations):
            return places.lonlat if self.metric == "haversine" else places.xy
        return _as_points(places, "places")

    def _split(self, places):
        zone = places.zone if isinstance(places, Locations) else None
        return self.coordinates(places), zone

    def distance(self, a, b) -> np.ndarray:
        """Distance in km from each place of ``a`` to the place of ``b`` in the same row."""
        a_xy, a_zone = self._split(a)
        b_xy, b_zone = self._split(b)
        return self._core.pair_distance(a_xy, a_zone, b_xy, b_zone)

    def travel_time(self, a, b, depart_s=0.0) -> np.ndarray:
        """Seconds from each place of ``a`` to the same row of ``b``, leaving at ``depart_s``."""
        a_xy, a_zone = self._split(a)
        b_xy, b_zone = self._split(b)
        depart = np.broadcast_to(np.asarray(depart_s, dtype=np.float64), (len(a_xy),))
        return self._core.pair_time(np.ascontiguousarray(depart), a_xy, a_zone, b_xy, b_zone)

    def distance_matrix(self, a, b=None) -> np.ndarray:
        """(len(a), len(b)) km from every place of ``a`` to every place of ``b`` (b = a if None)."""
        a_xy, a_zone = self._split(a)
        b_xy, b_zone = (a_xy, a_zone) if b is None else self._split(b)
        return self._core.matrix_distance(a_xy, a_zone, b_xy, b_zone)

    def drive_time(self, distance_km, depart_s=0.0) -> np.ndarray:
        """Seconds to drive ``distance_km`` leaving at ``depart_s`` (no zones involved)."""
        dist = np.atleast_1d(np.asarray(distance_km, dtype=np.float64))
        depart = np.broadcast_to(np.asarray(depart_s, dtype=np.float64), dist.shape)
        return self._core.drive_time(np.ascontiguousarray(depart), np.ascontiguousarray(dist))

    @classmethod
    def from_trips(cls, orders, *, metric: str = "manhattan", by_hour: bool = True,
                   zone_matrix: bool = True, min_trips: int = 5) -> TravelModel:
        """Learn detour, speeds and (for zone data) a zone matrix from observed trips.

        Parameters
        ----------
        orders
            An :class:`~shareopt.data.Orders` table of completed trips.
        metric
            Metric the detour factor is measured against.
        by_hour
            Learn 24 hourly speeds (hours with fewer than ``min_trips`` trips take the
            overall median) instead of one.
        zone_matrix
            Also learn a zone matrix when the orders carry zone ids.
        min_trips
            Trips needed before an hour or a zone pair gets its own estimate.

        Notes
        -----
        The detour is the median of recorded trip distance over metric distance (trips of
        at least 0.5 km by the metric); without recorded distances it stays 1.0. Speeds are
        medians of road distance over duration, among trips of at least a minute at a
        plausible 1-130 km/h.
        """
        plain = cls(metric)
        metric_km = plain.distance(Locations(orders.pickup_xy, None, orders.projection),
                                   Locations(orders.dropoff_xy, None, orders.projection))
        duration = orders.dropoff_time - orders.pickup_time
        detour = 1.0
        if orders.distance is not None:
            usable = (metric_km >= 0.5) & (orders.distance > 0)
            if np.count_nonzero(usable) >= min_trips:
                detour = float(np.median(orders.distance[usable] / metric_km[usable]))
            road_km = orders.distance
        else:
            road_km = metric_km
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = road_km / (duration / 3600.0)
        usable = (duration >= 60.0) & (road_km > 0.2) & (speed >= 1.0) & (speed <= 130.0)
        if np.count_nonzero(usable) < min_trips:
            raise ValueError(f"only {np.count_nonzero(usable)} trips usable to learn speeds "
                             f"(need {min_trips}): trips of at least a minute at 1-130 km/h")
        overall = float(np.median(speed[usable]))
        speeds: float | np.ndarray = overall
        if by_hour:
            hour = np.floor(orders.pickup_time / 3600.0).astype(np.int64) % 24
            by = _median_by_group(hour[usable], speed[usable], 24)
            enough = np.bincount(hour[usable], minlength=24) >= min_trips
            speeds = np.where(enough, by, overall)
        matrix = None
        if zone_matrix and orders.pickup_zone is not None and orders.dropoff_zone is not None:
            matrix = ZoneMatrix.learn(orders.pickup_zone, orders.dropoff_zone, road_km, duration,
                                      min_trips=min_trips)
        return cls(metric, detour=detour, speed_kmh=speeds, zone_matrix=matrix)

    def to_dict(self) -> dict:
        """JSON-safe summary of the model."""
        speeds = self.speeds_kmh
        return {
            "metric": self.metric,
            "detour": round(self.detour, 6),
            "speed_kmh": [round(float(s), 4) for s in speeds],
            "zone_pairs": self.zone_matrix.n_pairs if self.zone_matrix is not None else 0,
        }

"""The orders table: trips with pickup and drop-off time and place, and their revenue."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..exceptions import ValidationError
from ..geo import LocalProjection, Locations, plausible_lonlat
from .columns import float_column, id_column, point_column
from .report import LoadReport, RowChecker, later_duplicates
from .zones import ZoneTable

__all__ = ["Orders", "CRS"]

CRS = ("xy", "lonlat", "zone")

CANONICAL_COLUMNS = ("order_id", "pickup_time", "dropoff_time", "pickup_x", "pickup_y",
                     "dropoff_x", "dropoff_y", "revenue")


class Orders:
    """A table of orders (trips), validated on the way in.

    Times are seconds from the table's time origin (``epoch``, a local midnight when known),
    places are x, y km on a local plane (see :mod:`shareopt.geo`).

    Parameters
    ----------
    order_id
        (n,) integer ids, unique.
    pickup_time, dropoff_time
        (n,) seconds; drop-off must come after pickup.
    pickup, dropoff
        Places in the given ``crs``: (n, 2) x, y km (``"xy"``), (n, 2) lon, lat degrees
        (``"lonlat"``), or (n,) zone ids (``"zone"``, placed at the zone centroids).
    revenue
        (n,) revenue of serving each order (lost when it is not served), >= 0.
    distance
        Optional (n,) recorded trip distance in km, > 0.
    crs
        How ``pickup`` and ``dropoff`` are given.
    zones
        Zone table for ``crs="zone"`` (default: the NYC TLC taxi zones).
    projection
        Projection for ``crs="lonlat"`` (default: about the median point).
    epoch
        The clock time of t = 0 (``numpy.datetime64``), when known.
    strict
        Raise :class:`~shareopt.exceptions.ValidationError` naming the first offending rows
        instead of dropping bad rows. Either way nothing is dropped silently: dropped rows are
        counted by reason in :attr:`report` and a :class:`~shareopt.data.DataWarning` is issued.
    bbox
        Optional (lon_min, lat_min, lon_max, lat_max): geographic places outside are dropped.
    max_duration
        Optional longest plausible trip in seconds; longer trips are dropped.

    Examples
    --------
    >>> import numpy as np
    >>> orders = Orders([1, 2], [0.0, 600.0], [900.0, 1500.0],
    ...                 np.array([[0, 0], [1, 1.0]]), np.array([[2, 0], [0, 3.0]]), [12.0, 9.5])
    >>> len(orders), orders.report.n_dropped
    (2, 0)
    """

    order_id: np.ndarray
    pickup_time: np.ndarray
    dropoff_time: np.ndarray
    pickup_xy: np.ndarray
    dropoff_xy: np.ndarray
    revenue: np.ndarray
    distance: np.ndarray | None
    pickup_zone: np.ndarray | None
    dropoff_zone: np.ndarray | None
    projection: LocalProjection | None
    epoch: np.datetime64 | None
    report: LoadReport

    def __init__(self, order_id, pickup_time, dropoff_time, pickup, dropoff, revenue, *,
                 distance=None, crs: str = "xy", zones: ZoneTable | None = None,
                 projection: LocalProjection | None = None, epoch=None, strict: bool = False,
                 bbox=None, max_duration: float | None = None):
        build_orders(self, order_id, pickup_time, dropoff_time, pickup, dropoff, revenue,
                     distance=distance, crs=crs, zones=zones, projection=projection, epoch=epoch,
                     strict=strict, bbox=bbox, max_duration=max_duration)

    @classmethod
    def _trusted(cls, **fields) -> Orders:
        """An Orders from arrays already validated (subsets, generators)."""
        orders = object.__new__(cls)
        for name, value in fields.items():
            setattr(orders, name, value)
        return orders

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return len(self.order_id)

    def __repr__(self) -> str:
        where = "zones" if self.pickup_zone is not None else ("lon/lat" if self.projection else "x/y km")
        return f"Orders({len(self):,} orders, {where}, {self.time_span_hours:.1f} h)"

    @property
    def pickups(self) -> Locations:
        return Locations(self.pickup_xy, self.pickup_zone, self.projection)

    @property
    def dropoffs(self) -> Locations:
        return Locations(self.dropoff_xy, self.dropoff_zone, self.projection)

    @property
    def duration(self) -> np.ndarray:
        """Trip durations in seconds."""
        return self.dropoff_time - self.pickup_time

    @property
    def time_span_hours(self) -> float:
        if len(self) == 0:
            return 0.0
        return float(self.dropoff_time.max() - self.pickup_time.min()) / 3600.0

    def take(self, index) -> Orders:
        """The orders at the given positions (index array or boolean mask)."""
        def sub(a):
            return None if a is None else a[index]
        return Orders._trusted(
            order_id=self.order_id[index], pickup_time=self.pickup_time[index],
            dropoff_time=self.dropoff_time[index], pickup_xy=self.pickup_xy[index],
            dropoff_xy=self.dropoff_xy[index], revenue=self.revenue[index],
            distance=sub(self.distance), pickup_zone=sub(self.pickup_zone),
            dropoff_zone=sub(self.dropoff_zone), projection=self.projection, epoch=self.epoch,
            report=self.report)

    def sorted_by_pickup(self) -> Orders:
        """The same orders in order of pickup time (ties by id): the order chaining expects."""
        return self.take(np.lexsort((self.order_id, self.pickup_time)))

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict:
        """JSON-safe summary (not the rows; see :meth:`to_arrays`)."""
        km = self.distance
        return {
            "orders": len(self),
            "first_pickup_s": float(self.pickup_time.min()),
            "last_dropoff_s": float(self.dropoff_time.max()),
            "epoch": None if self.epoch is None else str(self.epoch),
            "median_duration_min": round(float(np.median(self.duration)) / 60.0, 3),
            "median_distance_km": None if km is None else round(float(np.median(km)), 3),
            "revenue_total": round(float(self.revenue.sum()), 2),
            "places": "zone" if self.pickup_zone is not None else ("lonlat" if self.projection else "xy"),
            "load_report": self.report.to_dict(),
        }

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Column arrays under the canonical names (plus lon/lat, zones, distance if known)."""
        cols = {"order_id": self.order_id, "pickup_time": self.pickup_time,
                "dropoff_time": self.dropoff_time,
                "pickup_x": self.pickup_xy[:, 0], "pickup_y": self.pickup_xy[:, 1],
                "dropoff_x": self.dropoff_xy[:, 0], "dropoff_y": self.dropoff_xy[:, 1],
                "revenue": self.revenue}
        if self.distance is not None:
            cols["distance"] = self.distance
        if self.projection is not None:
            p, d = self.pickups.lonlat, self.dropoffs.lonlat
            cols.update(pickup_lon=p[:, 0], pickup_lat=p[:, 1], dropoff_lon=d[:, 0], dropoff_lat=d[:, 1])
        if self.pickup_zone is not None:
            cols.update(pickup_zone=self.pickup_zone, dropoff_zone=self.dropoff_zone)
        return cols

    def to_dataframe(self):
        """The table as a pandas DataFrame (needs pandas: ``pip install shareopt[io]``)."""
        import pandas as pd

        return pd.DataFrame(self.to_arrays())

    def to_csv(self, path: str | Path, places: str = "xy") -> None:
        """Write the canonical orders CSV (``places="lonlat"`` writes pickup_lon/lat instead)."""
        cols = self.to_arrays()
        if places == "xy":
            names = list(CANONICAL_COLUMNS)
        elif places == "lonlat":
            if self.projection is None:
                raise ValueError("these orders are planar and have no lon/lat to write")
            names = ["order_id", "pickup_time", "dropoff_time", "pickup_lon", "pickup_lat",
                     "dropoff_lon", "dropoff_lat", "revenue"]
        else:
            raise ValueError("places must be 'xy' or 'lonlat'")
        if self.distance is not None:
            names.append("distance")
        coord = "%.7f" if places == "lonlat" else "%.5f"
        fmt = ["%d", "%.3f", "%.3f", coord, coord, coord, coord, "%.4f"] + ["%.5f"] * (len(names) - 8)
        table = np.column_stack([cols[n].astype(np.float64) for n in names])
        np.savetxt(path, table, fmt=fmt, delimiter=",", header=",".join(names), comments="")


def build_orders(target: Orders, order_id, pickup_time, dropoff_time, pickup, dropoff, revenue, *,
                 distance=None, crs="xy", zones=None, projection=None, epoch=None, strict=False,
                 bbox=None, max_duration=None, source="arrays", format="arrays", lines=None,
                 notes=None, leading_rules=(), extra_rules=()) -> Orders:
    """Validate columns and fill ``target`` (an Orders) with the rows that pass.

    ``leading_rules`` and ``extra_rules`` are (reason, mask, description) applied before and
    after the standard rules; loaders use them for rows of the wrong shape and for their own
    filters (a date window, ...).
    """
    if crs not in CRS:
        raise ValueError(f"crs must be one of {CRS}, got {crs!r}")
    time0 = float_column(pickup_time, "pickup_time")
    n = len(time0)
    time1 = float_column(dropoff_time, "dropoff_time", n)
    rev = float_column(revenue, "revenue", n)
    ids, id_missing, id_fractional = id_column(order_id, "order_id", n)
    dist = None if distance is None else float_column(distance, "distance", n)
    if n == 0:
        raise ValidationError(f"orders table from {source} is empty", "empty")
    check = RowChecker(n, "orders", strict, lines)
    for reason, mask, description in leading_rules:
        check.flag(reason, mask, description)

    missing = id_missing | ~np.isfinite(time0) | ~np.isfinite(time1) | ~np.isfinite(rev)
    if dist is not None:
        missing |= ~np.isfinite(dist)
    pz = dz = None
    if crs == "zone":
        zones = zones or ZoneTable.nyc()
        pz, pz_missing, pz_fractional = id_column(pickup, "pickup zone", n)
        dz, dz_missing, dz_fractional = id_column(dropoff, "dropoff zone", n)
        p_ll, p_found = zones.centroids(pz)
        d_ll, d_found = zones.centroids(dz)
        check.flag("missing", missing | pz_missing | dz_missing, "have a missing or unreadable value")
        check.flag("bad_id", id_fractional, "have an order_id that is not an integer")
        check.flag("unknown_zone", ~(p_found & d_found) | pz_fractional | dz_fractional,
                   "have a zone not in the zone table")
        projection = projection or zones.projection
        p_xy, d_xy = projection.to_xy(p_ll), projection.to_xy(d_ll)
    else:
        p_in, d_in = point_column(pickup, "pickup", n), point_column(dropoff, "dropoff", n)
        check.flag("missing", missing | ~np.isfinite(p_in).all(1) | ~np.isfinite(d_in).all(1),
                   "have a missing or unreadable value")
        check.flag("bad_id", id_fractional, "have an order_id that is not an integer")
        if crs == "lonlat":
            check.flag("bad_coordinates", ~(plausible_lonlat(p_in) & plausible_lonlat(d_in)),
                       "have zero or impossible coordinates")
            if bbox is not None:
                check.flag("outside_area", ~(_in_bbox(p_in, bbox) & _in_bbox(d_in, bbox)),
                           f"have a place outside the area {tuple(bbox)}")
            if not check.keep.any():
                check.report(source, format, notes)  # raises: nothing left to project
            projection = projection or LocalProjection.around(
                np.vstack([p_in[check.keep], d_in[check.keep]]))
            p_xy, d_xy = projection.to_xy(p_in), projection.to_xy(d_in)
        else:
            p_xy, d_xy = p_in, d_in
    with np.errstate(invalid="ignore"):
        check.flag("dropoff_not_after_pickup", ~(time1 > time0), "have a drop-off not after pickup")
        check.flag("negative_revenue", rev < 0, "have a negative revenue")
        if dist is not None:
            check.flag("nonpositive_distance", ~(dist > 0), "have a distance that is not > 0")
        if max_duration is not None:
            check.flag("too_long", time1 - time0 > max_duration,
                       f"last longer than max_duration={max_duration:g} s")
    for reason, mask, description in extra_rules:
        check.flag(reason, mask, description)
    check.flag("duplicate_id", later_duplicates(ids, check.keep), "repeat an earlier order_id")

    report = check.report(source, format, notes)
    keep = check.keep
    every = keep.all()

    def sub(a):
        return None if a is None else np.ascontiguousarray(a if every else a[keep])

    fields = dict(order_id=sub(ids), pickup_time=sub(time0), dropoff_time=sub(time1),
                  pickup_xy=sub(p_xy), dropoff_xy=sub(d_xy), revenue=sub(rev), distance=sub(dist),
                  pickup_zone=None if pz is None else sub(pz).astype(np.int32),
                  dropoff_zone=None if dz is None else sub(dz).astype(np.int32),
                  projection=projection, epoch=None if epoch is None else np.datetime64(epoch, "s"),
                  report=report)
    for name, value in fields.items():
        setattr(target, name, value)
    return target


def _in_bbox(lonlat: np.ndarray, bbox) -> np.ndarray:
    lon_min, lat_min, lon_max, lat_max = bbox
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    with np.errstate(invalid="ignore"):
        return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


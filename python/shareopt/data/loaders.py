"""Reading orders from files and DataFrames: the canonical CSV and the NYC TLC trip formats.

Formats (``format="auto"`` picks one from the columns):

``canonical``
    ``order_id,pickup_time,dropoff_time,pickup_x,pickup_y,dropoff_x,dropoff_y,revenue``
    (seconds, km; optional ``distance`` in km).
``canonical_lonlat``
    The same with ``pickup_lon,pickup_lat,dropoff_lon,dropoff_lat`` in degrees.
``tlc_zone``
    TLC trip records with ``PULocationID``/``DOLocationID`` (yellow ``tpep_``, green
    ``lpep_`` and FHV schemas, 2016 on), placed at the zone centroids.
``tlc_lonlat``
    TLC trip records with pickup/dropoff longitude and latitude (yellow 2009-2016).
``trip_data``
    The 2013 TLC FOIL ``trip_data`` files (medallion, hack_license, ..., lon/lat; no fares).
``debs``
    The DEBS 2015 Grand Challenge file: the 2013 trips with fares, no header row.

TLC times are naive local wall-clock times; they become seconds from the local midnight of
the busiest pickup day (or of ``date``), which ``Orders.epoch`` records.
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ..exceptions import FormatError
from .orders import Orders, build_orders
from .sources import ColumnSource, CsvSource, open_source
from .zones import ZoneTable

__all__ = ["read_orders", "detect_format", "ORDER_FORMATS", "NYC_BBOX", "MILE_KM"]

ORDER_FORMATS = ("canonical", "canonical_lonlat", "tlc_zone", "tlc_lonlat", "trip_data", "debs")

MILE_KM = 1.609344
# Generous box around New York City and its airports (lon_min, lat_min, lon_max, lat_max).
NYC_BBOX = (-74.5, 40.3, -73.5, 41.1)
# NYC meter from 2012-09 on: $2.50 on entry plus $0.50 per 1/5 mile (time charge left out).
METER_FLAG_USD = 2.50
METER_PER_MILE_USD = 2.50

DEBS_COLUMNS = ["medallion", "hack_license", "pickup_datetime", "dropoff_datetime",
                "trip_time_in_secs", "trip_distance", "pickup_longitude", "pickup_latitude",
                "dropoff_longitude", "dropoff_latitude", "payment_type", "fare_amount",
                "surcharge", "mta_tax", "tip_amount", "tolls_amount", "total_amount"]

_PICKUP_TIME = ("tpep_pickup_datetime", "lpep_pickup_datetime", "pickup_datetime",
                "trip_pickup_datetime")
_DROPOFF_TIME = ("tpep_dropoff_datetime", "lpep_dropoff_datetime", "dropoff_datetime",
                 "trip_dropoff_datetime")
_PLACE_COLUMNS = {
    "lonlat": (("pickup_longitude", "start_lon"), ("pickup_latitude", "start_lat"),
               ("dropoff_longitude", "end_lon"), ("dropoff_latitude", "end_lat")),
    "zone": (("pulocationid",), ("dolocationid",)),
}
_FARE = ("fare_amount", "fare_amt")
_TOTAL = ("total_amount", "total_amt")


def read_orders(data, format: str = "auto", *, strict: bool = False,
                zones: ZoneTable | None = None, date=None, revenue: str = "auto",
                bbox="nyc", max_duration: float | None = None) -> Orders:
    """Read orders from a file (CSV, gzip CSV, Parquet), a pandas DataFrame or a dict.

    Parameters
    ----------
    data
        Path, DataFrame or dict of columns.
    format
        One of :data:`ORDER_FORMATS`, or ``"auto"`` to detect it from the columns.
    strict
        Raise :class:`~shareopt.exceptions.ValidationError` naming the first offending rows
        instead of dropping them (dropped rows are always counted in ``orders.report``).
    zones
        Zone centroids for ``tlc_zone`` (default: the bundled NYC taxi zones).
    date
        For TLC formats: keep only pickups on this day (``"2013-01-01"``); times count from
        its midnight. Default: the busiest pickup day sets the time origin, all rows kept.
    revenue
        For TLC formats: ``"fare"`` (fare_amount), ``"total"`` (total_amount), ``"meter"``
        (the NYC meter rate on the trip distance), or ``"auto"`` (fare when present, else meter).
    bbox
        For geographic formats: (lon_min, lat_min, lon_max, lat_max) outside which rows are
        dropped; ``"nyc"`` (default) is :data:`NYC_BBOX` for TLC formats and no box for the
        canonical one; None for no box.
    max_duration
        Longest plausible trip, seconds (longer trips are dropped); None for no limit.

    Returns
    -------
    Orders
        With ``orders.report`` (a :class:`~shareopt.data.LoadReport`).
    """
    if format != "auto" and format not in ORDER_FORMATS:
        raise FormatError(f"unknown orders format {format!r}: use one of "
                          f"{', '.join(ORDER_FORMATS)} or 'auto'")
    source = open_source(data)
    if format == "auto":
        format = detect_format(source)
    if format == "debs":
        if not isinstance(source, CsvSource):
            raise FormatError(f"{source.label}: the DEBS format is a headerless CSV file")
        source = source.without_header(DEBS_COLUMNS)
    common = dict(strict=strict, max_duration=max_duration)
    if format.startswith("canonical"):
        if date is not None or revenue != "auto":
            raise ValueError("date= and revenue= apply to TLC trip files, not to the "
                             f"{format} format (its times and revenue are given)")
        return _read_canonical(source, format, bbox=None if bbox == "nyc" else bbox, **common)
    return _read_tlc(source, format, zones=zones, date=date, revenue=revenue,
                     bbox=NYC_BBOX if bbox == "nyc" else bbox, **common)


def detect_format(source: ColumnSource) -> str:
    """The orders format of a source, from its column names (or first row, for DEBS)."""
    names = set(source.names)
    if {"order_id", "pickup_time", "dropoff_time"} <= names:
        return "canonical_lonlat" if "pickup_lon" in names else "canonical"
    if "pulocationid" in names and "dolocationid" in names:
        return "tlc_zone"
    if {"medallion", "hack_license"} <= names:
        return "trip_data"
    if names & {"pickup_longitude", "start_lon"}:
        return "tlc_lonlat"
    if _looks_like_debs(getattr(source, "first_record", [])):
        return "debs"
    raise FormatError(f"{source.label}: cannot tell the orders format from the columns "
                      f"{', '.join(source.names[:20])}; give format= one of {', '.join(ORDER_FORMATS)}")


def _looks_like_debs(record: list[str]) -> bool:
    def is_hex32(text):
        return len(text) == 32 and all(c in "0123456789abcdefABCDEF" for c in text)
    return (len(record) == len(DEBS_COLUMNS) and is_hex32(record[0]) and is_hex32(record[1])
            and np.isfinite(_core.parse_datetimes([record[2]])[0]))


def _read_canonical(source: ColumnSource, format: str, *, bbox, **common) -> Orders:
    lonlat = format == "canonical_lonlat"
    place = ["pickup_lon", "pickup_lat", "dropoff_lon", "dropoff_lat"] if lonlat else \
            ["pickup_x", "pickup_y", "dropoff_x", "dropoff_y"]
    wanted = {"order_id": "int", "pickup_time": "float", "dropoff_time": "float"}
    for name in place + ["revenue"]:
        source.find(name)
        wanted[name] = "float"
    if source.find("distance", required=False):
        wanted["distance"] = "float"
    cols = source.read(wanted)
    pickup = np.column_stack([cols[place[0]], cols[place[1]]])
    dropoff = np.column_stack([cols[place[2]], cols[place[3]]])
    orders = object.__new__(Orders)
    return build_orders(orders, cols["order_id"], cols["pickup_time"], cols["dropoff_time"],
                        pickup, dropoff, cols["revenue"], distance=cols.get("distance"),
                        crs="lonlat" if lonlat else "xy", bbox=bbox, source=source.label,
                        format=format, lines=cols.lines, leading_rules=cols.ragged_rule(),
                        **common)


def _read_tlc(source: ColumnSource, format: str, *, zones, date, revenue, bbox, **common) -> Orders:
    crs = "zone" if format == "tlc_zone" else "lonlat"
    pickup_col = source.find(*_PICKUP_TIME, what="pickup time")
    dropoff_col = source.find(*_DROPOFF_TIME, what="drop-off time")
    wanted = {pickup_col: "datetime", dropoff_col: "datetime"}
    place = [source.find(*aliases) for aliases in _PLACE_COLUMNS[crs]]
    wanted.update({name: "int" if crs == "zone" else "float" for name in place})
    distance_col = source.find("trip_distance", required=False)
    if distance_col:
        wanted[distance_col] = "float"
    revenue_col, revenue_note = _revenue_column(source, revenue, distance_col)
    if revenue_col:
        wanted[revenue_col] = "float"
    cols = source.read(wanted)
    pickup_time, dropoff_time = cols[pickup_col], cols[dropoff_col]

    distance_km = cols[distance_col] * MILE_KM if distance_col else None
    if revenue_col:
        revenue_usd = cols[revenue_col]
    else:
        revenue_usd = METER_FLAG_USD + METER_PER_MILE_USD * cols[distance_col]

    epoch_s, epoch, extra, time_note = _time_origin(pickup_time, date)
    if crs == "zone":
        pickup, dropoff = cols[place[0]], cols[place[1]]
    else:
        pickup = np.column_stack([cols[place[0]], cols[place[1]]])
        dropoff = np.column_stack([cols[place[2]], cols[place[3]]])
    n = len(pickup_time)
    notes = [revenue_note, time_note]
    if distance_km is not None:
        notes.append("distance from trip_distance (miles to km)")
    orders = object.__new__(Orders)
    return build_orders(orders, np.arange(n, dtype=np.int64), pickup_time - epoch_s,
                        dropoff_time - epoch_s, pickup, dropoff, revenue_usd,
                        distance=distance_km, crs=crs, zones=zones,
                        bbox=bbox if crs == "lonlat" else None, epoch=epoch,
                        source=source.label, format=format, lines=cols.lines, notes=notes,
                        leading_rules=cols.ragged_rule(), extra_rules=extra, **common)


def _revenue_column(source: ColumnSource, revenue: str, distance_col):
    if revenue not in ("auto", "fare", "total", "meter"):
        raise ValueError(f"revenue must be 'auto', 'fare', 'total' or 'meter', got {revenue!r}")
    if revenue in ("auto", "fare"):
        fare = source.find(*_FARE, required=revenue == "fare", what="fare")
        if fare:
            return fare, f"revenue from {fare}"
    if revenue == "total":
        total = source.find(*_TOTAL, what="total amount")
        return total, f"revenue from {total}"
    if distance_col is None:
        raise FormatError(f"{source.label}: no fare and no trip_distance to estimate revenue from")
    return None, (f"revenue estimated by the NYC meter: ${METER_FLAG_USD:.2f} + "
                  f"${METER_PER_MILE_USD:.2f} per mile")


def _time_origin(pickup_s: np.ndarray, date):
    """Seconds of the time origin, the origin as datetime64, extra rules and a note."""
    if date is not None:
        day = np.datetime64(date, "D")
        epoch_s = float(day.astype("datetime64[s]").astype(np.int64))
        with np.errstate(invalid="ignore"):
            other = ~((pickup_s >= epoch_s) & (pickup_s < epoch_s + 86400.0))
        other &= np.isfinite(pickup_s)
        rule = ("other_day", other, f"have a pickup outside {day}")
        return epoch_s, day, [rule], f"times in seconds from {day} 00:00 (local)"
    finite = pickup_s[np.isfinite(pickup_s)]
    if len(finite) == 0:
        return 0.0, None, [], "no valid pickup time"
    days, counts = np.unique(np.floor(finite / 86400.0), return_counts=True)
    busiest = int(days[np.argmax(counts)])
    day = np.datetime64(busiest, "D")
    return busiest * 86400.0, day, [], f"times in seconds from {day} 00:00 (local), the busiest pickup day"

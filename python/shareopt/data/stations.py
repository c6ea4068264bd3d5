"""The stations table (bike or car-sharing docks): place, capacity and vehicles on hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..exceptions import FormatError, ValidationError
from ..geo import LocalProjection, Locations, plausible_lonlat
from .columns import float_column, point_column, string_column
from .report import LoadReport, RowChecker, later_duplicates
from .sources import ColumnSource, open_source

__all__ = ["Stations", "read_stations", "STATION_FORMATS"]

STATION_FORMATS = ("csv", "gbfs")

_ID = ("station_id", "id")
_CAPACITY = ("capacity", "dpcapacity", "docks", "total_docks")
_BIKES = ("bikes", "num_bikes_available", "bikes_available", "available_bikes")
_MAX_COUNT = 1_000_000  # docks or bikes at one station; more is a data error


class Stations:
    """Stations with a place, a capacity and (optionally) the bikes or cars on hand.

    Parameters
    ----------
    station_id
        (n,) unique ids, integers or strings.
    location
        (n, 2) x, y km (``crs="xy"``) or lon, lat degrees (``crs="lonlat"``).
    capacity
        (n,) docks, integers > 0.
    bikes
        (n,) vehicles on hand, integers in [0, capacity], or None when unknown.
    crs
        ``"xy"`` or ``"lonlat"``.
    projection
        Projection for lon/lat input (default: about the median station).
    name
        Optional (n,) names.
    strict
        Raise :class:`~shareopt.exceptions.ValidationError` naming the first offending rows
        instead of dropping them (dropped rows are counted in :attr:`report` either way).
    """

    station_id: np.ndarray
    xy: np.ndarray
    capacity: np.ndarray
    bikes: np.ndarray | None
    name: np.ndarray | None
    projection: LocalProjection | None
    report: LoadReport

    def __init__(self, station_id, location, capacity, bikes=None, *, crs: str = "xy",
                 projection: LocalProjection | None = None, name=None, strict: bool = False):
        build_stations(self, station_id, location, capacity, bikes, crs=crs,
                       projection=projection, name=name, strict=strict)

    def __len__(self) -> int:
        return len(self.station_id)

    def __repr__(self) -> str:
        bikes = "bikes unknown" if self.bikes is None else f"{int(self.bikes.sum()):,} bikes"
        return f"Stations({len(self):,} stations, {int(self.capacity.sum()):,} docks, {bikes})"

    @property
    def locations(self) -> Locations:
        return Locations(self.xy, None, self.projection)

    @property
    def fill(self) -> float:
        """System-wide fill ratio: bikes over docks."""
        if self.bikes is None:
            raise ValueError("bike counts are unknown for these stations")
        return float(self.bikes.sum()) / float(self.capacity.sum())

    def to_dict(self) -> dict:
        """JSON-safe summary."""
        return {
            "stations": len(self),
            "docks": int(self.capacity.sum()),
            "bikes": None if self.bikes is None else int(self.bikes.sum()),
            "fill": None if self.bikes is None else round(self.fill, 4),
            "places": "lonlat" if self.projection else "xy",
            "load_report": self.report.to_dict(),
        }

    def to_arrays(self) -> dict[str, np.ndarray]:
        cols = {"station_id": self.station_id, "x": self.xy[:, 0], "y": self.xy[:, 1],
                "capacity": self.capacity}
        if self.bikes is not None:
            cols["bikes"] = self.bikes
        if self.projection is not None:
            lonlat = self.locations.lonlat
            cols.update(lon=lonlat[:, 0], lat=lonlat[:, 1])
        return cols

    def to_csv(self, path: str | Path) -> None:
        """Write ``station_id,x,y,capacity,bikes`` (plus lon,lat when geographic)."""
        cols = self.to_arrays()
        names = list(cols)
        fmt = {"station_id": "%s", "x": "%.5f", "y": "%.5f", "capacity": "%d", "bikes": "%d",
               "lon": "%.7f", "lat": "%.7f"}
        with open(path, "w") as out:
            out.write(",".join(names) + "\n")
            row_format = ",".join(fmt[n] for n in names) + "\n"
            for row in zip(*(cols[n] for n in names)):
                out.write(row_format % row)


def build_stations(target: Stations, station_id, location, capacity, bikes=None, *, crs="xy",
                   projection=None, name=None, strict=False, source="arrays", format="arrays",
                   lines=None, leading_rules=(), extra_rules=()) -> Stations:
    """Validate columns and fill ``target`` (a Stations) with the rows that pass."""
    ids, id_missing = _station_ids(station_id)
    n = len(ids)
    if n == 0:
        raise ValidationError(f"stations table from {source} is empty", "empty")
    loc = point_column(location, "location", n)
    cap = float_column(capacity, "capacity", n)
    held = None if bikes is None else float_column(bikes, "bikes", n)
    if crs not in ("xy", "lonlat"):
        raise ValueError(f"crs must be 'xy' or 'lonlat', got {crs!r}")

    check = RowChecker(n, "stations", strict, lines)
    for reason, mask, description in leading_rules:
        check.flag(reason, mask, description)
    missing = id_missing | ~np.isfinite(loc).all(1) | ~np.isfinite(cap)
    if held is not None:
        missing |= ~np.isfinite(held)
    check.flag("missing", missing, "have a missing value")
    if crs == "lonlat":
        check.flag("bad_coordinates", ~plausible_lonlat(loc), "have zero or impossible coordinates")
    with np.errstate(invalid="ignore"):
        counts = cap if held is None else np.concatenate([cap[:, None], held[:, None]], axis=1)
        not_count = ((counts != np.round(counts)) | (np.abs(counts) > _MAX_COUNT)).reshape(n, -1)
        check.flag("not_integer", not_count.any(axis=1),
                   f"have a capacity or bike count that is not a whole number up to {_MAX_COUNT:,}")
        check.flag("no_capacity", cap <= 0, "have no docks (capacity <= 0)")
        if held is not None:
            check.flag("negative_bikes", held < 0, "have a negative bike count")
            check.flag("bikes_over_capacity", held > cap, "hold more bikes than docks")
    for reason, mask, description in extra_rules:
        check.flag(reason, mask, description)
    check.flag("duplicate_id", later_duplicates(ids, check.keep), "repeat an earlier station_id")
    if crs == "lonlat":
        if not check.keep.any():
            check.report(source, format)  # raises: empty
        projection = projection or LocalProjection.around(loc[check.keep])
        loc = projection.to_xy(loc)
    target.report = check.report(source, format)
    keep = check.keep
    target.station_id = ids[keep]
    target.xy = np.ascontiguousarray(loc[keep])
    target.capacity = cap[keep].astype(np.int64)
    target.bikes = None if held is None else held[keep].astype(np.int64)
    target.name = None if name is None else np.asarray(name, dtype=object)[keep]
    target.projection = projection
    return target


def read_stations(data, format: str = "auto", *, status=None, strict: bool = False) -> Stations:
    """Read stations from a CSV, a GBFS feed, a DataFrame or a dict.

    Parameters
    ----------
    data
        A CSV path (``station_id,x,y,capacity[,bikes]`` or with ``lon,lat``; Divvy's
        ``id,latitude,longitude,dpcapacity`` works too), a GBFS ``station_information.json``
        or a folder holding one (and its ``station_status.json``), a DataFrame or a dict of
        columns.
    format
        ``"csv"``, ``"gbfs"`` or ``"auto"`` (GBFS for ``.json`` files).
    status
        GBFS only: path of ``station_status.json``; by default the one beside ``data``.
    strict
        Raise on the first offending rows instead of dropping them.
    """
    if isinstance(data, (str, Path)) and Path(data).is_dir():
        info = Path(data) / "station_information.json"
        if not info.is_file():
            raise FormatError(f"{data}: a folder of stations must hold a GBFS station_information.json")
        data, format = info, "gbfs"
    is_json = isinstance(data, (str, Path)) and str(data).endswith(".json")
    if format == "auto":
        format = "gbfs" if is_json else "csv"
    if format == "gbfs":
        return _read_gbfs(Path(data), status, strict)
    if format != "csv":
        raise FormatError(f"unknown stations format {format!r}: use 'csv', 'gbfs' or 'auto'")
    return _read_table(open_source(data), strict)


def _read_table(source: ColumnSource, strict: bool) -> Stations:
    id_col = source.find(*_ID, what="station id")
    cap_col = source.find(*_CAPACITY, what="capacity")
    bikes_col = source.find(*_BIKES, required=False)
    lon_col = source.find("lon", "longitude", required=False)
    if lon_col:
        place = [lon_col, source.find("lat", "latitude")]
    else:
        place = [source.find("x", what="x or lon"), source.find("y")]
    wanted = {id_col: "string", place[0]: "float", place[1]: "float", cap_col: "float"}
    if bikes_col:
        wanted[bikes_col] = "float"
    name_col = source.find("name", required=False)
    if name_col:
        wanted[name_col] = "string"
    cols = source.read(wanted)
    return build_stations(object.__new__(Stations), cols[id_col],
                          np.column_stack([cols[place[0]], cols[place[1]]]), cols[cap_col],
                          cols[bikes_col] if bikes_col else None, crs="lonlat" if lon_col else "xy",
                          name=cols.get(name_col), strict=strict, source=source.label,
                          format="csv", lines=cols.lines, leading_rules=cols.ragged_rule())


def _read_gbfs(info_path: Path, status_path, strict: bool) -> Stations:
    info = _gbfs_stations(info_path)
    status_path = Path(status_path) if status_path else info_path.with_name("station_status.json")
    status = {}
    if status_path.is_file():
        status = {str(s.get("station_id")): s for s in _gbfs_stations(status_path)}

    def field(entries, key):
        return np.array([entry.get(key) for entry in entries], dtype=object)

    ids = string_column(field(info, "station_id"))
    lonlat = np.column_stack([float_column(field(info, "lon"), "lon"),
                              float_column(field(info, "lat"), "lat")])
    bikes = None
    extra = []
    if status:
        matched = [status.get(i, {}) for i in ids]
        bikes = float_column(field(matched, "num_bikes_available"), "num_bikes_available")
        installed = np.array([bool(entry.get("is_installed", 1)) for entry in matched])
        extra = [("no_status", np.array([i not in status for i in ids]),
                  "have no entry in the status feed"),
                 ("not_installed", ~installed, "are not installed")]
    return build_stations(object.__new__(Stations), ids, lonlat,
                          float_column(field(info, "capacity"), "capacity"), bikes, crs="lonlat",
                          name=string_column(field(info, "name")), strict=strict,
                          source=str(info_path), format="gbfs", extra_rules=extra)


def _gbfs_stations(path: Path) -> list[dict]:
    try:
        with open(path) as handle:
            feed = json.load(handle)
        stations = feed["data"]["stations"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise FormatError(f"{path}: not a GBFS station feed ({err})") from None
    if not isinstance(stations, list) or not all(isinstance(s, dict) for s in stations):
        raise FormatError(f"{path}: data.stations is not a list of station objects")
    return stations


def _station_ids(values) -> tuple[np.ndarray, np.ndarray]:
    """Ids as int64 when every id is written as a plain integer, else as strings; and a mask of
    missing ids. "01" and "1" are different ids, so they stay strings."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise FormatError(f"station_id must be 1-d, got shape {array.shape}")
    if array.dtype.kind in "iu":
        return array.astype(np.int64), np.zeros(len(array), dtype=bool)
    text = string_column(array)
    missing = text == ""
    plain = [t for t in text[~missing] if t.lstrip("-").isdigit() and str(int(t)) == t]
    if len(plain) == int((~missing).sum()) and all(abs(int(t)) < 2**63 for t in plain):
        return np.array([int(t) if t else 0 for t in text], dtype=np.int64), missing
    return text, missing

"""The tables of a scooter-relay study (seed 003), their checks, and a synthetic generator.

Three tables, as CSV files in one folder (``.csv.gz`` and ``.parquet`` read too) or as
DataFrames / dicts of columns:

``locations``
    location_id, and x, y (km on a local plane) or lon, lat (degrees): candidate places.
``scooters``
    scooter_id, range_km (km one charge still covers) or charge (battery share in [0, 1],
    times ``full_range_km``), and optionally location_id: where the scooter stands now.
``commutes``
    origin, destination (location ids), demand (commuters, > 0), and budget_s or budget_min:
    the longest the trip may take. Optionally commute_id.

Every table is checked whole: a bad row (a row of a file with more or fewer fields than its
header too) raises :class:`~shareopt.exceptions.ValidationError` naming the table and its rows
(lines of a file), since a dropped commute or scooter would change the answer. A
:class:`RelayData` built by hand is checked as well (sizes, finite numbers, indices).
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..exceptions import FormatError, ValidationError
from ..geo import LocalProjection, plausible_lonlat
from .report import DataWarning, RowChecker
from .sources import open_source
from .tables import (
    check_ids,
    first_index,
    index_of,
    read_columns,
    table_sources,
    write_csv,
)

__all__ = ["CITIBIKE_SNAPSHOT", "TABLES", "RelayData", "read_relay", "synthetic_relay"]

TABLES = ("locations", "scooters", "commutes")
CITIBIKE_SNAPSHOT = Path("bike") / "citibike_gbfs_2019-07-05"  # under the shared data folder


@dataclass(frozen=True, eq=False)
class RelayData:
    """Validated relay tables; build with :func:`read_relay` or :func:`synthetic_relay`.

    Attributes
    ----------
    location_id : ndarray of str
    xy : ndarray (L, 2)
        Places in km on a local plane (lon/lat input is projected about its median).
    lonlat : ndarray (L, 2) or None
        The places as given, when geographic (the haversine metric reads these).
    scooter_id : ndarray of str
    range_km : ndarray of float64
    home : ndarray of int64
        Index of each scooter's current location, -1 when not given.
    commute_id : ndarray of str
    origin, destination : ndarray of int64
        Location indices.
    demand, budget_s : ndarray of float64
    commute_lines : ndarray or None
        Source line of each commute (files), for messages.
    """

    location_id: np.ndarray
    xy: np.ndarray
    lonlat: np.ndarray | None
    scooter_id: np.ndarray
    range_km: np.ndarray
    home: np.ndarray
    commute_id: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    demand: np.ndarray
    budget_s: np.ndarray
    commute_lines: np.ndarray | None = None
    source: str = "arrays"

    def __post_init__(self):
        """Coerce the arrays and check them whole: sizes, finite numbers, indices in range."""
        for name, dtype in (("location_id", object), ("xy", np.float64), ("lonlat", np.float64),
                            ("scooter_id", object), ("range_km", np.float64), ("home", np.int64),
                            ("commute_id", object), ("origin", np.int64), ("destination", np.int64),
                            ("demand", np.float64), ("budget_s", np.float64)):
            value = getattr(self, name)
            if value is not None:
                try:
                    object.__setattr__(self, name, np.ascontiguousarray(value, dtype=dtype))
                except (TypeError, ValueError) as err:
                    raise ValidationError(f"RelayData.{name}: {err}", "bad_array") from None
        _check_arrays(self)

    @property
    def n_locations(self) -> int:
        """Number of candidate locations."""
        return int(self.location_id.size)

    @property
    def n_scooters(self) -> int:
        """Number of scooters."""
        return int(self.scooter_id.size)

    @property
    def n_commutes(self) -> int:
        """Number of commutes."""
        return int(self.origin.size)

    @property
    def has_homes(self) -> bool:
        """Some scooter has a current location."""
        return bool(np.any(self.home >= 0))

    def commute_label(self, row: int) -> str:
        """How a message names a commute: its line in a file, else its 0-based row."""
        return f"line {int(self.commute_lines[row])}" if self.commute_lines is not None else f"row {row}"

    def summary(self) -> dict:
        """JSON-safe counts."""
        return {"locations": self.n_locations, "scooters": self.n_scooters, "commutes": self.n_commutes,
                "total_demand": float(self.demand.sum()), "places": "lonlat" if self.lonlat is not None else "xy",
                "scooters_with_location": int(np.count_nonzero(self.home >= 0)),
                "max_range_km": float(self.range_km.max())}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """The three tables as columns (what :meth:`write` writes)."""
        places = ({"lon": self.lonlat[:, 0], "lat": self.lonlat[:, 1]} if self.lonlat is not None
                  else {"x": self.xy[:, 0], "y": self.xy[:, 1]})
        scooters = {"scooter_id": self.scooter_id, "range_km": self.range_km}
        if self.has_homes:
            scooters["location_id"] = np.where(self.home >= 0, self.location_id[np.maximum(self.home, 0)], "")
        return {"locations": {"location_id": self.location_id, **places},
                "scooters": scooters,
                "commutes": {"commute_id": self.commute_id, "origin": self.location_id[self.origin],
                             "destination": self.location_id[self.destination], "demand": self.demand,
                             "budget_s": self.budget_s}}

    def write(self, folder) -> Path:
        """Write ``locations.csv``, ``scooters.csv`` and ``commutes.csv`` (numbers read back bit
        for bit; ids with a comma or a quote are quoted)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, columns in self.tables().items():
            write_csv(folder / f"{name}.csv", columns)
        return folder


def _check_arrays(data: RelayData) -> None:
    """Raise :class:`ValidationError` for arrays no table could give (a RelayData built by hand)."""
    n_l, n_s, n_k = data.location_id.size, data.scooter_id.size, data.origin.size
    for table, size in (("locations", n_l), ("scooters", n_s), ("commutes", n_k)):
        if size == 0:
            raise ValidationError(f"RelayData: the {table} table has no rows", "empty")
    shapes = {"location_id": (n_l,), "xy": (n_l, 2), "lonlat": (n_l, 2), "scooter_id": (n_s,), "range_km": (n_s,),
              "home": (n_s,), "commute_id": (n_k,), "origin": (n_k,), "destination": (n_k,), "demand": (n_k,),
              "budget_s": (n_k,)}
    for name, shape in shapes.items():
        value = getattr(data, name)
        if value is not None and value.shape != shape:
            raise ValidationError(f"RelayData.{name} has shape {value.shape}, expected {shape}", "bad_shape")
    if data.commute_lines is not None and np.shape(data.commute_lines) != (n_k,):
        raise ValidationError(f"RelayData.commute_lines has shape {np.shape(data.commute_lines)}, expected {(n_k,)}",
                              "bad_shape")
    place = data.xy if data.lonlat is None else np.column_stack([data.xy, data.lonlat])
    checks = {
        "locations": [("missing_coordinates", ~np.isfinite(place).all(axis=1), "have a missing or infinite coordinate")],
        "scooters": [("bad_range", ~(np.isfinite(data.range_km) & (data.range_km >= 0)),
                      "have a range_km that is not a finite number >= 0"),
                     ("unknown_location_id", (data.home < -1) | (data.home >= n_l),
                      "have a location index out of range (-1: none)")],
        "commutes": [("unknown_origin", (data.origin < 0) | (data.origin >= n_l), "have an origin index out of range"),
                     ("unknown_destination", (data.destination < 0) | (data.destination >= n_l),
                      "have a destination index out of range"),
                     ("same_place", data.origin == data.destination, "go from a location to itself"),
                     ("bad_demand", ~(np.isfinite(data.demand) & (data.demand > 0)),
                      "have a demand that is not a number > 0"),
                     ("bad_budget", ~(np.isfinite(data.budget_s) & (data.budget_s > 0)),
                      "have a budget that is not a number > 0")],
    }
    for table, rules in checks.items():
        check = RowChecker(len(rules[0][1]), table, strict=True,
                           lines=data.commute_lines if table == "commutes" else None)
        for reason, mask, description in rules:
            check.flag(reason, mask, description)
        check.raise_if_strict()


# ---------------------------------------------------------------- reading
def read_relay(data=None, *, locations=None, scooters=None, commutes=None,
               full_range_km: float | None = None) -> RelayData:
    """Read and check the relay tables.

    Parameters
    ----------
    data
        A folder with ``locations.csv``, ``scooters.csv`` and ``commutes.csv``, a dict
        mapping those names to DataFrames, dicts of columns or paths, or a
        :class:`RelayData` (returned as it is).
    locations, scooters, commutes
        The tables one by one (DataFrames, dicts of columns or paths); they replace those of
        ``data``.
    full_range_km
        Range of a full charge, for a scooters table that gives ``charge`` instead of
        ``range_km``.

    Raises
    ------
    ValidationError
        Naming the table and rows at fault: an empty table, a row of a file with more or
        fewer fields than its header, a missing or repeated id, NaN or impossible
        coordinates, a negative or missing range or charge, both range_km and charge given,
        a location id that is not in the locations table, a commute from a place to itself,
        a demand or budget that is not a positive number. (A budget below the commute's
        direct time depends on the metric and speed: :func:`~shareopt.relay.solve_relays`
        checks it.)
    FormatError
        A table or a column is missing.
    """
    if isinstance(data, RelayData):
        return data
    sources = table_sources(data, TABLES, "relay", known_names_only=True)
    for name, table in (("locations", locations), ("scooters", scooters), ("commutes", commutes)):
        if table is not None:
            sources[name] = open_source(table)
    missing = [name for name in TABLES if name not in sources]
    if missing:
        raise FormatError(f"relay data lacks the table(s) {', '.join(missing)} "
                          f"(expected {', '.join(t + '.csv' for t in TABLES)})")
    location_id, xy, lonlat = _locations(sources["locations"])
    known = first_index(location_id)
    scooter_id, range_km, home = _scooters(sources["scooters"], known, full_range_km)
    commute_id, origin, destination, demand, budget, lines = _commutes(sources["commutes"], known)
    label = str(data) if isinstance(data, (str, Path)) else "tables"
    return RelayData(location_id, xy, lonlat, scooter_id, range_km, home, commute_id, origin, destination,
                     demand, budget, lines, label)


def _read(source, table: str, spec) -> tuple[dict, RowChecker]:
    """Columns by canonical name (``spec``: (name, aliases, kind, required)) and a strict checker
    that has flagged the rows of a file with more or fewer fields than its header."""
    out, columns = read_columns(source, table, spec)
    n = len(next(iter(out.values())))
    if n == 0:
        raise ValidationError(f"the {table} table ({source.label}) has no rows", "empty")
    check = RowChecker(n, table, strict=True, lines=columns.lines)
    for reason, mask, description in columns.ragged_rule():
        check.flag(reason, mask, description)
    return out, check


def _locations(source):
    spec = [("location_id", ("id", "station_id"), "string", True),
            ("lon", ("longitude",), "float", False), ("lat", ("latitude",), "float", False),
            ("x", (), "float", False), ("y", (), "float", False)]
    cols, check = _read(source, "locations", spec)
    geographic = "lon" in cols and "lat" in cols
    if not geographic and not ("x" in cols and "y" in cols):
        raise FormatError(f"{source.label}: locations need x, y (km) or lon, lat columns")
    ids = check_ids(check, cols["location_id"], "location_id")
    place = np.column_stack([cols["lon"], cols["lat"]] if geographic else [cols["x"], cols["y"]])
    check.flag("missing_coordinates", ~np.isfinite(place).all(axis=1), "have a missing or infinite coordinate")
    if geographic:
        check.flag("bad_coordinates", ~plausible_lonlat(place), "have zero or impossible lon/lat")
    check.raise_if_strict()
    place = np.ascontiguousarray(place, dtype=np.float64)
    if geographic:
        return ids, LocalProjection.around(place).to_xy(place), place
    return ids, place, None


def _scooters(source, known: dict, full_range_km: float | None):
    spec = [("scooter_id", ("id",), "string", True), ("range_km", ("range",), "float", False),
            ("charge", ("charge_level", "battery"), "float", False),
            ("location_id", ("location", "station_id"), "string", False)]
    cols, check = _read(source, "scooters", spec)
    ids = check_ids(check, cols["scooter_id"], "scooter_id")
    if "range_km" in cols and "charge" in cols:
        raise ValidationError(f"{source.label}: the scooters table gives both range_km and charge; keep one "
                              "(range_km in km, or charge in [0, 1] with full_range_km)", "ambiguous_range")
    if "range_km" in cols:
        range_km = cols["range_km"]
        check.flag("bad_range", ~(np.isfinite(range_km) & (range_km >= 0)),
                   "have a range_km that is not a finite number >= 0")
    elif "charge" in cols:
        if not (_is_number(full_range_km) and full_range_km > 0):
            raise ValidationError(f"the scooters table gives charge, not range_km: pass full_range_km "
                                  f"(the range of a full charge, > 0; got {full_range_km!r})", "no_full_range")
        charge = cols["charge"]
        check.flag("bad_charge", ~((charge >= 0) & (charge <= 1)),
                   "have a charge outside [0, 1] (battery shares, not percent)")
        range_km = charge * float(full_range_km)
    else:
        raise FormatError(f"{source.label}: scooters need a range_km or a charge column")
    home = (np.full(ids.size, -1, np.int64) if "location_id" not in cols
            else index_of(check, cols["location_id"], known, "location_id", "locations", optional=True))
    check.raise_if_strict()
    return ids, np.ascontiguousarray(range_km, dtype=np.float64), home


def _commutes(source, known: dict):
    spec = [("commute_id", ("id",), "string", False), ("origin", ("origin_id", "from"), "string", True),
            ("destination", ("destination_id", "dest", "to"), "string", True),
            ("demand", ("h", "commuters"), "float", True), ("budget_s", (), "float", False),
            ("budget_min", (), "float", False)]
    cols, check = _read(source, "commutes", spec)
    origin = index_of(check, cols["origin"], known, "origin", "locations")
    destination = index_of(check, cols["destination"], known, "destination", "locations")
    check.flag("same_place", (origin == destination) & (origin >= 0), "go from a location to itself")
    demand = cols["demand"]
    check.flag("bad_demand", ~(np.isfinite(demand) & (demand > 0)), "have a demand that is not a number > 0")
    if "budget_s" in cols:
        budget = cols["budget_s"]
    elif "budget_min" in cols:
        budget = cols["budget_min"] * 60.0
    else:
        raise FormatError(f"{source.label}: commutes need a budget_s or budget_min column")
    check.flag("bad_budget", ~(np.isfinite(budget) & (budget > 0)), "have a budget that is not a number > 0")
    if "commute_id" in cols:
        commute_id = check_ids(check, cols["commute_id"], "commute_id")
    else:
        commute_id = np.array([str(i) for i in range(origin.size)], dtype=object)
    check.raise_if_strict()
    return (commute_id, origin, destination, np.ascontiguousarray(demand, dtype=np.float64),
            np.ascontiguousarray(budget, dtype=np.float64), check.lines)


# ---------------------------------------------------------------- synthetic
def synthetic_relay(locations: int = 200, scooters: int = 100, commutes: int = 500, *, seed=0,
                    places: str = "square", stations=None, full_range_km: float = 2.0,
                    min_charge: float = 0.2, commute_km: tuple[float, float] = (1.2, 2.5),
                    budget_factor: tuple[float, float] = (1.2, 1.6), max_demand: int = 20,
                    speed_kmh: float = 15.0, square_km: float = 12.0,
                    current_locations: bool = False) -> RelayData:
    """A relay study with a seed: candidate places, scooters, commutes longer than a charge.

    Parameters
    ----------
    locations, scooters, commutes
        Table sizes (at least 2, 1 and 1).
    seed
        Integer seed or numpy Generator: same arguments and seed, same tables.
    places
        ``"square"`` (default): uniform points in a square of ``square_km`` (x, y km);
        ``"citibike"``: a sample of the real Citi Bike stations of the 2019-07-05 GBFS
        snapshot (lon/lat; read from ``stations``, or from under ``$SHAREOPT_SHARED_DATA``).
        Only ``"square"`` works without the snapshot.
    stations
        A Citi Bike GBFS folder (or any stations file :func:`read_stations` reads).
    full_range_km, min_charge
        Charges are uniform in [min_charge, 1]; range = charge x full_range_km.
    commute_km
        Commutes join distinct pairs of places this far apart (by the metric the solver
        uses by default: haversine for lon/lat, manhattan for x, y), mostly longer than one
        charge.

    budget_factor
        Budget = direct time at ``speed_kmh`` x uniform(budget_factor), factors >= 1.
    max_demand
        Demand is a whole number in 1..max_demand.
    speed_kmh, square_km
        Scooter speed for the budgets; side of the square for ``places="square"``.
    current_locations
        Give every scooter a current location (uniform over the places).

    Raises
    ------
    ValidationError
        A bad argument (a count below its least, a share outside [0, 1], a range that is not
        a number > 0, ...), too many locations for the snapshot, or too few place pairs
        ``commute_km`` apart for the commutes asked for.

    Notes
    -----
    The defaults (2 km full range, commutes of 1.2-2.5 km) are calibrated on 200 Citi Bike
    stations, 100 scooters and 500 commutes: about 80% of the demand can be served, 98% could
    be with scooters everywhere, so the scooters bind; and the exact MIP solves in seconds.
    At fixed density the arcs a commute can use grow as (length)^4: with a 4 km range and
    3-8 km commutes the pruned model has 500,000 path columns and its relaxation alone takes
    minutes.
    """
    from ..travel import TravelModel

    _check_synthetic(locations, scooters, commutes, places, full_range_km, min_charge, commute_km, budget_factor,
                     max_demand, speed_kmh, square_km)
    rng = np.random.default_rng(seed)
    if places == "citibike":
        from .stations import read_stations

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)  # the snapshot's uninstalled stations
            table = read_stations(_citibike_folder(stations))
        if locations > len(table):
            raise ValidationError(f"asked for {locations} locations, the snapshot has {len(table)} stations",
                                  "too_many_locations")
        pick = np.sort(rng.choice(len(table), size=locations, replace=False))
        location_id = np.asarray([str(v) for v in table.station_id[pick]], dtype=object)
        lonlat = np.ascontiguousarray(table.locations.lonlat[pick])
        xy = LocalProjection.around(lonlat).to_xy(lonlat)
        model, coordinates = TravelModel("haversine", speed_kmh=speed_kmh), lonlat
    else:
        location_id = np.asarray([f"L{i}" for i in range(locations)], dtype=object)
        xy = rng.uniform(0.0, square_km, size=(locations, 2))
        lonlat = None
        model, coordinates = TravelModel("manhattan", speed_kmh=speed_kmh), xy
    charge = rng.uniform(min_charge, 1.0, size=scooters)
    range_km = charge * full_range_km
    home = rng.integers(0, locations, size=scooters) if current_locations else np.full(scooters, -1)
    dist = model.distance_matrix(coordinates)
    low, high = commute_km
    a, b = np.nonzero((dist >= low) & (dist <= high))
    if a.size < commutes:
        raise ValidationError(f"only {a.size} location pairs are {low}-{high} km apart; asked for {commutes} "
                              "commutes", "too_many_commutes")
    chosen = np.sort(rng.choice(a.size, size=commutes, replace=False))
    origin, destination = a[chosen].astype(np.int64), b[chosen].astype(np.int64)
    direct_s = dist[origin, destination] / speed_kmh * 3600.0
    budget = direct_s * rng.uniform(*budget_factor, size=commutes)
    demand = rng.integers(1, max_demand + 1, size=commutes).astype(np.float64)
    return RelayData(location_id, xy, lonlat, np.asarray([f"S{i}" for i in range(scooters)], dtype=object),
                     range_km, home.astype(np.int64), np.asarray([str(i) for i in range(commutes)], dtype=object),
                     origin, destination, demand, budget, None, f"synthetic_relay(seed={seed})")


def _is_number(value) -> bool:
    """A finite real number (not a bool, not text)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _check_synthetic(locations, scooters, commutes, places, full_range_km, min_charge, commute_km, budget_factor,
                     max_demand, speed_kmh, square_km) -> None:
    """Raise :class:`ValidationError` naming the first bad argument of :func:`synthetic_relay`."""
    def bad(name, value, what):
        raise ValidationError(f"synthetic_relay: {name} must be {what}, got {value!r}", f"bad_{name}")

    for name, value, least in (("locations", locations, 2), ("scooters", scooters, 1), ("commutes", commutes, 1),
                               ("max_demand", max_demand, 1)):
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= least):
            bad(name, value, f"a whole number >= {least}")
    if places not in ("citibike", "square"):
        bad("places", places, "'citibike' or 'square'")
    for name, value in (("full_range_km", full_range_km), ("speed_kmh", speed_kmh), ("square_km", square_km)):
        if not (_is_number(value) and value > 0):
            bad(name, value, "a finite number > 0")
    if not (_is_number(min_charge) and 0 <= min_charge <= 1):
        bad("min_charge", min_charge, "a number in [0, 1]")
    for name, value, least, what in (("commute_km", commute_km, 1e-300, "0 < low <= high"),
                                     ("budget_factor", budget_factor, 1.0, "1 <= low <= high")):
        try:
            low, high = value
        except (TypeError, ValueError):
            bad(name, value, f"a pair of numbers {what}")
        if not (_is_number(low) and _is_number(high) and least <= low <= high):
            bad(name, value, f"a pair of numbers {what}")


def _citibike_folder(stations) -> Path:
    """The snapshot folder: ``stations``, else under ``$SHAREOPT_SHARED_DATA`` (never guessed
    from where the package lies: an installed copy has no checkout beside it)."""
    if stations is not None:
        return Path(stations)
    root = os.environ.get("SHAREOPT_SHARED_DATA")
    if root and (Path(root) / CITIBIKE_SNAPSHOT).is_dir():
        return Path(root) / CITIBIKE_SNAPSHOT
    where = f"not under SHAREOPT_SHARED_DATA={root}" if root else "not found (SHAREOPT_SHARED_DATA is not set)"
    raise FormatError(f"the Citi Bike snapshot ({CITIBIKE_SNAPSHOT}) is {where}: "
                      "pass stations=PATH (--stations), set SHAREOPT_SHARED_DATA, or use places='square'")

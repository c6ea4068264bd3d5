"""The tables of a charging-port study (seed 000's diagram) and the events they replay as.

Five tables, as CSV files in one folder or as DataFrames / dicts of columns:

``stations``
    station_id, ports (existing), max_added_ports, cost_per_port, and optionally
    charge_rate_per_hour (battery share gained per plugged hour, default 0.25) and x, y.
``car_queue`` (seed: CAR-Q-POP)
    customer_id, event_creation_datetime, event_expiry_datetime, station_id, event_status,
    and **required_charge**: the battery share the customer's trip needs.
``park_queue`` (seed: PARK-Q-POP)
    customer_id, event_creation_datetime, event_expiry_datetime, station_id, event_status,
    and **car_id**, **charge_level**: the returning car and its battery share on arrival.
``charge_status`` (seed: CHARGET-STATUS)
    car_id, station_id, datetime_in, datetime_out, charge_level_in, charge_level_out.
    Sessions already plugged at the first reservation event are the starting state.
``trips`` (seed: TRIP-HISTORY, optional)
    trip_start_datetime, trip_end_datetime, start_station_id, end_station_id,
    distance_travelled, car_id, customer_id.

The bold columns are ours: the seed's queues do not say which car returns or what a trip
needs, and a replay cannot do without them. Charge levels are battery shares in [0, 1].
Times are datetimes (or numbers of seconds). Every table is checked whole: a bad row
raises :class:`~shareopt.exceptions.ValidationError` naming it, because dropping a
reservation would change the failure counts that the plan is made from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..exceptions import FormatError, ValidationError
from .report import RowChecker
from .sources import open_source
from .tables import (
    check_ids,
    first_index,
    index_of,
    read_columns,
    table_sources,
    write_csv,
)

__all__ = ["DEFAULT_CHARGE_RATE", "TABLES", "ChargingData", "PortEventTable", "read_charging", "write_charging"]

DEFAULT_CHARGE_RATE = 0.25  # battery share per hour: 11 kW on a 44 kWh battery
TABLES = ("stations", "car_queue", "park_queue", "charge_status", "trips")
_REQUIRED = ("stations", "car_queue", "park_queue")

# (column, kind, required) per table; the first name is the one we write.
_COLUMNS = {
    "stations": [("station_id", "string", True), ("ports", "float", True),
                 ("max_added_ports", "float", True), ("cost_per_port", "float", True),
                 ("charge_rate_per_hour", "float", False), ("x", "float", False),
                 ("y", "float", False)],
    "car_queue": [("customer_id", "string", False), ("event_creation_datetime", "datetime", True),
                  ("event_expiry_datetime", "datetime", True), ("station_id", "string", True),
                  ("event_status", "string", False), ("required_charge", "float", True)],
    "park_queue": [("customer_id", "string", False), ("event_creation_datetime", "datetime", True),
                   ("event_expiry_datetime", "datetime", True), ("station_id", "string", True),
                   ("event_status", "string", False), ("car_id", "string", False),
                   ("charge_level", "float", True)],
    "charge_status": [("car_id", "string", False), ("station_id", "string", True),
                      ("datetime_in", "datetime", True), ("datetime_out", "datetime", False),
                      ("charge_level_in", "float", True), ("charge_level_out", "float", False)],
    "trips": [("trip_start_datetime", "datetime", True), ("trip_end_datetime", "datetime", True),
              ("start_station_id", "string", True), ("end_station_id", "string", True),
              ("distance_travelled", "float", True), ("car_id", "string", False),
              ("customer_id", "string", False)],
}
_ALIASES = {"charge_level_out": ("charget_level_out",), "ports": ("existing_ports",),
            "max_added_ports": ("max_added",)}


@dataclass(frozen=True)
class PortEventTable:
    """Every station's reservation events in replay order (CSR by station).

    Times are seconds after ``start``. ``kind`` is 0 for a returning car (``charge``: its
    level on arrival) and 1 for a customer (``charge``: what the trip needs). ``row`` is
    the event's row in its queue table.
    """

    offsets: np.ndarray
    time: np.ndarray
    expiry: np.ndarray
    charge: np.ndarray
    kind: np.ndarray
    row: np.ndarray
    initial_offsets: np.ndarray
    initial_charge: np.ndarray
    start: float

    @property
    def n_events(self) -> int:
        return int(self.time.size)


@dataclass
class ChargingData:
    """Validated charging tables; build with :func:`read_charging`.

    Attributes
    ----------
    station_id : ndarray of str
    ports, max_added : ndarray of int64
    cost_per_port, charge_rate : ndarray of float64
        Cost of one added port; battery share gained per plugged hour.
    xy : ndarray (n, 2) or None
    tables : dict of dict of ndarray
        The queue, charge-status and trip columns, station ids mapped to indices
        (``station`` / ``start_station`` / ``end_station``), times in seconds since 1970.
    """

    station_id: np.ndarray
    ports: np.ndarray
    max_added: np.ndarray
    cost_per_port: np.ndarray
    charge_rate: np.ndarray
    xy: np.ndarray | None
    tables: dict[str, dict[str, np.ndarray]] = field(repr=False)
    _events: PortEventTable | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n_stations(self) -> int:
        return int(self.station_id.size)

    @property
    def n_events(self) -> int:
        return int(self.tables["car_queue"]["station"].size + self.tables["park_queue"]["station"].size)

    @property
    def start(self) -> float:
        """The first reservation event: sessions plugged then are the starting state."""
        return float(min(self.tables["car_queue"]["created"].min(initial=np.inf),
                         self.tables["park_queue"]["created"].min(initial=np.inf)))

    def events(self) -> PortEventTable:
        """The reservation events of every station, sorted for the replay (computed once)."""
        if self._events is None:
            self._events = self._sorted_events()
        return self._events

    def _sorted_events(self) -> PortEventTable:
        car, park = self.tables["car_queue"], self.tables["park_queue"]
        start = self.start
        station = np.concatenate([park["station"], car["station"]])
        time = np.concatenate([park["created"], car["created"]]) - start
        kind = np.concatenate([np.zeros(park["station"].size, np.int8), np.ones(car["station"].size, np.int8)])
        row = np.concatenate([np.arange(park["station"].size), np.arange(car["station"].size)])
        # At one instant returning cars come first, then table order (the replay's rule).
        order = np.lexsort((row, kind, time, station))
        offsets = np.zeros(self.n_stations + 1, dtype=np.int64)
        np.cumsum(np.bincount(station, minlength=self.n_stations), out=offsets[1:])
        expiry = np.concatenate([park["expiry"], car["expiry"]]) - start
        charge = np.concatenate([park["charge"], car["charge"]])
        initial_station, initial_charge = self._initial_state(start)
        by_station = np.argsort(initial_station, kind="stable")
        initial_offsets = np.zeros(self.n_stations + 1, dtype=np.int64)
        np.cumsum(np.bincount(initial_station, minlength=self.n_stations), out=initial_offsets[1:])
        return PortEventTable(offsets, np.ascontiguousarray(time[order]), np.ascontiguousarray(expiry[order]),
                              np.ascontiguousarray(charge[order]), np.ascontiguousarray(kind[order]),
                              row[order], initial_offsets, np.ascontiguousarray(initial_charge[by_station]), start)

    def _initial_state(self, start: float) -> tuple[np.ndarray, np.ndarray]:
        """Cars plugged at ``start`` and their charge then."""
        status = self.tables.get("charge_status")
        if status is None or status["station"].size == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        out = status["out"]
        # Out at the start itself: taken by the first customer, so there at the start.
        plugged = (status["in"] <= start) & ~(out < start)  # NaN out: still plugged
        plugged &= ~self._plugged_by_first_events(start)
        station = status["station"][plugged]
        hours = (start - status["in"][plugged]) / 3600.0
        charge = np.minimum(1.0, status["charge_in"][plugged] + self.charge_rate[station] * hours)
        return station, charge

    def _plugged_by_first_events(self, start: float) -> np.ndarray:
        """Sessions that begin at ``start`` because a park request at ``start`` began them.

        The replay plugs those cars itself; counting them as already there would count them
        twice. Matched by station and car_id when both tables have car ids, else by number:
        at most as many such sessions per station as park requests there at ``start``.
        """
        status, park = self.tables["charge_status"], self.tables["park_queue"]
        at_start = np.flatnonzero(status["in"] == start)
        first = park["created"] == start
        explained = np.zeros(status["in"].size, dtype=bool)
        if at_start.size == 0 or not first.any():
            return explained
        if status.get("car_id") is not None and park.get("car_id") is not None:
            arrived = set(zip(park["station"][first].tolist(), park["car_id"][first].tolist()))
            for row in at_start:
                explained[row] = (int(status["station"][row]), status["car_id"][row]) in arrived
            return explained
        room = np.bincount(park["station"][first], minlength=self.n_stations)
        for row in at_start:
            s = int(status["station"][row])
            if room[s] > 0:
                explained[row] = True
                room[s] -= 1
        return explained

    def initial_cars(self) -> np.ndarray:
        """Cars plugged at the start, per station."""
        station, _ = self._initial_state(self.start)
        return np.bincount(station, minlength=self.n_stations)

    def summary(self) -> dict:
        car, park = self.tables["car_queue"], self.tables["park_queue"]
        return {"stations": self.n_stations, "ports": int(self.ports.sum()),
                "car_requests": int(car["station"].size), "park_requests": int(park["station"].size),
                "recorded_car_failures": _failed(car), "recorded_park_failures": _failed(park)}


def _failed(table) -> int | None:
    status = table.get("status")
    if status is None:
        return None
    return int(np.count_nonzero(status == "failed"))


def read_charging(data, *, stations=None) -> ChargingData:
    """Read and check the charging tables.

    Parameters
    ----------
    data
        A folder with ``stations.csv``, ``car_queue.csv``, ``park_queue.csv`` and optionally
        ``charge_status.csv`` and ``trips.csv`` (``.csv.gz`` or ``.parquet`` also read), or a
        dict mapping those names to DataFrames, dicts of columns or paths.
    stations
        The stations table, when ``data`` does not hold it.

    Raises
    ------
    ValidationError
        Naming the table and rows at fault: unknown stations, an event that expires before
        it is created, a charge outside [0, 1], missing times, more cars plugged at the
        start than a station has ports, a table without rows.
    """
    sources = table_sources(data, TABLES, "charging")
    if stations is not None:
        sources["stations"] = open_source(stations)
    missing = [name for name in _REQUIRED if name not in sources]
    if missing:
        raise FormatError(f"charging data lacks the table(s) {', '.join(missing)} "
                          f"(expected {', '.join(t + '.csv' for t in TABLES)})")
    raw = {name: _read_table(name, source) for name, source in sources.items() if name in _COLUMNS}
    s = raw["stations"]
    n = len(s["station_id"])
    check = RowChecker(n, "stations", strict=True)
    station_id = check_ids(check, s["station_id"], "station_id", reason="id")
    seen = first_index(station_id)
    for column, what in (("ports", "ports"), ("max_added_ports", "max_added_ports")):
        values = s[column]
        check.flag(f"bad_{column}", ~(values >= 0) | (values != np.round(values)) | (values > 100_000),
                   f"have {what} that is not a whole number >= 0")
    check.flag("bad_cost", ~(s["cost_per_port"] > 0) | ~np.isfinite(s["cost_per_port"]),
               "have a cost_per_port that is not a finite number > 0")
    rate = s.get("charge_rate_per_hour")
    rate = np.full(n, DEFAULT_CHARGE_RATE) if rate is None else np.where(np.isnan(rate), DEFAULT_CHARGE_RATE, rate)
    check.flag("bad_rate", ~(rate >= 0) | ~np.isfinite(rate), "have a charge_rate_per_hour that is not a finite number >= 0")
    check.raise_if_strict()
    if n == 0:
        raise ValidationError("the stations table has no rows", "empty")
    xy = None
    if s.get("x") is not None and s.get("y") is not None:
        xy = np.column_stack([s["x"], s["y"]])

    tables: dict[str, dict[str, np.ndarray]] = {}
    for name in ("car_queue", "park_queue"):
        tables[name] = _queue(name, raw[name], seen)
    if not (tables["car_queue"]["station"].size + tables["park_queue"]["station"].size):
        raise ValidationError("the car and park queues have no rows: nothing to replay", "empty")
    if "charge_status" in raw:
        tables["charge_status"] = _charge_status(raw["charge_status"], seen)
    if "trips" in raw:
        tables["trips"] = _trips(raw["trips"], seen)
    result = ChargingData(station_id, s["ports"].astype(np.int64), s["max_added_ports"].astype(np.int64),
                          s["cost_per_port"].astype(np.float64), rate.astype(np.float64), xy, tables)
    over = np.flatnonzero(result.initial_cars() > result.ports)
    if over.size:
        names = ", ".join(str(station_id[i]) for i in over[:5])
        raise ValidationError(f"charge_status: more cars plugged at the first event than ports at "
                              f"{over.size} station(s): {names}", "too_many_cars", over)
    return result


def _read_table(name: str, source) -> dict[str, np.ndarray]:
    spec = [(column, _ALIASES.get(column, ()), kind, required) for column, kind, required in _COLUMNS[name]]
    out, columns = read_columns(source, name, spec)
    out["_lines"] = columns.lines
    return out


def _checker(name: str, table: dict) -> RowChecker:
    n = len(next(v for k, v in table.items() if k != "_lines"))
    return RowChecker(n, name, strict=True, lines=table.get("_lines"))


def _times(check: RowChecker, table: dict, columns: tuple[str, ...]) -> None:
    for column in columns:
        check.flag(f"missing_{column}", ~np.isfinite(table[column]), f"have no readable {column}")


def _charges(check: RowChecker, values: np.ndarray, column: str) -> None:
    check.flag(f"bad_{column}", ~((values >= 0) & (values <= 1)),
               f"have a {column} outside [0, 1] (battery shares, not percent)")


def _queue(name: str, table: dict, known: dict[str, int]) -> dict[str, np.ndarray]:
    check = _checker(name, table)
    station = index_of(check, table["station_id"], known, "station_id", "stations")
    created, expiry = table["event_creation_datetime"], table["event_expiry_datetime"]
    _times(check, table, ("event_creation_datetime", "event_expiry_datetime"))
    check.flag("expires_before_created", expiry < created, "expire before they are created")
    charge_column = "required_charge" if name == "car_queue" else "charge_level"
    _charges(check, table[charge_column], charge_column)
    status = table.get("event_status")
    if status is not None:
        status = np.asarray([_status(v) for v in status], dtype=object)
        check.flag("bad_status", status == "?", "have an event_status other than served/failed "
                   "(or parked/expired/empty)")
    check.raise_if_strict()
    out = {"station": station, "created": created, "expiry": expiry, "charge": table[charge_column]}
    if status is not None:
        out["status"] = status
    for column in ("customer_id", "car_id"):
        if table.get(column) is not None:
            out[column] = table[column]
    return out


_SERVED = {"served", "parked", "fulfilled", "success", "ok", "1", "true"}
_FAILED = {"failed", "expired", "cancelled", "canceled", "0", "false"}


def _status(value: str) -> str:
    text = str(value).strip().lower()
    if text == "":
        return ""
    if text in _SERVED:
        return "served"
    if text in _FAILED:
        return "failed"
    return "?"


def _charge_status(table: dict, known: dict[str, int]) -> dict[str, np.ndarray]:
    check = _checker("charge_status", table)
    station = index_of(check, table["station_id"], known, "station_id", "stations")
    _times(check, table, ("datetime_in",))
    out_time = table.get("datetime_out", np.full(station.size, np.nan))
    check.flag("out_before_in", out_time < table["datetime_in"], "have datetime_out before datetime_in")
    _charges(check, table["charge_level_in"], "charge_level_in")
    charge_out = table.get("charge_level_out")
    if charge_out is not None:
        check.flag("bad_charge_level_out", ~np.isnan(charge_out) & ~((charge_out >= 0) & (charge_out <= 1)),
                   "have a charge_level_out outside [0, 1]")
    check.raise_if_strict()
    return {"station": station, "in": table["datetime_in"], "out": out_time,
            "charge_in": table["charge_level_in"], "car_id": table.get("car_id")}


def _trips(table: dict, known: dict[str, int]) -> dict[str, np.ndarray]:
    check = _checker("trips", table)
    start = index_of(check, table["start_station_id"], known, "start_station_id", "stations")
    end = index_of(check, table["end_station_id"], known, "end_station_id", "stations")
    _times(check, table, ("trip_start_datetime", "trip_end_datetime"))
    check.flag("ends_before_start", table["trip_end_datetime"] < table["trip_start_datetime"],
               "end before they start")
    distance = table["distance_travelled"]
    check.flag("bad_distance", ~(distance >= 0) | ~np.isfinite(distance), "have a negative or missing distance")
    check.raise_if_strict()
    return {"start_station": start, "end_station": end, "start": table["trip_start_datetime"],
            "end": table["trip_end_datetime"], "distance": distance}


def write_charging(data: dict[str, dict[str, np.ndarray]], folder) -> Path:
    """Write raw tables (column name -> array, datetimes as seconds) as CSV files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in data.items():
        write_csv(folder / f"{name}.csv", columns, {c for c, kind, _ in _COLUMNS[name] if kind == "datetime"})
    return folder

"""Charging sessions of the Adaptive Charging Network (ACN-Data, Caltech / JPL / office sites).

The ACN API answers with ``{"_meta": {...}, "_items": [session, ...]}``; each session has
RFC 1123 times in GMT (``"Tue, 01 Dec 2020 13:59:06 GMT"``), ``kWhDelivered``, the
``stationID`` / ``spaceID`` it used and, when the driver entered them, ``userInputs``.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime

import numpy as np

from ..exceptions import FormatError, ValidationError
from .report import DataWarning, RowChecker, later_duplicates

__all__ = ["ACN_DROP_REASONS", "POWER_BOUNDS_KW", "AcnSessions", "read_acn_sessions",
           "station_power_kw"]

#: Reasons a session row is dropped, in the order they are checked (a row counts once,
#: under the first reason it meets).
ACN_DROP_REASONS = (
    "other_site",
    "unparseable_time",
    "departure_not_after_arrival",
    "bad_kwh",
    "missing_station_id",
    "duplicate_session_id",
)

#: Range of an inferred station power, kW: a slow level-1 outlet up to the fastest DC
#: chargers. A session whose average power is above the top is a recording error.
POWER_BOUNDS_KW = (1.0, 350.0)


@dataclass(frozen=True)
class AcnSessions:
    """Charging sessions, one row per car plugged in, sorted by arrival.

    Attributes
    ----------
    session_id, station_id, space_id, user_id
        String arrays (``user_id`` is ``""`` for anonymous sessions).
    arrival, departure
        Connection and disconnection times, float seconds since 1970-01-01 UTC.
    done_charging
        When the car stopped drawing power (NaN when the site did not record it).
    kwh
        Energy delivered, kWh (may be 0: the car held the port without charging).
    requested_kwh
        Energy the driver asked for in the app, latest input (NaN when none).
    report
        Rows dropped, by reason (every reason of :data:`ACN_DROP_REASONS`, 0 when none).
    """

    session_id: np.ndarray
    station_id: np.ndarray
    space_id: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    done_charging: np.ndarray
    kwh: np.ndarray
    requested_kwh: np.ndarray
    user_id: np.ndarray
    report: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.arrival)

    @property
    def chargers(self) -> int:
        """Distinct ``station_id`` values."""
        return len(np.unique(self.station_id))


def _seconds(text) -> float:
    """RFC 1123 / RFC 2822 date string -> seconds since the epoch (UTC); NaN if unparseable."""
    if not isinstance(text, str):
        return math.nan
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return math.nan
    if moment.tzinfo is None:  # "-0000" means UTC with no stated offset
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _number(value) -> float:
    """A JSON number as float (NaN for null, strings, booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def _text(value) -> str:
    return "" if value is None else str(value)


def _requested_kwh(inputs) -> float:
    # The API lists a session's inputs in the order they were modified (checked on the
    # Caltech data), so the last one is what the driver finally asked for.
    if not isinstance(inputs, list) or not inputs or not isinstance(inputs[-1], dict):
        return math.nan
    value = _number(inputs[-1].get("kWhRequested"))
    return value if value >= 0 else math.nan


def read_acn_sessions(path: str | os.PathLike, *, site: str | None = None) -> AcnSessions:
    """Read an ACN-Data sessions file (the API's JSON answer, or a bare list of sessions).

    Parameters
    ----------
    path
        JSON file: ``{"_meta": ..., "_items": [...]}`` or ``[...]``.
    site
        Keep only sessions whose ``siteID`` is this (``"0002"`` is Caltech); None keeps all.

    Returns
    -------
    AcnSessions
        Kept sessions sorted by arrival; ``report`` counts the dropped rows by reason.

    Raises
    ------
    FormatError
        The file is not JSON or not a list of session objects.
    ValidationError
        No session is left after validation.

    Warns
    -----
    DataWarning
        When rows were dropped for a data problem (``other_site`` rows are a filter you
        asked for, so they are counted but do not warn).

    Notes
    -----
    A row is dropped when its connection or disconnection time is missing or unparseable
    (or a non-null ``doneChargingTime`` is unparseable), when it disconnects at or before
    it connects, when ``kWhDelivered`` is missing, NaN or negative, when it has no
    ``stationID``, or when its ``sessionID`` repeats an earlier kept row.
    """
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as handle:
            payload = json.load(handle)
    except json.JSONDecodeError as err:
        raise FormatError(f"{source}: not JSON ({err})") from err
    items = payload.get("_items") if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not all(isinstance(row, dict) for row in items):
        raise FormatError(f"{source}: expected an ACN sessions answer (a dict with '_items', "
                          "or a list of session objects)")

    n = len(items)
    arrival = np.array([_seconds(r.get("connectionTime")) for r in items], dtype=np.float64)
    departure = np.array([_seconds(r.get("disconnectTime")) for r in items], dtype=np.float64)
    done_raw = [r.get("doneChargingTime") for r in items]
    done = np.array([math.nan if v is None else _seconds(v) for v in done_raw], dtype=np.float64)
    kwh = np.array([_number(r.get("kWhDelivered")) for r in items], dtype=np.float64)
    session_id = np.array([_text(r.get("sessionID")) for r in items], dtype=str)
    station_id = np.array([_text(r.get("stationID")) for r in items], dtype=str)
    site_id = np.array([_text(r.get("siteID")) for r in items], dtype=str)

    checker = RowChecker(n, "ACN session", strict=False)
    if site is not None:
        checker.flag("other_site", site_id != str(site), f"are not at site {site!r}")
    done_bad = np.array([v is not None for v in done_raw], dtype=bool) & np.isnan(done)
    checker.flag("unparseable_time", np.isnan(arrival) | np.isnan(departure) | done_bad,
                 "have a missing or unparseable time")
    with np.errstate(invalid="ignore"):
        checker.flag("departure_not_after_arrival", ~(departure > arrival),
                     "disconnect at or before they connect")
        checker.flag("bad_kwh", ~(kwh >= 0), "have a missing, NaN or negative kWhDelivered")
    checker.flag("missing_station_id", station_id == "", "have no stationID")
    with_id = checker.keep & (session_id != "")
    checker.flag("duplicate_session_id", later_duplicates(session_id, with_id),
                 "repeat the sessionID of an earlier row")

    data_drops = int(np.count_nonzero(checker.bad)) - checker.dropped.get("other_site", 0)
    if data_drops == 0 and checker.dropped:
        # Only the site filter hit: count it but do not warn about a filter the caller set.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            checker.report(source, "acn-json")
    else:
        checker.report(source, "acn-json")  # raises when empty, warns on drops

    keep = np.flatnonzero(checker.keep)
    keep = keep[np.argsort(arrival[keep], kind="stable")]
    report = {reason: 0 for reason in ACN_DROP_REASONS}
    report.update(checker.dropped)
    return AcnSessions(
        session_id=session_id[keep],
        station_id=station_id[keep],
        space_id=np.array([_text(items[i].get("spaceID")) for i in keep], dtype=str),
        arrival=arrival[keep],
        departure=departure[keep],
        done_charging=done[keep],
        kwh=kwh[keep],
        requested_kwh=np.array([_requested_kwh(items[i].get("userInputs")) for i in keep],
                               dtype=np.float64),
        user_id=np.array([_text(items[i].get("userID")) for i in keep], dtype=str),
        report=report,
    )


def station_power_kw(sessions, *, percentile: float = 90.0) -> dict[str, float]:
    """Each station's charging power, kW, inferred from its sessions' average powers.

    A session's average power is ``kwh`` over its charging hours: from ``arrival`` to its
    ``done_charging`` (capped at ``departure``) where that is recorded and after
    ``arrival``. A station's power is the ``percentile`` of those over its sessions (a high
    one: a car draws less than the charger can give when it is nearly full or slow to
    accept), clipped to :data:`POWER_BOUNDS_KW`.

    Parameters
    ----------
    sessions
        :class:`AcnSessions` (validated), or any object with the arrays ``station_id``,
        ``arrival``, ``departure``, ``kwh`` and, optionally, ``done_charging`` (NaN where
        not recorded; missing means never recorded).
    percentile
        Percentile of the sessions' average powers taken as the station's power.

    Returns
    -------
    dict
        ``{station_id: kW}`` for every station, sorted by id.

    Raises
    ------
    ValidationError
        No session delivered energy, so no power can be inferred.

    Notes
    -----
    Sessions with 0 kWh, and sessions above the top of :data:`POWER_BOUNDS_KW`, say
    nothing about the charger and are left out. A station with no recorded
    ``done_charging`` falls back on ``kwh`` over the whole stay: a lower bound on each
    session's power (the car charged for at most its stay), which a high percentile
    brings close to the charger's (on Caltech the DC fast charger 2-39-81-4550 records no
    ``doneChargingTime`` at all, and its stays give about 42 kW). A station whose sessions
    all delivered 0 kWh gets the median of the other stations' powers.
    """
    station = np.asarray(sessions.station_id).astype(str)
    arrival = np.asarray(sessions.arrival, dtype=np.float64)
    departure = np.asarray(sessions.departure, dtype=np.float64)
    kwh = np.asarray(sessions.kwh, dtype=np.float64)
    done = getattr(sessions, "done_charging", None)
    done = np.full(len(arrival), np.nan) if done is None else np.asarray(done, np.float64)
    low, high = POWER_BOUNDS_KW
    with np.errstate(invalid="ignore", divide="ignore"):
        charged = done > arrival  # NaN (not recorded) compares False
        end = np.where(charged, np.minimum(done, departure), departure)
        power = kwh * 3600.0 / (end - arrival)
        usable = (kwh > 0) & (power <= high)
    names, index = np.unique(station, return_inverse=True)
    found = {}
    for k, name in enumerate(names):
        mine = (index == k) & usable
        pick = mine & charged if np.any(mine & charged) else mine
        if pick.any():
            found[name] = float(np.clip(np.percentile(power[pick], percentile), low, high))
    if not found:
        raise ValidationError("no session delivered energy: cannot infer station powers "
                              "(pass one power_kw instead)", "no_power")
    fallback = float(np.median(list(found.values())))
    return {str(name): found.get(name, fallback) for name in names}

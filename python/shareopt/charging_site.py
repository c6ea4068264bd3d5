"""Charging-port planning for one site: replay its sessions with fewer and more ports.

Each session is a car that arrives, wants a port until it leaves, and needs some energy.
Replaying the real sessions on ``P`` ports (for a range of ``P``) gives the failure curve:
how many cars find no port, and how much energy goes undelivered, as the site shrinks or
grows. See :func:`site_failure_curve`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ._kernels_charging import occupancy_curve
from .data.acn import station_power_kw
from .exceptions import ValidationError

__all__ = ["SiteCurve", "peak_occupancy", "site_failure_curve"]


@dataclass(frozen=True)
class SiteCurve:
    """Failure curve of a charging site: refused cars and energy shortfall per port count.

    Attributes
    ----------
    ports
        Port counts replayed (int64, ascending).
    refused
        Cars that found no port within their patience, per port count (int64).
    refused_share
        ``refused / sessions``.
    shortfall_kwh
        Energy short, kWh: for plugged cars ``kwh * max(0, 1 - plugged time / needed
        time)`` (linear charging), plus the whole ``kwh`` of refused cars.
    peak_occupancy
        Most cars plugged at once with unlimited ports (from that many ports on, no car
        is refused).
    unlimited_shortfall_kwh
        Shortfall with unlimited ports: the part that more ports cannot fix (stays shorter
        than the needed time; always 0 with ``power_model="observed"``, where no session
        needs longer than its stay).
    sessions
        Sessions replayed.
    chargers
        Distinct ``station_id`` values: the site's real number of chargers.
    patience
        The replay's patience, seconds.
    power_model
        ``"observed"`` or the one power, kW, given as ``power_kw``.
    station_power_kw
        ``{station_id: kW}``: the inferred power of each station (``"observed"``), or the
        one power for every station.
    """

    ports: np.ndarray
    refused: np.ndarray
    refused_share: np.ndarray
    shortfall_kwh: np.ndarray
    peak_occupancy: int
    unlimited_shortfall_kwh: float
    sessions: int
    chargers: int
    patience: float
    power_model: str | float
    station_power_kw: dict

    def to_dict(self) -> dict:
        """JSON-safe summary (lists of plain ints and floats)."""
        return {
            "ports": [int(p) for p in self.ports],
            "refused": [int(r) for r in self.refused],
            "refused_share": [float(s) for s in self.refused_share],
            "shortfall_kwh": [float(s) for s in self.shortfall_kwh],
            "peak_occupancy": int(self.peak_occupancy),
            "unlimited_shortfall_kwh": float(self.unlimited_shortfall_kwh),
            "sessions": int(self.sessions),
            "chargers": int(self.chargers),
            "patience": float(self.patience),
            "power_model": (self.power_model if isinstance(self.power_model, str)
                            else float(self.power_model)),
            "station_power_kw": {str(k): float(v) for k, v in self.station_power_kw.items()},
        }

    def plot(self, ax=None):
        """Refused sessions (left axis) and shortfall (right axis) against ports.

        Parameters
        ----------
        ax
            Matplotlib axes to draw on (default: a new figure).

        Returns
        -------
        matplotlib.axes.Axes
            The refused-sessions axes; the shortfall axes is its ``twinx``.
        """
        from .plot import _pyplot  # matplotlib is optional: import it only when drawing

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        ax.step(self.ports, self.refused, where="mid", color="tab:red",
                label="refused sessions")
        ax.set_xlabel("ports")
        ax.set_ylabel("refused sessions", color="tab:red")
        right = ax.twinx()
        right.plot(self.ports, self.shortfall_kwh, color="tab:blue", marker=".",
                   label="energy shortfall")
        right.set_ylabel("energy shortfall (kWh)", color="tab:blue")
        ax.axvline(self.chargers, color="0.3", linestyle="--", linewidth=1)
        ax.annotate(f"{self.chargers} chargers", (self.chargers, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points", fontsize=8, color="0.3")
        waiting = f", patience {self.patience:g} s" if self.patience > 0 else ""
        power = (f"{self.power_model} power" if isinstance(self.power_model, str)
                 else f"{self.power_model:g} kW")
        ax.set_title(f"{self.sessions:,} sessions, peak {self.peak_occupancy} plugged at "
                     f"once ({power}{waiting})")
        return ax


def peak_occupancy(arrival, departure) -> int:
    """Most intervals ``[arrival, departure)`` open at once (a departure at t frees first)."""
    arrival = np.asarray(arrival, dtype=np.float64)
    departure = np.asarray(departure, dtype=np.float64)
    times = np.concatenate([arrival, departure])
    steps = np.concatenate([np.ones(len(arrival), np.int64), -np.ones(len(departure), np.int64)])
    order = np.lexsort((steps, times))  # by time, and -1 (departure) before +1 at a tie
    return int(np.cumsum(steps[order]).max(initial=0))


def _session_arrays(sessions):
    try:
        arrival = np.asarray(sessions.arrival, dtype=np.float64)
        departure = np.asarray(sessions.departure, dtype=np.float64)
        kwh = np.asarray(sessions.kwh, dtype=np.float64)
        station = np.asarray(sessions.station_id)
    except AttributeError as err:
        raise ValidationError("sessions must have arrival, departure, kwh and station_id "
                              "(see shareopt.data.acn.read_acn_sessions)", "sessions") from err
    n = len(arrival)
    if not (arrival.ndim == departure.ndim == kwh.ndim == 1
            and len(departure) == len(kwh) == len(station) == n):
        raise ValidationError("sessions arrays must be 1-D and of equal length", "sessions")
    if n == 0:
        raise ValidationError("no sessions to replay", "empty")
    with np.errstate(invalid="ignore"):
        checks = [
            (~np.isfinite(arrival) | ~np.isfinite(departure), "time_not_finite",
             "has a non-finite time"),
            (~(departure > arrival), "departure_not_after_arrival",
             "leaves at or before it arrives"),
            (~(kwh >= 0) | ~np.isfinite(kwh), "bad_kwh", "has a NaN, infinite or negative kWh"),
        ]
    for bad, reason, what in checks:
        rows = np.flatnonzero(bad)
        if len(rows):
            raise ValidationError(f"{len(rows):,} sessions are invalid: row {rows[0]} {what}",
                                  reason, rows)
    return arrival, departure, kwh, station


def _needed_seconds(sessions, arrival, departure, kwh, station, power_kw):
    """Seconds each car must be plugged to take its kWh, and the power of each station."""
    if not isinstance(power_kw, str):
        return 3600.0 * kwh / power_kw, {str(k): power_kw for k in np.unique(station)}
    done = getattr(sessions, "done_charging", None)
    done = np.full(len(arrival), np.nan) if done is None else np.asarray(done, np.float64)
    if done.shape != arrival.shape:
        raise ValidationError("sessions.done_charging must be as long as arrival", "sessions")
    powers = station_power_kw(SimpleNamespace(station_id=station, arrival=arrival,
                                              departure=departure, kwh=kwh,
                                              done_charging=done))
    each = np.array([powers[k] for k in station.astype(str)], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        charged = done > arrival  # recorded and after the connection (NaN compares False)
    # It did take its kWh within its stay, so never more than the stay.
    needed = np.where(charged, done - arrival, 3600.0 * kwh / each)
    return np.minimum(needed, departure - arrival), powers


def _port_counts(ports, chargers: int) -> np.ndarray:
    if ports is None:
        return np.arange(0, math.ceil(1.5 * chargers) + 1, dtype=np.int64)
    if isinstance(ports, (int, np.integer)):
        ports = [ports]
    try:
        values = np.asarray(list(ports) if isinstance(ports, Iterable) else ports)
    except TypeError as err:
        raise ValidationError("ports must be an iterable of port counts", "ports") from err
    if values.ndim != 1 or len(values) == 0:
        raise ValidationError("ports must be a non-empty 1-D list of port counts", "ports")
    if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
        raise ValidationError("ports must be whole numbers", "ports")
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise ValidationError("ports must be whole numbers", "ports")
    if np.any(values < 0):
        raise ValidationError(f"ports must be >= 0, got {values.min():g}", "ports",
                              np.flatnonzero(values < 0))
    return np.unique(values.astype(np.int64))


def site_failure_curve(sessions, ports: Iterable[int] | None = None, *, patience: float = 0.0,
                       power_kw: float | str = "observed") -> SiteCurve:
    """Replay a site's sessions on each number of ports: refused cars and energy shortfall.

    Each session is a car arriving at ``arrival`` that wants a port until ``departure``
    (fixed: it leaves then whatever happened). With ``P`` ports, a car takes a free port at
    once; otherwise it waits, first come first served, up to ``patience`` seconds, and
    leaves unserved (refused) if no port frees in time. Waiting shortens its plugged time.
    A port freed at ``t`` can serve a car arriving at ``t``. A car needs some plugged time
    to take its ``kwh`` and charges linearly: plugged for a fraction of it, it gets that
    fraction of its energy.

    Parameters
    ----------
    sessions
        :class:`~shareopt.data.acn.AcnSessions`, or any object with the arrays
        ``arrival``, ``departure`` (seconds), ``kwh`` (the energy each car needs),
        ``station_id`` and, optionally, ``done_charging`` (seconds, NaN where unknown).
    ports
        Port counts to replay (any order; duplicates dropped). Default: 0 to 1.5 times
        the number of distinct ``station_id``, step 1.
    patience
        Seconds a car waits for a port before it leaves; 0 (default) is a loss system:
        a car that finds every port busy leaves at once.
    power_kw
        ``"observed"`` (default): each car needs what the data shows. A car with a
        ``done_charging`` after its arrival needs ``done_charging - arrival``; any other
        needs ``kwh`` at its station's power (see
        :func:`~shareopt.data.acn.station_power_kw`). Either is capped at the stay: the car
        did take its ``kwh`` before it left. A number: one power, kW, for every port: a car
        plugged ``h`` hours can take at most ``power_kw * h`` kWh (6.6 kW is a common
        level-2 charger).

    Returns
    -------
    SiteCurve

    Raises
    ------
    ValidationError
        Negative or fractional ports, ``patience < 0``, ``power_kw`` neither
        ``"observed"`` nor a positive number, no sessions,
        or sessions with non-finite times, departures not after arrivals, or negative kWh.

    Examples
    --------
    >>> from shareopt.data.acn import read_acn_sessions
    >>> curve = site_failure_curve(read_acn_sessions("acn_caltech_sessions.json"))
    ...                                                              # doctest: +SKIP
    >>> curve.refused[curve.ports == 10]                             # doctest: +SKIP
    """
    patience = float(patience)
    if not patience >= 0:
        raise ValidationError(f"patience must be >= 0 seconds, got {patience}", "patience")
    if not (isinstance(power_kw, str) and power_kw == "observed"):
        try:
            power_kw = float(power_kw)
        except (TypeError, ValueError):
            power_kw = math.nan
        if not (power_kw > 0 and math.isfinite(power_kw)):
            raise ValidationError(f"power_kw must be 'observed' or a positive number, got "
                                  f"{power_kw}", "power_kw")
    arrival, departure, kwh, station = _session_arrays(sessions)
    chargers = len(np.unique(station))
    counts = _port_counts(ports, chargers)
    need_s, powers = _needed_seconds(sessions, arrival, departure, kwh, station, power_kw)

    order = np.argsort(arrival, kind="stable")  # the kernel needs arrival order
    arrival, departure, kwh, need_s = (np.ascontiguousarray(a[order])
                                       for a in (arrival, departure, kwh, need_s))
    refused, shortfall = occupancy_curve(arrival, departure, kwh, need_s, counts, patience)
    stay = departure - arrival
    with np.errstate(invalid="ignore", divide="ignore"):
        unlimited = np.where(stay < need_s, kwh * (1.0 - stay / need_s), 0.0)
    n = len(arrival)
    return SiteCurve(
        ports=counts,
        refused=refused,
        refused_share=refused / n,
        shortfall_kwh=shortfall,
        peak_occupancy=peak_occupancy(arrival, departure),
        unlimited_shortfall_kwh=float(unlimited.sum()),
        sessions=n,
        chargers=chargers,
        patience=patience,
        power_model=power_kw,
        station_power_kw=powers,
    )

"""Charging-port planning: the occupancy replay kernel, the site failure curve, the ACN loader."""

from __future__ import annotations

import json
import math
import warnings
from datetime import datetime, timezone
from types import SimpleNamespace

import numpy as np
import pytest
from shareopt._kernels_charging import occupancy_curve, occupancy_replay
from shareopt.charging_site import SiteCurve, peak_occupancy, site_failure_curve
from shareopt.data.acn import ACN_DROP_REASONS, read_acn_sessions, station_power_kw
from shareopt.data.report import DataWarning
from shareopt.exceptions import ValidationError

H = 3600.0
NAN = math.nan


def _sessions(arrival, departure, kwh, station=None, done=None):
    arrival = np.asarray(arrival, dtype=float)
    station = np.arange(len(arrival)).astype(str) if station is None else np.asarray(station)
    done = np.full(len(arrival), NAN) if done is None else np.asarray(done, dtype=float)
    return SimpleNamespace(arrival=arrival, departure=np.asarray(departure, dtype=float),
                           kwh=np.asarray(kwh, dtype=float), station_id=station,
                           done_charging=done)


def _random_sessions(rng, n):
    """Arrivals on a 10-minute grid (so ties happen), stays of 10 min to ~2 h, 0-10 kWh."""
    arrival = np.sort(rng.integers(0, 40, n)).astype(float) * 600.0
    departure = arrival + rng.integers(1, 12, n) * 600.0
    return arrival, departure, rng.uniform(0.0, 10.0, n).round(2)


@pytest.fixture(scope="module")
def caltech(shared_data):
    return read_acn_sessions(shared_data / "ev" / "acn_caltech_sessions.json")


# --- (a) a hand-worked example ----------------------------------------------------------
#
# Four cars at 2 kW (so a car needs need / 2 hours plugged), times in hours:
#   A: 0 -> 4, needs 5 kWh = 2.5 h      B: 1 -> 3, needs 3 kWh = 1.5 h
#   C: 2 -> 6, needs 5 kWh = 2.5 h      D: 4 -> 5, needs 1 kWh = 0.5 h
HAND = {"arrival": np.array([0.0, 1.0, 2.0, 4.0]) * H,
        "departure": np.array([4.0, 3.0, 6.0, 5.0]) * H,
        "need": np.array([5.0, 3.0, 5.0, 1.0])}
HAND["need_s"] = HAND["need"] / 2.0 * H


@pytest.mark.parametrize("ports, patience_h, refused, plugged_h, shortfall", [
    # No port at all: everyone is refused, the shortfall is all the need, 5+3+5+1.
    (0, 0.0, 4, [NAN, NAN, NAN, NAN], 14.0),
    # 1 port, no waiting: A plugs at 0; B (1) and C (2) find it busy and leave; A leaves at
    # 4 and frees the port before D's arrival at 4 is handled, so D plugs at 4.
    # A gets 4 h >= 2.5 h, D 1 h >= 0.5 h; B and C lose 3 + 5 = 8.
    (1, 0.0, 2, [0, NAN, NAN, 4], 8.0),
    # 2 ports, no waiting: A at 0, B at 1 (2 h >= 1.5 h); C at 2 finds both busy and
    # leaves (5 lost); at 4 A and B are gone, so D plugs.
    (2, 0.0, 1, [0, 1, NAN, 4], 5.0),
    # 1 port, patience 2 h: B waits from 1; its patience runs to 3, which is also its
    # departure, and the port frees only at 4: refused (3 lost). C waits from 2 until
    # 2 + 2 = 4: A frees the port at exactly 4, which is within patience (the bound is
    # inclusive), and C, first in the queue, takes it before D, who arrives at that
    # same 4. C stays until its own departure 6: 2 h of its 2.5 h, so it takes 4/5 of
    # its 5 kWh and is 5 * (1 - 2 / 2.5) = 1 kWh short.
    # D waits from 4; the port frees at 6, after D's departure 5: refused (1 lost).
    (1, 2.0, 2, [0, NAN, 4, NAN], 3.0 + 1.0 + 1.0),
    # 2 ports, patience 2 h: A at 0, B at 1; C waits from 2 and gets B's port at 3
    # (3 h >= 2.5 h); at 4 A frees a port and the queue is empty, so D plugs at 4.
    (2, 2.0, 0, [0, 1, 3, 4], 0.0),
])
def test_hand_worked_example(ports, patience_h, refused, plugged_h, shortfall):
    r, plugged, short = occupancy_replay(HAND["arrival"], HAND["departure"], HAND["need"],
                                         HAND["need_s"], ports, patience_h * H)
    assert r == refused
    np.testing.assert_array_equal(plugged, np.array(plugged_h, dtype=float) * H)
    assert short == pytest.approx(shortfall)


def test_hand_worked_curve_matches_single_runs():
    curve = site_failure_curve(_sessions(HAND["arrival"], HAND["departure"], HAND["need"]),
                               [2, 0, 1, 1], patience=2 * H, power_kw=2.0)
    np.testing.assert_array_equal(curve.ports, [0, 1, 2])  # sorted, duplicates dropped
    np.testing.assert_array_equal(curve.refused, [4, 2, 0])
    np.testing.assert_allclose(curve.shortfall_kwh, [14.0, 5.0, 0.0])
    np.testing.assert_allclose(curve.refused_share, [1.0, 0.5, 0.0])
    assert curve.peak_occupancy == 3  # A, B and C all plugged at hour 2 with no limit


# --- (b) refused never grows with more ports ---------------------------------------------

@pytest.mark.parametrize("power", ["observed", 6.6])
@pytest.mark.parametrize("patience", [0.0, 1800.0])
def test_refused_non_increasing_real(caltech, patience, power):
    curve = site_failure_curve(caltech, patience=patience, power_kw=power)
    assert np.all(np.diff(curve.refused) <= 0)
    assert np.all(np.diff(curve.shortfall_kwh) <= 1e-9)
    assert curve.refused[0] == curve.sessions  # no port: everyone is refused


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("patience", [0.0, 1500.0])
def test_refused_non_increasing_random(seed, patience):
    arrival, departure, need = _random_sessions(np.random.default_rng(seed), 200)
    refused, _ = occupancy_curve(arrival, departure, need, need / 6.6 * H, np.arange(0, 40),
                                 patience)
    assert refused[0] == 200
    assert np.all(np.diff(refused) <= 0)


# --- (c) enough ports: nothing refused, only the power limit is left ---------------------

@pytest.mark.parametrize("power", ["observed", 6.6])
@pytest.mark.parametrize("patience", [0.0, 900.0])
def test_enough_ports_real(caltech, patience, power):
    curve = site_failure_curve(caltech, patience=patience, power_kw=power)
    enough = curve.ports >= curve.peak_occupancy
    assert enough.any()
    assert np.all(curve.refused[enough] == 0)
    np.testing.assert_allclose(curve.shortfall_kwh[enough], curve.unlimited_shortfall_kwh)
    # One port fewer than the peak refuses someone (with no waiting): the peak is tight.
    if patience == 0.0:
        assert curve.refused[curve.ports == curve.peak_occupancy - 1][0] > 0


def test_enough_ports_observed_no_shortfall(caltech):
    # Cars with a doneChargingTime after they connect and not after they leave need
    # exactly done - connect, which fits their stay: with a port each, none is short.
    done, arrival = caltech.done_charging, caltech.arrival
    ok = (done > arrival) & (done <= caltech.departure)
    subset = _sessions(arrival[ok], caltech.departure[ok], caltech.kwh[ok],
                       caltech.station_id[ok], done[ok])
    curve = site_failure_curve(subset)
    enough = curve.ports >= curve.peak_occupancy
    assert enough.any() and curve.power_model == "observed"
    assert np.all(curve.shortfall_kwh[enough] == 0.0)
    assert curve.unlimited_shortfall_kwh == 0.0
    # On all the sessions too: no needed time is longer than its stay.
    assert site_failure_curve(caltech).unlimited_shortfall_kwh == 0.0


# Observed power, by hand (hours): station L records doneChargingTime, station F never.
#   A at L: 0 -> 2, done at 1, 6 kWh: needs 1 h (and gives L 6 kWh / 1 h = 6 kW)
#   B at L: 0.5 -> 2.25, no done, 3 kWh: needs 3 / 6 = 0.5 h at L's power
#   C at F: 2 -> 2.5, no done, 20 kWh: F's power is 20 kWh over its 0.5 h stay = 40 kW,
#           so it needs 0.5 h, all its stay
OBSERVED = _sessions(np.array([0.0, 0.5, 2.0]) * H, np.array([2.0, 2.25, 2.5]) * H,
                     [6.0, 3.0, 20.0], ["L", "L", "F"], [1.0 * H, NAN, NAN])


@pytest.mark.parametrize("ports, shortfall", [
    # 1 port, patience 2 h: A plugs at 0. B waits from 0.5; A leaves at 2 and B, first in
    # the queue, takes the port before C's arrival at 2 is handled; C waits. B is plugged
    # 2 -> 2.25, 0.25 h of its 0.5 h: 3 * (1 - 0.25 / 0.5) = 1.5 short. C gets the port
    # at 2.25, 0.25 h of its 0.5 h: 20 * (1 - 0.25 / 0.5) = 10 short.
    (1, 1.5 + 10.0),
    # 2 ports: A at 0, B at 0.5 (1.75 h >= 0.5 h), C at 2 when A leaves: nobody short.
    (2, 0.0),
])
def test_observed_hand_worked(ports, shortfall):
    curve = site_failure_curve(OBSERVED, [ports], patience=2 * H)
    assert curve.refused[0] == 0
    assert curve.shortfall_kwh[0] == pytest.approx(shortfall)
    assert curve.station_power_kw == pytest.approx({"F": 40.0, "L": 6.0})
    d = curve.to_dict()
    assert d["power_model"] == "observed" and d["station_power_kw"] == {"F": 40.0, "L": 6.0}
    assert site_failure_curve(OBSERVED, [1], power_kw=2).to_dict()["power_model"] == 2.0


@pytest.mark.parametrize("seed", range(5))
def test_enough_ports_random(seed):
    arrival, departure, need = _random_sessions(np.random.default_rng(seed), 150)
    peak = peak_occupancy(arrival, departure)
    unlimited = np.maximum(need - 6.6 * (departure - arrival) / H, 0).sum()
    for ports in (peak, peak + 3):
        refused, plugged, short = occupancy_replay(arrival, departure, need, need / 6.6 * H,
                                                   ports, 0.0)
        assert refused == 0
        np.testing.assert_array_equal(plugged, arrival)
        assert short == pytest.approx(unlimited)


# --- (d) the kernel agrees with a brute-force simulation ---------------------------------

def _brute_force(arrival, departure, need, need_s, ports, patience):
    """Step through every arrival and departure time with explicit lists (O(n^2)).

    At each time: cars that left free their ports; waiting cars out of patience (or past
    their departure) give up; cars arriving now join the end of the queue; free ports go
    to the queue in order.
    """
    n = len(arrival)
    plugged = [math.nan] * n
    gave_up, on_port, waiting = set(), [], []
    for t in sorted(set(arrival) | set(departure)):
        on_port = [j for j in on_port if departure[j] > t]
        gave_up |= {j for j in waiting if t > arrival[j] + patience or t >= departure[j]}
        waiting = [j for j in waiting if j not in gave_up]
        waiting += [j for j in range(n) if arrival[j] == t]
        while waiting and len(on_port) < ports:
            j = waiting.pop(0)
            plugged[j] = t
            on_port.append(j)
    gave_up |= set(waiting)
    short = sum(need[j] if math.isnan(plugged[j])
                else need[j] * max(0.0, 1.0 - (departure[j] - plugged[j]) / need_s[j])
                if need_s[j] > 0 else 0.0
                for j in range(n))
    return len(gave_up), np.array(plugged), short


@pytest.mark.parametrize("seed", range(8))
def test_kernel_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    arrival, departure, need = _random_sessions(rng, int(rng.integers(1, 40)))
    # Needed times of their own (as "observed" gives): 0 to 2 h, some longer than the stay.
    need_s = rng.integers(0, 13, len(arrival)) * 600.0
    for patience in (0.0, 600.0, 1500.0, 3600.0, math.inf):
        for ports in range(7):
            got = occupancy_replay(arrival, departure, need, need_s, ports, patience)
            want = _brute_force(list(arrival), list(departure), list(need), list(need_s),
                                ports, patience)
            assert got[0] == want[0], (patience, ports)
            np.testing.assert_array_equal(got[1], want[1])
            assert got[2] == pytest.approx(want[2])


# --- validation, to_dict, plot -----------------------------------------------------------

def test_validation():
    s = _sessions(HAND["arrival"], HAND["departure"], HAND["need"])
    for bad in ([-1, 2], [1.5], []):
        with pytest.raises(ValidationError):
            site_failure_curve(s, bad)
    with pytest.raises(ValidationError):
        site_failure_curve(s, patience=-1.0)
    for power in (0.0, -6.6, math.nan, "fast", None):
        with pytest.raises(ValidationError):
            site_failure_curve(s, power_kw=power)
    with pytest.raises(ValidationError):
        site_failure_curve(_sessions([0.0, 5.0], [10.0, 5.0], [1.0, 1.0]))
    with pytest.raises(ValidationError):
        site_failure_curve(_sessions([0.0], [10.0], [-1.0]))
    with pytest.raises(ValidationError):
        site_failure_curve(_sessions([], [], []))


def test_default_ports_to_dict_and_plot(caltech):
    curve = site_failure_curve(caltech)
    assert isinstance(curve, SiteCurve)
    np.testing.assert_array_equal(curve.ports, np.arange(0, 69))  # 0 .. ceil(1.5 * 45)
    d = json.loads(json.dumps(curve.to_dict()))
    assert d["chargers"] == 45 and d["sessions"] == len(caltech) and len(d["refused"]) == 69
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = curve.plot()
    assert ax.get_xlabel() == "ports"
    matplotlib.pyplot.close(ax.figure)


# --- (e) the ACN loader ------------------------------------------------------------------

def test_real_file(caltech):
    assert len(caltech) + sum(caltech.report.values()) == 3235
    assert set(caltech.report) == set(ACN_DROP_REASONS)
    assert caltech.chargers == 45  # 45 distinct stationIDs in the Caltech file
    assert np.all(np.diff(caltech.arrival) >= 0)
    assert np.all(caltech.departure > caltech.arrival)
    assert np.isnan(caltech.done_charging).sum() == 1246  # null doneChargingTime in the file
    assert np.isnan(caltech.requested_kwh).sum() == 256  # sessions with no userInputs
    # Regression on the real data (patience 0): at most 19 cars plugged at once.
    curve = site_failure_curve(caltech, [10, 20, 30, 45])
    assert curve.peak_occupancy == 19
    np.testing.assert_array_equal(curve.refused, [74, 0, 0, 0])
    # The DC fast charger records no doneChargingTime; its stays say about 42 kW.
    assert curve.station_power_kw["2-39-81-4550"] == pytest.approx(42.34, abs=0.01)
    np.testing.assert_allclose(curve.shortfall_kwh, [625.2, 0, 0, 0], atol=0.05)


def _row(sid, conn="Tue, 01 Dec 2020 13:59:06 GMT", disc="Tue, 01 Dec 2020 19:33:50 GMT",
         kwh=7.5, station="2-39-131-30", site="0002", **extra):
    row = {"sessionID": sid, "connectionTime": conn, "disconnectTime": disc,
           "doneChargingTime": None, "kWhDelivered": kwh, "stationID": station,
           "spaceID": "CA-305", "siteID": site, "userID": None, "userInputs": None}
    row.update(extra)
    return row


def _write(tmp_path, items):
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps({"_meta": {"site": "test"}, "_items": items}))
    return path


def test_handcrafted_file(tmp_path):
    items = [
        _row("late", conn="Wed, 02 Dec 2020 08:00:00 GMT", disc="Wed, 02 Dec 2020 09:00:00 GMT",
             doneChargingTime="Wed, 02 Dec 2020 08:30:00 GMT", userID="000000042",
             userInputs=[{"kWhRequested": 20.0}, {"kWhRequested": 12.5}]),
        _row("good"),
        _row("bad-time", conn="not a date"),
        _row("reversed", disc="Tue, 01 Dec 2020 12:00:00 GMT"),
        _row("bad-kwh", kwh=-1.0),
        _row("no-station", station=None),
        _row("good"),  # a second row with the same sessionID
        _row("elsewhere", site="0001"),
    ]
    with pytest.warns(DataWarning, match="dropped 6 of 8"):
        s = read_acn_sessions(_write(tmp_path, items), site="0002")
    assert s.report == {"other_site": 1, "unparseable_time": 1,
                        "departure_not_after_arrival": 1, "bad_kwh": 1,
                        "missing_station_id": 1, "duplicate_session_id": 1}
    assert list(s.session_id) == ["good", "late"]  # sorted by arrival
    first = datetime(2020, 12, 1, 13, 59, 6, tzinfo=timezone.utc).timestamp()
    assert s.arrival[0] == first and s.departure[0] - s.arrival[0] == 5 * H + 34 * 60 + 44
    np.testing.assert_array_equal(s.done_charging, [NAN, s.arrival[1] + 1800.0])
    np.testing.assert_array_equal(s.requested_kwh, [NAN, 12.5])  # latest input wins
    assert list(s.user_id) == ["", "000000042"]
    assert s.kwh.tolist() == [7.5, 7.5] and s.chargers == 1


def _at(hours):
    """Wed 2 Dec 2020 at ``hours`` past midnight, as the ACN API writes it."""
    seconds = round(hours * H)
    return f"Wed, 02 Dec 2020 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d} GMT"


def test_station_power_inference(tmp_path):
    def row(sid, station, conn, disc, kwh, done=None):
        return _row(sid, conn=_at(conn), disc=_at(disc), kwh=kwh, station=station,
                    doneChargingTime=None if done is None else _at(done))
    items = [
        # L2: done-based average powers 3, 6 and 6.6 kW; one done after disconnect counts
        # to the disconnect (6 kWh over 8 -> 9: 6 kW, not 4); the rest are left out.
        row("l1", "L2", 8, 16, 3.0, done=9), row("l2", "L2", 8, 16, 12.0, done=10),
        row("l3", "L2", 8, 16, 3.3, done=8.5), row("l4", "L2", 8, 9, 6.0, done=9.5),
        row("l5", "L2", 8, 16, 0.8, done=8 + 3 / H),  # 960 kW: a recording error
        row("l6", "L2", 8, 16, 0.0, done=9),  # drew nothing
        row("l7", "L2", 8, 16, 1.0),  # no done: L2 has done-based sessions
        # DC never records done: kWh over the stay, 40 and 20 kW.
        row("d1", "DC", 8, 8.5, 20.0), row("d2", "DC", 9, 9.25, 5.0),
        row("s1", "slow", 8, 12, 2.0, done=12),  # 0.5 kW: clipped up to 1 kW
        row("i1", "idle", 8, 9, 0.0),  # nothing to go on: the median of the others
    ]
    s = read_acn_sessions(_write(tmp_path, items))
    power = station_power_kw(s)
    l2 = np.percentile([3.0, 6.0, 6.6, 6.0], 90)
    assert list(power) == ["DC", "L2", "idle", "slow"]
    assert power == pytest.approx({"DC": np.percentile([40.0, 20.0], 90), "L2": l2,
                                   "idle": l2, "slow": 1.0})
    assert site_failure_curve(s).station_power_kw == pytest.approx(power)
    with pytest.raises(ValidationError):
        station_power_kw(_sessions([0.0], [H], [0.0]))


def test_site_filter_alone_does_not_warn(tmp_path):
    path = _write(tmp_path, [_row("a"), _row("b", site="0001")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = read_acn_sessions(path, site="0002")
    assert len(s) == 1 and s.report["other_site"] == 1


def test_all_bad_file_raises(tmp_path):
    path = _write(tmp_path, [_row("x", kwh=None), _row("y", conn=None)])
    with pytest.raises(ValidationError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        read_acn_sessions(path)

"""The travel model: metrics, the FIFO hourly speed profile, zone matrices, learning from trips."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shareopt as so
from shareopt.geo import Locations, haversine_km
from shareopt.travel import TravelModel, ZoneMatrix

HOURLY = np.array([30, 31, 32, 33, 30, 28, 22, 18, 15, 15, 16, 17,
                   17, 17, 16, 16, 15, 14, 15, 18, 21, 24, 26, 28], dtype=float)


def simulate_drive(model_speeds, depart, distance, step=0.5):
    """Drive in small time steps at the speed of the current hour: the reference answer."""
    t, left = depart, distance
    while True:
        speed = model_speeds[int(np.floor(t / 3600.0)) % 24] / 3600.0
        if speed * step >= left:
            return t + left / speed - depart
        left -= speed * step
        t += step


def test_planar_metrics_with_detour():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(100, 2)) * 5, rng.normal(size=(100, 2)) * 5
    manhattan = TravelModel("manhattan", detour=1.3).distance(a, b)
    euclidean = TravelModel("euclidean", detour=1.1).distance(a, b)
    assert np.allclose(manhattan, 1.3 * np.abs(a - b).sum(1))
    assert np.allclose(euclidean, 1.1 * np.hypot(*(a - b).T))


def test_haversine_uses_lonlat_of_geographic_places():
    lonlat_a = np.array([[-73.99, 40.75], [-73.78, 40.64]])
    lonlat_b = np.array([[-73.87, 40.77], [-73.99, 40.75]])
    a, b = Locations.from_lonlat(lonlat_a), Locations.from_lonlat(lonlat_b)
    model = TravelModel("haversine")
    assert np.allclose(model.distance(a, b), haversine_km(lonlat_a, lonlat_b))
    assert np.allclose(model.distance(lonlat_a, lonlat_b), haversine_km(lonlat_a, lonlat_b))
    with pytest.raises(ValueError, match="planar"):
        model.distance(Locations(np.zeros((1, 2))), Locations(np.ones((1, 2))))


def test_matrix_equals_pairs():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(7, 2)), rng.normal(size=(5, 2))
    model = TravelModel("euclidean", detour=1.2)
    matrix = model.distance_matrix(a, b)
    assert matrix.shape == (7, 5)
    ii, jj = np.meshgrid(np.arange(7), np.arange(5), indexing="ij")
    assert np.allclose(matrix.ravel(), model.distance(a[ii.ravel()], b[jj.ravel()]))
    assert np.allclose(np.diag(model.distance_matrix(a)), 0.0)


def test_constant_speed_time():
    model = TravelModel("manhattan", speed_kmh=20.0)
    assert np.allclose(model.drive_time([10.0, 0.0], [5000.0, 0.0]), [1800.0, 0.0])
    assert np.isnan(model.drive_time([-1.0])[0])


@settings(max_examples=60, deadline=None)
@given(st.floats(-86400.0, 3 * 86400.0), st.floats(0.0, 60.0))
def test_hourly_time_matches_simulation(depart, distance):
    model = TravelModel("manhattan", speed_kmh=HOURLY)
    got = model.drive_time([distance], [depart])[0]
    assert got == pytest.approx(simulate_drive(HOURLY, depart, distance), abs=1.0)


def test_multi_day_drive_skips_whole_days():
    model = TravelModel("manhattan", speed_kmh=HOURLY)
    km_per_day = HOURLY.sum()
    one = model.drive_time([7.0], [3600.0 * 5.5])[0]
    three_days_more = model.drive_time([7.0 + 3 * km_per_day], [3600.0 * 5.5])[0]
    assert three_days_more == pytest.approx(one + 3 * 86400.0)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 86400.0 * 2), st.floats(0.0, 7200.0), st.floats(0.01, 80.0))
def test_fifo_leaving_later_never_arrives_earlier(depart, later_by, distance):
    model = TravelModel("manhattan", speed_kmh=HOURLY)
    first = depart + model.drive_time([distance], [depart])[0]
    second = depart + later_by + model.drive_time([distance], [depart + later_by])[0]
    assert second >= first - 1e-6


def test_travel_time_uses_hour_of_departure():
    model = TravelModel("manhattan", speed_kmh=HOURLY)
    a, b = np.zeros((2, 2)), np.array([[3.0, 0.0], [3.0, 0.0]])
    night, rush = model.travel_time(a, b, [3 * 3600.0, 8 * 3600.0])
    assert night == pytest.approx(3 / 33 * 3600) and rush == pytest.approx(3 / 15 * 3600)


def test_zone_matrix_overrides_metric_and_nan_falls_back():
    distance = np.array([[0.5, 4.0], [np.nan, 0.7]])
    time = np.array([[120.0, 900.0], [np.nan, 150.0]])
    model = TravelModel("manhattan", speed_kmh=20.0,
                        zone_matrix=ZoneMatrix(distance, time, np.ones((2, 2), int)))
    xy = np.array([[0.0, 0.0], [1.0, 1.0]])
    a = Locations(xy, zone=[0, 1])
    b = Locations(xy[::-1].copy(), zone=[1, 0])
    assert list(model.distance(a, b)) == [4.0, 2.0]  # 1 -> 0 unknown: metric 2 km
    assert list(model.travel_time(a, b)) == [900.0, 360.0]
    no_zone = Locations(xy[::-1].copy(), zone=[-1, -1])
    assert list(model.distance(a, no_zone)) == [2.0, 2.0]
    # A zone the matrix never saw (learned from other data) falls back to the metric too.
    assert list(model.distance(a, Locations(xy[::-1].copy(), zone=[7, 0]))) == [2.0, 2.0]


@pytest.mark.parametrize("distance, time, match", [
    (-np.ones((2, 2)), np.ones((2, 2)), ">= 0"),
    (np.ones((2, 3)), np.ones((2, 3)), "square"),
    (np.array([[1.0, np.nan], [1, 1]]), np.ones((2, 2)), "not both"),
    (np.full((2, 2), np.inf), np.ones((2, 2)), "finite"),
])
def test_bad_zone_matrix(distance, time, match):
    with pytest.raises(ValueError, match=match):
        TravelModel(zone_matrix=ZoneMatrix(distance, time, np.ones(distance.shape, int)))


@pytest.mark.parametrize("kwargs, match", [
    (dict(metric="chebyshev"), "unknown metric"),
    (dict(detour=0.0), "detour"),
    (dict(detour=float("nan")), "detour"),
    (dict(speed_kmh=[20.0] * 5), "24"),
    (dict(speed_kmh=-5.0), "speed"),
])
def test_bad_model_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TravelModel(**kwargs)


def test_bad_point_shapes():
    model = TravelModel()
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        model.distance(np.zeros((3, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="length"):
        model.distance(np.zeros((3, 2)), np.zeros((2, 2)))


def test_pickle_round_trip():
    matrix = ZoneMatrix(np.ones((3, 3)), np.full((3, 3), 60.0), np.ones((3, 3), int))
    model = TravelModel("euclidean", detour=1.25, speed_kmh=HOURLY, zone_matrix=matrix)
    clone = pickle.loads(pickle.dumps(model))
    a = Locations(np.zeros((2, 2)), zone=[0, -1])
    b = Locations(np.ones((2, 2)), zone=[2, 1])
    assert np.array_equal(clone.travel_time(a, b, 5000.0), model.travel_time(a, b, 5000.0))
    assert clone.to_dict() == model.to_dict()


def test_learning_recovers_a_known_model():
    """Trips generated by a known model (short, inside one hour) give back its parameters."""
    rng = np.random.default_rng(5)
    n = 24 * 200
    truth = TravelModel("manhattan", detour=1.3, speed_kmh=HOURLY)
    pickup = rng.uniform(-5, 5, size=(n, 2))
    dropoff = pickup + rng.uniform(-1.5, 1.5, size=(n, 2))
    depart = np.repeat(np.arange(24), 200) * 3600.0 + rng.uniform(0, 60, n)
    duration = truth.travel_time(pickup, dropoff, depart)
    orders = so.Orders(np.arange(n), depart, depart + duration, pickup, dropoff, np.ones(n),
                       distance=truth.distance(pickup, dropoff), strict=True)
    learned = TravelModel.from_trips(orders, metric="manhattan")
    assert learned.detour == pytest.approx(1.3)
    assert np.allclose(learned.speeds_kmh, HOURLY)


def test_zone_matrix_learning_matches_brute_force():
    rng = np.random.default_rng(2)
    n = 3000
    pz, dz = rng.integers(0, 6, n), rng.integers(0, 6, n)
    dist, dur = rng.uniform(0.1, 9, n), rng.uniform(60, 1800, n)
    learned = ZoneMatrix.learn(pz, dz, dist, dur, min_trips=90)
    for i in range(6):
        for j in range(6):
            pick = (pz == i) & (dz == j)
            assert learned.trips[i, j] == pick.sum()
            if pick.sum() >= 90:
                assert learned.distance_km[i, j] == pytest.approx(np.median(dist[pick]))
                assert learned.time_s[i, j] == pytest.approx(np.median(dur[pick]))
            elif i != j:
                assert np.isnan(learned.distance_km[i, j])
    # The diagonal is never left NaN when intra-zone trips exist: the metric would say 0.
    assert not np.isnan(np.diag(learned.distance_km)).any()


def test_learning_from_real_zone_trips(tlc_2021):
    model = TravelModel.from_trips(tlc_2021, min_trips=5)
    assert model.zone_matrix is not None and model.zone_matrix.n_pairs > 10
    assert 0.8 < model.detour < 2.0
    assert np.all((model.speeds_kmh > 5) & (model.speeds_kmh < 80))
    seen = model.zone_matrix.trips >= 5
    i, j = np.nonzero(seen)
    a = Locations(np.zeros((len(i), 2)), zone=i)
    b = Locations(np.zeros((len(i), 2)), zone=j)
    assert np.array_equal(model.distance(a, b), model.zone_matrix.distance_km[i, j])

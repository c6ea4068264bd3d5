"""Travel model kernels against numpy and scipy doing the same arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from scipy.spatial.distance import cdist
from shareopt import TravelModel
from shareopt.data.synthetic import NYC_HOURLY_SPEED_KMH

ROUNDS = 9


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(0)
    return rng.normal(size=(1_000_000, 2)) * 4.0, rng.normal(size=(1_000_000, 2)) * 4.0


@case("travel: 1M pair distances (manhattan)", size=1_000_000, unit="pairs", series="shareopt distance", quick=True)
def test_ours_pair_distance(benchmark, points):
    model = TravelModel("manhattan")
    a, b = points
    out = benchmark.pedantic(model.distance, args=(a, b), rounds=ROUNDS, iterations=1)
    assert np.allclose(out[:10], np.abs(a[:10] - b[:10]).sum(1))


@case("travel: 1M pair distances (manhattan)", size=1_000_000, unit="pairs", series="numpy distance", quick=True)
def test_peer_numpy_pair_distance(benchmark, points):
    a, b = points
    out = benchmark.pedantic(lambda: np.abs(a - b).sum(axis=1), rounds=ROUNDS, iterations=1)
    assert np.allclose(out[:10], TravelModel("manhattan").distance(a[:10], b[:10]))


@case("travel: 2000x2000 distance matrix (manhattan)",
      size=4_000_000, unit="pairs", series="shareopt distance_matrix", quick=True)
def test_ours_matrix(benchmark, points):
    model = TravelModel("manhattan")
    a = points[0][:2000]
    out = benchmark.pedantic(model.distance_matrix, args=(a,), rounds=ROUNDS, iterations=1)
    assert out.shape == (2000, 2000)


@case("travel: 2000x2000 distance matrix (manhattan)", size=4_000_000, unit="pairs", series="scipy cdist", quick=True)
def test_peer_scipy_cdist(benchmark, points):
    a = points[0][:2000]
    out = benchmark.pedantic(cdist, args=(a, a), kwargs={"metric": "cityblock"}, rounds=ROUNDS,
                             iterations=1)
    assert np.allclose(out[:5], TravelModel("manhattan").distance_matrix(a)[:5])


@case("travel: 1M hourly (FIFO) travel times",
      size=1_000_000, unit="pairs", series="shareopt travel_time (FIFO)", quick=True)
def test_ours_hourly_times(benchmark, points):
    model = TravelModel("manhattan", speed_kmh=NYC_HOURLY_SPEED_KMH)
    a, b = points
    depart = np.linspace(0, 86400, len(a))
    out = benchmark.pedantic(model.travel_time, args=(a, b, depart), rounds=ROUNDS, iterations=1)
    assert out.shape == (len(a),) and np.all(out >= 0)


@case("travel: 1M hourly (FIFO) travel times",
      size=1_000_000, unit="pairs", series="numpy, departure-hour speed", quick=True)
def test_peer_numpy_departure_hour_speed(benchmark, points):
    """Speed of the departure hour only (not FIFO): the usual numpy shortcut."""
    a, b = points
    depart = np.linspace(0, 86400, len(a))

    def numpy_times():
        hour = (depart // 3600).astype(int) % 24
        return np.abs(a - b).sum(axis=1) / NYC_HOURLY_SPEED_KMH[hour] * 3600.0

    out = benchmark.pedantic(numpy_times, rounds=ROUNDS, iterations=1)
    assert out.shape == (len(a),) and np.all(out >= 0)

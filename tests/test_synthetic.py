"""Synthetic generators: seeded, valid, and shaped like the data they imitate."""

from __future__ import annotations

import numpy as np
import pytest

import shareopt as so
from shareopt.data.synthetic import NYC_HOURLY_PROFILE


def test_same_seed_same_table_other_seed_other_table():
    a = so.synthetic_orders(2000, seed=11)
    b = so.synthetic_orders(2000, seed=11)
    c = so.synthetic_orders(2000, seed=12)
    for name in ("pickup_time", "dropoff_time", "pickup_xy", "dropoff_xy", "revenue", "distance"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.pickup_xy, c.pickup_xy)
    generator = np.random.default_rng(11)
    assert np.array_equal(so.synthetic_orders(2000, seed=generator).revenue, a.revenue)


def test_nyc_like_day(day_orders):
    orders = day_orders
    assert len(orders) == 20_000 and orders.report.n_dropped == 0
    assert np.all(np.diff(orders.pickup_time) >= 0) and (orders.pickup_time < 86400).all()
    hours = np.bincount((orders.pickup_time // 3600).astype(int), minlength=24) / len(orders)
    assert np.abs(hours - NYC_HOURLY_PROFILE).max() < 0.01
    assert hours[4] < hours[8] < hours[19]
    assert 1.8 < np.median(orders.distance) < 3.5                 # km, NYC median ~1.6 mi
    assert 5 * 60 < np.median(orders.duration) < 15 * 60
    assert (orders.distance > 15).mean() > 0.005                  # airport runs
    manhattan_lonlat = orders.pickups.lonlat
    assert 40.70 < np.median(manhattan_lonlat[:, 1]) < 40.80
    assert (orders.revenue >= 2.5).all()


def test_xy_places_and_bad_arguments():
    orders = so.synthetic_orders(100, seed=0, places="xy")
    assert orders.projection is None
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            so.synthetic_orders(bad)
    with pytest.raises(ValueError, match="places"):
        so.synthetic_orders(10, places="utm")


def test_stations():
    stations = so.synthetic_stations(400, seed=2, fill=0.5, imbalance=0.3)
    again = so.synthetic_stations(400, seed=2, fill=0.5, imbalance=0.3)
    assert np.array_equal(stations.bikes, again.bikes)
    assert len(stations) == 400 and stations.report.n_dropped == 0
    assert ((stations.bikes >= 0) & (stations.bikes <= stations.capacity)).all()
    assert 0.4 < stations.fill < 0.6
    share = stations.bikes / stations.capacity
    assert share.std() > 0.15  # unbalanced, so there is something to rebalance
    even = so.synthetic_stations(400, seed=2, fill=0.5, imbalance=0.0)
    assert (even.bikes / even.capacity).std() < share.std()
    with pytest.raises(ValueError, match="fill"):
        so.synthetic_stations(10, fill=1.5)

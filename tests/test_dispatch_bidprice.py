"""Bid prices in the dispatcher: the value grid against a direct computation from the plan's
potentials, decisions against the brute force with the same prices, the index against its
exhaustive scan, snapshots, and bad prices."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_dispatch import KW, as_dict, assert_index_matches_exhaustive, brute_force, split_day

import shareopt as so
from shareopt._bidprice import vehicle_values
from shareopt.dispatch import Dispatcher
from shareopt.travel import TravelModel

WEIGHT = 0.75


def grid_of(plan, reserved, travel, max_idle=KW["max_idle"]):
    return vehicle_values(plan, reserved, lambda places: places.xy, travel,
                          KW["deadhead_cost_per_km"], horizon_s=max_idle)


def value_at(grid: dict, place, t: float) -> float:
    """The C++ BidPrices::at rule, in Python: weight x value of the cell and bucket."""
    values = grid["values"]
    nt, ny, nx = values.shape
    b = math.floor((t - grid["t0"]) / grid["bucket_s"])
    if b >= nt:
        return 0.0
    c = min(max(math.floor((place[0] - grid["x0"]) / grid["side"]), 0), nx - 1)
    r = min(max(math.floor((place[1] - grid["y0"]) / grid["side"]), 0), ny - 1)
    return WEIGHT * float(values[max(b, 0), r, c])


@pytest.mark.parametrize("max_idle", [1800.0, None])
def test_the_value_grid_is_the_best_later_pickup_price_less_the_deadhead(max_idle):
    reserved, _, _ = split_day(300, 4)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    plan = so.solve_trip_chains(reserved, travel=travel, **dict(KW, max_idle=max_idle))
    grid = grid_of(plan, reserved, travel, max_idle)
    values = grid["values"]
    nt, ny, nx = values.shape
    price = plan.potentials[:, 0]
    assert price.max() <= KW["vehicle_cost"] + 1e-9 and price.max() > 0  # a start costs a vehicle
    bucket = np.floor((reserved.pickup_time - grid["t0"]) / grid["bucket_s"]).astype(int)
    rng = np.random.default_rng(1)
    for _ in range(200):
        b, r, c = rng.integers(nt), rng.integers(ny), rng.integers(nx)
        centre = np.array([grid["x0"] + (c + 0.5) * grid["side"], grid["y0"] + (r + 0.5) * grid["side"]])
        later = bucket > b
        if max_idle is not None:
            later &= bucket <= b + math.ceil(max_idle / grid["bucket_s"])
        km = np.abs(reserved.pickup_xy[later] - centre).sum(axis=1)
        expected = max(0.0, float((price[later] - KW["deadhead_cost_per_km"] * km).max())) if later.any() else 0.0
        assert values[b, r, c] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_decisions_with_bid_prices_equal_the_brute_force(seed):
    reserved, realtime, rng = split_day(200, seed)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    plan = so.solve_trip_chains(reserved, travel=travel, **KW)
    dispatcher = Dispatcher(plan, reserved, travel=travel, policy="always", bid_prices=WEIGHT, **KW)
    grid = grid_of(plan, reserved, travel)
    table = [as_dict(reserved, i) for i in range(len(reserved))]
    moved = 0
    for i in range(len(realtime)):
        new = as_dict(realtime, i)
        request = new["pickup_time"] - float(rng.uniform(0, 1800))
        options = brute_force(dispatcher, table, new, request, KW, travel,
                              value=lambda place, t: value_at(grid, place, t))
        plain = min(brute_force(dispatcher, table, new, request, KW, travel))
        decision = dispatcher.offer(new, request)
        score, vehicle, position, cost = options[0]
        assert decision.marginal_cost == pytest.approx(cost, abs=1e-9)
        if len(options) == 1 or options[1][0] > score + 1e-7:
            assert (decision.vehicle, decision.position) == (vehicle, position)
        moved += (vehicle, position) != plain[1:3]
        table.append(new)
    assert moved > 0  # the prices changed some placements


def test_the_index_with_bid_prices_finds_what_the_exhaustive_scan_finds():
    orders = so.synthetic_orders(1400, seed=9, places="xy")
    orders.revenue = 4.0 * orders.distance
    rng = np.random.default_rng(9)
    chosen = rng.random(len(orders)) < 0.4
    reserved, realtime = orders.take(np.flatnonzero(chosen)), orders.take(np.flatnonzero(~chosen))
    plan = so.solve_trip_chains(reserved, **KW)
    dispatcher = Dispatcher(plan, reserved, bid_prices=1.0, **KW)
    assert_index_matches_exhaustive(dispatcher, realtime, rng)


def test_snapshot_keeps_the_bid_prices():
    reserved, realtime, rng = split_day(600, 3)
    plan = so.solve_trip_chains(reserved, **KW)
    first = Dispatcher(plan, reserved, bid_prices=WEIGHT, **KW)
    plain = Dispatcher(plan, reserved, **KW)
    half = len(realtime) // 2
    request = realtime.pickup_time - rng.uniform(0, 900, len(realtime))
    first.offer_many(realtime.take(np.arange(half)), request[:half])
    plain.offer_many(realtime.take(np.arange(half)), request[:half])
    second = Dispatcher.restore(first.snapshot())
    assert second._core.bid_price_weight == WEIGHT
    rest = realtime.take(np.arange(half, len(realtime)))
    a, b = first.offer_many(rest, request[half:]), second.offer_many(rest, request[half:])
    for field in ("reason", "vehicle", "position", "marginal_cost", "order"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert first.snapshot() == second.snapshot() != plain.snapshot()


def test_bad_bid_prices_are_refused():
    reserved, _, _ = split_day(200, 1)
    plan = so.solve_trip_chains(reserved, **KW)
    with pytest.raises(ValueError, match="TripChainSolution"):
        Dispatcher(plan.chains, reserved, bid_prices=1.0, **KW)
    for weight in (-1.0, 1.5, math.nan):
        with pytest.raises(ValueError, match="weight"):
            Dispatcher(plan, reserved, bid_prices=weight, **KW)
    with pytest.raises(ValueError, match="plan of these orders"):
        Dispatcher(plan, reserved.take(np.arange(len(reserved) - 1)), bid_prices=1.0, **KW)
    core = Dispatcher(plan, reserved, **KW)._core
    good = dict(values=np.ones((2, 3, 4)), x0=0.0, y0=0.0, side=1.0, t0=0.0, bucket_s=900.0, weight=1.0)
    core.set_bid_prices(**good)
    for change, match in [(dict(values=np.full((2, 3, 4), np.nan)), "value 0"),
                          (dict(values=-np.ones((2, 3, 4))), "value 0"),
                          (dict(values=np.ones((0, 3, 4))), "at least one"),
                          (dict(side=0.0), "side"), (dict(bucket_s=math.inf), "bucket"),
                          (dict(weight=math.nan), "weight"), (dict(weight=2.0), "weight"),
                          (dict(x0=math.nan), "origin")]:
        with pytest.raises(ValueError, match=match):
            core.set_bid_prices(**dict(good, **change))
    with pytest.raises(ValueError, match="nt, ny, nx"):
        core.set_bid_prices(**dict(good, values=np.ones((3, 4))))

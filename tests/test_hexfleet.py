"""Fleet distribution on H3 cells: demand tables, the recourse flow, the SAA against brute force."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest
import shareopt as so
from shareopt._hexfleet_model import (
    build_network,
    solve_recourse,
    solve_saa_benders,
    solve_saa_highs,
)
from shareopt.exceptions import ValidationError
from shareopt.flow import min_cost_flow
from shareopt.hexfleet import (
    car_trip_probability,
    evaluate_plan,
    hex_demand,
    plan_fleet,
    proportional_plan,
    sample_scenarios,
    simulate_plan,
)

# Three places in Manhattan, each in its own resolution-7 cell.
PLACES = np.array([[-73.985, 40.758], [-73.955, 40.800], [-74.010, 40.710]])


def tiny_orders(seed=0, n=120):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, n)
    b = (a + rng.integers(1, 3, n)) % 3
    start = np.sort(rng.uniform(0, 86_400, n))
    end = start + rng.uniform(300, 5_000, n)
    return so.Orders(np.arange(n), start, end, PLACES[a], PLACES[b], rng.uniform(5, 30, n), crs="lonlat")


@pytest.fixture(scope="module")
def tiny():
    return hex_demand(tiny_orders(), resolution=7, periods=2, fuel_per_step=0.5, maintenance=1.0)


@pytest.fixture(scope="module")
def nyc(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        orders = so.read_orders(shared_data / "nyc" / "yellow_tripdata_2021-01-01_head.csv", date="2021-01-01")
    return hex_demand(orders, resolution=7, periods=6)


def network_of(demand, **kwargs):
    return build_network(demand.od_origin, demand.od_period, demand.od_dest, demand.od_arrive, demand.od_gain,
                         demand.maintenance, demand.periods, **kwargs)


def test_demand_table(tiny):
    assert tiny.n_cells == 3 and tiny.days == 1
    assert tiny.rate.sum() == pytest.approx(120)
    prob_sum = np.add.reduceat(tiny.od_prob, tiny.od_offsets[:-1][np.diff(tiny.od_offsets) > 0])
    np.testing.assert_allclose(prob_sum, 1.0)
    assert np.all(tiny.od_arrive >= tiny.od_period + 1)
    assert np.all(tiny.od_steps >= 1) and np.all(tiny.od_dest != tiny.od_origin)
    # Fare learned from revenue: revenue over hex steps of the trips, per period.
    assert np.all(tiny.fare_per_step > 0)


def test_recourse_matches_highs(tiny):
    net = network_of(tiny)
    counts = sample_scenarios(tiny, 3, seed=4)
    cars = np.array([2, 1, 1])
    for s in range(3):
        ours = solve_recourse(net, cars, counts[s])
        tail, head, upper, cost, _ = net.arcs(counts[s])
        ref = min_cost_flow(net.n_nodes, tail, head, cost / 100.0, net.supplies(cars), upper=upper, method="highs")
        assert ours.profit == pytest.approx(-ref.objective, abs=1e-6)


def test_car_balance_every_period(tiny):
    net = network_of(tiny)
    counts = sample_scenarios(tiny, 5, seed=2)
    cars = np.array([3, 0, 2])
    for s in range(5):
        r = solve_recourse(net, cars, counts[s], with_free=True)
        served = r.served
        assert np.all(served <= counts[s])
        # Cars free at the start of each period + cars on the road = the fleet.
        for t in range(tiny.periods + 1):
            on_road = served[(tiny.od_period < t) & (np.minimum(tiny.od_arrive, tiny.periods) > t)].sum()
            assert r.free[t].sum() + on_road == cars.sum()
    cyclic = network_of(tiny, cyclic=True)
    r = solve_recourse(cyclic, cars, counts[0], with_free=True)
    np.testing.assert_array_equal(r.free[tiny.periods], cars)


def test_gradient_bounds_every_move(tiny):
    # The potentials give a supergradient: moving one car never does better than it says.
    net = network_of(tiny)
    counts = sample_scenarios(tiny, 1, seed=9)[0]
    cars = np.array([2, 2, 1])
    base = solve_recourse(net, cars, counts)
    for a, b in itertools.permutations(range(3), 2):
        moved = cars.copy()
        moved[a] -= 1
        moved[b] += 1
        after = solve_recourse(net, moved, counts).profit
        assert after <= base.profit + base.gradient[b] - base.gradient[a] + 1e-9


@pytest.mark.parametrize("cyclic", [False, True])
def test_saa_equals_brute_force(tiny, cyclic):
    net = network_of(tiny, cyclic=cyclic)
    counts = sample_scenarios(tiny, 6, seed=1)
    fleet = 4
    values = {}
    for x in itertools.product(range(fleet + 1), repeat=3):
        if sum(x) == fleet:
            values[x] = evaluate_plan(net, np.array(x), counts).mean
    best = max(values.values())
    for relax_first in (True, False):  # the relaxation's answer, and the MIP itself
        saa = solve_saa_highs(net, counts, fleet, relax_first=relax_first, mip_gap=0.0)
        assert saa.proven and saa.profit == pytest.approx(best, abs=1e-6) and saa.bound >= best - 1e-6
        assert values[tuple(saa.cars)] == pytest.approx(best, abs=1e-6)
    relaxed = solve_saa_highs(net, counts, fleet, integer=False)
    assert relaxed.profit >= best - 1e-6
    result = solve_saa_benders(net, counts, fleet, [np.array([4, 0, 0])])
    assert result.proven and result.lower == pytest.approx(best, abs=1e-6)
    assert result.upper >= best - 1e-6


def test_plan_beats_the_baseline_in_sample(nyc):
    plan = plan_fleet(nyc, 300, scenarios=8, test_scenarios=30, seed=3)
    assert plan.proven and plan.method == "highs"
    assert plan.cars.sum() == 300 and np.all(plan.cars >= 0)
    assert plan.in_sample >= plan.in_sample_baseline
    np.testing.assert_array_equal(plan.baseline, proportional_plan(nyc, 300))
    summary = plan.to_dict()
    for key in ("cells", "periods", "scenarios", "fleet", "expected_profit", "baseline_profit",
                "improvement_pct", "ci_low", "ci_high", "served_share", "time_s"):
        assert key in summary
    assert summary["ci_low"] <= summary["expected_profit"] <= summary["ci_high"]
    again = plan_fleet(nyc, 300, scenarios=8, test_scenarios=30, seed=3)
    np.testing.assert_array_equal(again.cars, plan.cars)


def test_benders_agrees_with_highs(nyc):
    net = network_of(nyc)
    counts = sample_scenarios(nyc, 4, seed=5)
    profit = solve_saa_highs(net, counts, 120, mip_gap=0.0).profit
    result = solve_saa_benders(net, counts, 120, [proportional_plan(nyc, 120)], time_limit=5)
    assert result.upper >= profit - 1e-6  # a valid bound
    assert result.lower <= profit + 1e-6
    if result.proven:
        assert result.lower == pytest.approx(profit, rel=1e-6)  # proven: within the 1e-6 gap


def test_relocations_never_hurt(tiny):
    counts = sample_scenarios(tiny, 4, seed=6)
    cars = np.array([4, 0, 0])
    plain = evaluate_plan(network_of(tiny), cars, counts).mean
    from shareopt.hexfleet import _neighbours

    moving = network_of(tiny, neighbours=_neighbours(tiny.cells), relocation_cost=0.0)
    assert evaluate_plan(moving, cars, counts).mean >= plain - 1e-9


def test_bad_input(tiny):
    with pytest.raises(ValidationError, match="fleet"):
        plan_fleet(tiny, 0)
    with pytest.raises(ValidationError, match="method"):
        plan_fleet(tiny, 3, method="cplex")
    with pytest.raises(ValidationError, match="scenarios"):
        sample_scenarios(tiny, 0)
    xy = so.Orders(np.arange(2), [0.0, 10.0], [60.0, 70.0], [[0, 0], [1, 1]], [[1, 1], [0, 0]], [1.0, 1.0])
    with pytest.raises(ValidationError, match="geographic"):
        hex_demand(xy)
    with pytest.raises(ValidationError, match="periods"):
        hex_demand(tiny_orders(), periods=0)


def test_stray_days_are_left_out_with_a_warning(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        orders = so.read_orders(shared_data / "nyc" / "yellow_tripdata_2021-01-01_head.csv")  # no --date
    with pytest.warns(so.DataWarning, match="17 of 21,892 trips"):
        demand = hex_demand(orders, resolution=7, periods=6)
    assert demand.days == 1 and demand.rate.sum() == pytest.approx(21_875)
    # One calendar day read with a cycle starting at 6 am is still one cycle.
    assert hex_demand(tiny_orders(), resolution=7, periods=2, start_hour=6).days == 1
    assert hex_demand(tiny_orders(), resolution=7, periods=2, days=4).rate.sum() == pytest.approx(30)


def test_time_limit_falls_back_to_the_baseline(nyc):
    plan = plan_fleet(nyc, 300, scenarios=8, test_scenarios=10, method="highs", time_limit=1e-4)
    assert not plan.proven and plan.fallback is not None
    np.testing.assert_array_equal(plan.cars, plan.baseline)
    summary = plan.to_dict()
    json.dumps(summary, allow_nan=False)  # strict JSON
    assert summary["fallback"] == plan.fallback


def test_more_bad_input(tiny):
    with pytest.raises(ValidationError, match="baseline_period"):
        plan_fleet(tiny, 3, baseline_period=2)
    with pytest.raises(ValidationError, match="relocation_cost"):
        plan_fleet(tiny, 3, relocation_cost=-1.0)
    with pytest.raises(ValidationError, match="test_scenarios"):
        plan_fleet(tiny, 3, test_scenarios=1)
    with pytest.raises(ValidationError, match="whole numbers"):
        evaluate_plan(network_of(tiny), np.array([1.5, 1.5, 1.0]), sample_scenarios(tiny, 2))


def test_plan_by_benders_matches_highs(tiny):
    by_highs = plan_fleet(tiny, 4, scenarios=12, test_scenarios=10, seed=8, method="highs")
    by_benders = plan_fleet(tiny, 4, scenarios=12, test_scenarios=10, seed=8, method="benders")
    assert by_benders.method == "benders" and by_benders.proven
    assert by_benders.in_sample == pytest.approx(by_highs.in_sample, rel=1e-6)
    assert by_benders.bound >= by_highs.in_sample - 1e-6


def test_car_driven_simulation_of_a_plan(tiny):
    cars = proportional_plan(tiny, 6)
    chance = car_trip_probability(tiny, 6)
    assert chance.shape == tiny.rate.shape and np.all((chance >= 0) & (chance <= 1))
    first = simulate_plan(tiny, cars, 300, seed=4)
    again = simulate_plan(tiny, cars, 300, seed=4)
    np.testing.assert_array_equal(first.profit, again.profit)  # same seed, same days
    assert not np.array_equal(first.profit, simulate_plan(tiny, cars, 300, seed=5).profit)
    # No car ever moves: no trips and only upkeep, whatever the cars.
    idle = simulate_plan(tiny, cars, 20, seed=4, trip_probability=np.zeros_like(chance))
    assert np.all(idle.served == 0)
    np.testing.assert_allclose(idle.profit, -(cars * tiny.maintenance).sum() * tiny.periods)
    # Every free car always drives: the trips made each period are all the free cars.
    busy = simulate_plan(tiny, cars, 20, seed=4, trip_probability=np.ones_like(chance))
    assert np.all(busy.served >= cars.sum())
    with pytest.raises(ValidationError, match="trip_probability"):
        simulate_plan(tiny, cars, 5, trip_probability=np.full_like(chance, 1.5))
    with pytest.raises(ValidationError, match="cars"):
        simulate_plan(tiny, cars[:-1], 5)

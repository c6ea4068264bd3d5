"""Bike rebalancing: exact against independent solves, invariants, infeasibility, bad input."""

from __future__ import annotations

import importlib.util
import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize

import shareopt as so
import shareopt.rebalance as rebalance_module
from shareopt._bands import bands_at, net_ranges, sweep_alpha, why_infeasible
from shareopt.exceptions import InfeasibleError, ValidationError
from shareopt.rebalance import BandsInfeasibleError, rebalance

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def random_stations(rng, n, places="xy", span=5.0, max_docks=30) -> so.Stations:
    capacity = rng.integers(1, max_docks + 1, n)
    bikes = rng.binomial(capacity, rng.uniform(0.0, 1.0, n))
    xy = rng.uniform(0.0, span, (n, 2)).round(3)
    return so.Stations(np.arange(100, 100 + n), xy, capacity, bikes)


def check_plan(plan, stations, give=None, take=None, max_moved=None):
    """Invariants every plan must hold."""
    assert plan.final_bikes.sum() == stations.bikes.sum()                       # conservation
    assert np.all(plan.final_bikes >= plan.lower) and np.all(plan.final_bikes <= plan.upper)
    assert np.all(plan.final_bikes >= 0) and np.all(plan.final_bikes <= stations.capacity)
    assert np.all(plan.transfer_bikes > 0) and np.all(plan.transfer_from != plan.transfer_to)
    assert plan.transfer_bikes.dtype.kind == "i"                                  # whole bikes
    final = stations.bikes.copy()
    np.subtract.at(final, plan.transfer_from, plan.transfer_bikes)
    np.add.at(final, plan.transfer_to, plan.transfer_bikes)
    assert np.array_equal(final, plan.final_bikes)
    # No station both gives and takes (a route through a third station is never cheaper).
    assert not set(plan.transfer_from.tolist()) & set(plan.transfer_to.tolist())
    km = np.abs(stations.xy[plan.transfer_from] - stations.xy[plan.transfer_to]).sum(axis=1)
    if plan.metric == "manhattan":
        assert np.allclose(plan.transfer_km, km)
    assert plan.cost == pytest.approx(float(np.dot(plan.transfer_bikes, plan.transfer_km + plan.handling_cost)))
    if give is not None:
        assert give[plan.transfer_from].all()
    if take is not None:
        assert take[plan.transfer_to].all()
    if max_moved is not None:
        assert plan.bikes_moved <= max_moved


def transport_cost(xy, initial, final, handling=0.0) -> float:
    """Least cost of turning initial into final (scipy linprog on the transportation LP)."""
    delta = final - initial
    givers, takers = np.flatnonzero(delta < 0), np.flatnonzero(delta > 0)
    if not len(givers):
        return 0.0
    cost = (np.abs(xy[givers][:, None, :] - xy[takers][None, :, :]).sum(axis=2) + handling).ravel()
    g, t = len(givers), len(takers)
    a_eq = np.zeros((g + t, g * t))
    for a in range(g):
        a_eq[a, a * t:(a + 1) * t] = 1.0
    for b in range(t):
        a_eq[g + b, b::t] = 1.0
    result = scipy.optimize.linprog(cost, A_eq=a_eq, b_eq=np.concatenate([-delta[givers], delta[takers]]),
                                    bounds=(0, None), method="highs")
    assert result.status == 0
    return float(result.fun)


def brute_force(stations, alpha, handling=0.0, give=None, take=None, max_moved=None):
    """Every integer final state in the bands (with the same restrictions), each priced by an
    independent transportation LP; the cheapest."""
    bands = bands_at(stations.bikes, stations.capacity, alpha)
    n = len(stations)
    give = np.ones(n, bool) if give is None else give
    take = np.ones(n, bool) if take is None else take
    low, high = net_ranges(stations.bikes, bands, give, take)
    best = None
    for delta in itertools.product(*[range(int(lo), int(hi) + 1) for lo, hi in zip(low, high)]):
        delta = np.array(delta)
        if delta.sum() != 0 or (max_moved is not None and delta[delta > 0].sum() > max_moved):
            continue
        cost = transport_cost(stations.xy, stations.bikes, stations.bikes + delta, handling)
        best = cost if best is None else min(best, cost)
    return best


def test_brute_force_on_tiny_systems():
    rng = np.random.default_rng(5)
    checked = 0
    while checked < 25:
        stations = random_stations(rng, int(rng.integers(2, 6)), max_docks=5)
        alpha = float(rng.choice([0.0, 0.05, 0.1, 0.2, 0.3]))
        handling = float(rng.choice([0.0, 0.5]))
        give = rng.random(len(stations)) < 0.85
        take = rng.random(len(stations)) < 0.85
        max_moved = None if rng.random() < 0.6 else int(rng.integers(0, 5))
        expected = brute_force(stations, alpha, handling, give, take, max_moved)
        if expected is None:
            with pytest.raises(BandsInfeasibleError):
                rebalance(stations, alpha, handling_cost=handling, can_give=give, can_take=take,
                          max_bikes_moved=max_moved)
            continue
        plan = rebalance(stations, alpha, handling_cost=handling, can_give=give, can_take=take,
                         max_bikes_moved=max_moved)
        assert plan.cost == pytest.approx(expected, abs=1e-6)
        check_plan(plan, stations, give, take, max_moved)
        checked += 1


@pytest.mark.parametrize("seed", range(12))
def test_network_equals_highs(seed):
    rng = np.random.default_rng(seed)
    stations = random_stations(rng, int(rng.integers(5, 60)))
    alpha = float(rng.uniform(0.0, 0.3))
    kwargs = dict(handling_cost=float(rng.choice([0.0, 0.3])), metric=str(rng.choice(["manhattan", "euclidean"])))
    if seed % 3 == 0:
        kwargs["can_give"] = rng.random(len(stations)) < 0.9
    try:
        network = rebalance(stations, alpha, **kwargs)
    except BandsInfeasibleError:
        with pytest.raises(BandsInfeasibleError):
            rebalance(stations, alpha, method="highs", **kwargs)
        return
    highs = rebalance(stations, alpha, method="highs", **kwargs)
    assert network.cost == pytest.approx(highs.cost, rel=1e-9, abs=1e-6)
    assert network.certified and network.method == "network"
    check_plan(network, stations, kwargs.get("can_give"))
    assert np.all(highs.final_bikes >= highs.lower) and np.all(highs.final_bikes <= highs.upper)


def test_pricing_reaches_the_dense_optimum(monkeypatch):
    """Nearest partners plus pricing end where every pair in the model ends, certified."""
    stations = so.synthetic_stations(400, seed=3, places="xy")
    dense = rebalance(stations, 0.05)
    monkeypatch.setattr(rebalance_module, "_DENSE_PAIRS", 0)
    priced = rebalance(stations, 0.05, tolerance=0.0)
    assert priced.certified and priced.rounds > 1
    assert priced.arcs_in_model < dense.arcs_in_model and priced.arcs_priced > 0
    assert priced.cost == pytest.approx(dense.cost, rel=1e-12)
    check_plan(priced, stations)
    default = rebalance(stations, 0.05)  # tolerance 1e-9 km a bike
    assert default.certified and 0 < default.gap_bound < 1e-9 * 2 * default.bikes_moved + 1e-6
    assert abs(default.cost - dense.cost) <= default.gap_bound + dense.gap_bound


@pytest.mark.parametrize("seed", range(20))
def test_bikes_passed_through_a_station_go_straight(seed):
    """Random transfers among 8 places (stations that both give and take, loops): afterwards no
    station does both, every station's net change is the same, and the bike-km never grow."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10, (8, 2))
    m = int(rng.integers(1, 16))
    tail, head = rng.integers(0, 8, m).astype(np.int32), rng.integers(0, 8, m).astype(np.int32)
    keep = tail != head
    tail, head, bikes = tail[keep], head[keep], rng.integers(1, 6, keep.sum())

    def net(t, h, b):
        change = np.zeros(8, dtype=np.int64)
        np.subtract.at(change, t, b)
        np.add.at(change, h, b)
        return change

    def bike_km(t, h, b):
        return float(np.dot(b, np.abs(xy[t] - xy[h]).sum(axis=1)))

    t2, h2, b2 = rebalance_module._straight_through(tail, head, bikes)
    assert np.array_equal(net(t2, h2, b2), net(tail, head, bikes))
    assert not set(t2.tolist()) & set(h2.tolist()) and np.all(b2 > 0) and np.all(t2 != h2)
    assert bike_km(t2, h2, b2) <= bike_km(tail, head, bikes) + 1e-9
    assert t2.dtype == np.int32 and len(set(zip(t2.tolist(), h2.tolist()))) == len(t2)


@pytest.mark.parametrize("seed", range(4))
def test_a_loose_tolerance_stops_early_within_its_bound(monkeypatch, seed):
    """A tolerance of 50 m a bike ends pricing rounds early; the plan stays within gap_bound of
    the exact optimum (HiGHS on every pair), and the bound is what the tolerance promises."""
    stations = so.synthetic_stations(300, seed=seed, places="xy")
    highs = rebalance(stations, 0.05, method="highs")
    monkeypatch.setattr(rebalance_module, "_DENSE_PAIRS", 0)
    exact = rebalance(stations, 0.05, tolerance=0.0)
    loose = rebalance(stations, 0.05, tolerance=0.05)
    assert exact.certified and loose.certified and loose.rounds <= exact.rounds
    assert exact.cost <= highs.cost + exact.gap_bound + 1e-6
    assert highs.cost - 1e-6 <= loose.cost <= highs.cost + loose.gap_bound + 1e-6
    givers = (stations.bikes - np.asarray(loose.lower)).clip(min=0).sum()
    assert loose.gap_bound >= 0.05 * min(givers, loose.bikes_moved)
    check_plan(loose, stations)


def test_pricing_when_the_nearest_pairs_cannot_carry_the_bikes(monkeypatch):
    """Every giver's nearest takers are the same few: the first model must still be solvable."""
    rng = np.random.default_rng(0)
    xy = np.vstack([rng.uniform([0, 0], [1, 1], (60, 2)), rng.uniform([10, 0], [11, 1], (60, 2))])
    stations = so.Stations(np.arange(120), xy, np.full(120, 2), np.r_[np.full(60, 2), np.zeros(60, int)])
    dense = rebalance(stations, 0.0)
    monkeypatch.setattr(rebalance_module, "_DENSE_PAIRS", 0)
    priced = rebalance(stations, 0.0)
    assert priced.certified and priced.cost == pytest.approx(dense.cost, rel=1e-12)
    check_plan(priced, stations)
    # Pairs that only relieve the detour save less per bike than a huge tolerance: those rounds
    # price exactly, so the plan still ends with every bike on a direct transfer.
    for tolerance in (100.0, 1e12):
        loose = rebalance(stations, 0.0, tolerance=tolerance)
        assert loose.certified and dense.cost - 1e-9 <= loose.cost <= dense.cost + loose.gap_bound
        check_plan(loose, stations)


def test_haversine_on_lonlat():
    stations = so.synthetic_stations(150, seed=4)  # lon/lat
    plan = rebalance(stations, 0.1, metric="haversine")
    highs = rebalance(stations, 0.1, metric="haversine", method="highs")
    assert plan.cost == pytest.approx(highs.cost, rel=1e-9)
    lonlat = stations.locations.lonlat
    km = so.geo.haversine_km(lonlat[plan.transfer_from], lonlat[plan.transfer_to])
    assert np.allclose(plan.transfer_km, km)


def test_the_issue_example_band_is_widened():
    # Capacity 3 at eps 0.43, alpha 0.05: [1.29, 1.44] holds no whole number -> [1, 2].
    capacity = np.array([3, 97])
    bikes = np.array([3, 40])  # eps = 43 / 100
    bands = bands_at(bikes, capacity, 0.05)
    assert bands.widened.tolist() == [True, False]
    assert (bands.lower[0], bands.upper[0]) == (1, 2)
    stations = so.Stations([1, 2], [[0, 0], [1, 0]], capacity, bikes)
    plan = rebalance(stations, 0.05)
    assert plan.widened.tolist() == [True, False] and 1 <= plan.final_bikes[0] <= 2
    with pytest.raises(BandsInfeasibleError) as info:
        rebalance(stations, 0.05, strict_bands=True)
    assert info.value.stations.tolist() == [1] and isinstance(info.value, InfeasibleError)
    assert "1" in str(info.value) and "strict" in str(info.value)


def test_min_feasible_alpha_is_exact():
    rng = np.random.default_rng(11)
    for _ in range(40):
        stations = random_stations(rng, int(rng.integers(2, 9)), max_docks=12)
        give = rng.random(len(stations)) < 0.7
        for strict in (False, True):
            sweep = sweep_alpha(stations.bikes, stations.capacity, give, True, None, strict)
            alpha = sweep.min_feasible()
            assert alpha is not None  # alpha >= 1 opens every band to [0, C]
            plan = rebalance(stations, alpha, can_give=give, strict_bands=strict)
            check_plan(plan, stations, give)
            if alpha > 0:  # a hair below, no plan
                with pytest.raises(BandsInfeasibleError) as info:
                    rebalance(stations, alpha * (1 - 1e-6), can_give=give, strict_bands=strict)
                assert info.value.min_feasible_alpha == pytest.approx(alpha)


def test_sweep_matches_a_direct_check_everywhere():
    rng = np.random.default_rng(2)
    for _ in range(300):
        n = int(rng.integers(1, 6))
        cap = rng.integers(1, 9, n)
        bikes = rng.integers(0, cap + 1)
        give, take = rng.random(n) < 0.8, rng.random(n) < 0.8
        budget = None if rng.random() < 0.5 else int(rng.integers(0, 6))
        strict = bool(rng.random() < 0.3)
        sweep = sweep_alpha(bikes, cap, give, take, budget, strict)

        def direct(alpha):
            bands = bands_at(bikes, cap, alpha)
            if strict and bands.widened.any():
                return False
            low, high = net_ranges(bikes, bands, give, take)
            return why_infeasible(bikes, cap, low, high, budget) is None

        ends = np.append(sweep.keys[1:], sweep.keys[-1] + 1.0)
        total = cap.sum()
        for key, following, feasible in zip(sweep.keys, ends, sweep.feasible):
            assert direct(key / total) == feasible
            assert direct((key + following) / 2 / total) == feasible
            for alpha in (key / total, (key + following) / 2 / total):
                after = sweep.next_feasible(alpha)
                assert after is not None and after >= alpha and direct(after)


def test_budget_and_restrictions_that_cannot_be_met():
    stations = so.Stations(["a", "b", "c"], [[0, 0], [1, 0], [2, 0]], [10, 10, 10], [10, 0, 5])
    with pytest.raises(BandsInfeasibleError) as info:
        rebalance(stations, 0.1, max_bikes_moved=2)
    err = info.value
    assert set(err.stations.tolist()) == {"a", "b"} and "must move" in str(err)
    assert err.min_feasible_alpha == pytest.approx(0.3)  # bands [2, 8]: 2 bikes from a to b
    rebalance(stations, err.min_feasible_alpha, max_bikes_moved=2)
    with pytest.raises(BandsInfeasibleError) as info:
        rebalance(stations, 0.1, can_give=["b", "c"])
    assert info.value.stations.tolist() == ["a"]
    plan = rebalance(stations, 0.1, max_bikes_moved=10)
    assert plan.bikes_moved == 4 and plan.final_bikes.tolist() == [6, 4, 5]  # bands [4, 6]


def test_continuous_bands_and_their_min_alpha():
    stations = so.Stations([1, 2], [[0, 0], [1, 0]], [3, 97], [3, 40])
    plan = rebalance(stations, 0.0, integer_bikes=False, method="highs")  # eps C exactly: 1.29, 41.71
    assert plan.final_bikes == pytest.approx([1.29, 41.71]) and plan.min_feasible_alpha == 0.0
    with pytest.raises(BandsInfeasibleError, match="must move") as info:
        rebalance(stations, 0.0, integer_bikes=False, method="highs", max_bikes_moved=1)
    # The 3-dock station must give 3 - (0.43 + alpha) 3 = 1.71 - 3 alpha <= 1: alpha >= 0.71 / 3.
    least = info.value.min_feasible_alpha
    assert least == pytest.approx(0.71 / 3, abs=1e-7)
    rebalance(stations, least, integer_bikes=False, method="highs", max_bikes_moved=1)


def test_bad_input_is_refused_clearly():
    stations = so.Stations([1, 2], [[0, 0], [1, 0]], [10, 10], [2, 8])
    for alpha in (-0.1, float("nan"), "x"):
        with pytest.raises(ValidationError, match="alpha"):
            rebalance(stations, alpha)
    with pytest.raises(ValidationError, match="handling_cost"):
        rebalance(stations, 0.1, handling_cost=-1)
    with pytest.raises(ValidationError, match="unknown station ids 7"):
        rebalance(stations, 0.1, can_take=[2, 7])
    with pytest.raises(ValidationError, match="one entry per station"):
        rebalance(stations, 0.1, can_give=np.array([True]))
    for budget in (-3, 2.5, float("inf"), float("nan"), "x"):
        with pytest.raises(ValidationError, match="max_bikes_moved"):
            rebalance(stations, 0.1, max_bikes_moved=budget)
    with pytest.raises(ValidationError, match="unknown station ids 1.7"):
        rebalance(stations, 0.1, can_give=[1.7])
    with pytest.raises(ValidationError, match="bikes"):
        rebalance(so.Stations([1, 2], [[0, 0], [1, 0]], [10, 10]), 0.1)
    with pytest.raises(ValidationError, match="lon/lat"):
        rebalance(stations, 0.1, metric="haversine")
    with pytest.raises(ValueError, match="highs"):
        rebalance(stations, 0.1, integer_bikes=False)
    with pytest.raises(ValueError, match="method"):
        rebalance(stations, 0.1, method="simplex")


def test_time_limit_is_honored(monkeypatch):
    stations = so.synthetic_stations(400, seed=3, places="xy")
    with pytest.raises(so.TimeLimitError):
        rebalance(stations, 0.05, time_limit=1e-9)
    monkeypatch.setattr(rebalance_module, "_DENSE_PAIRS", 0)
    with pytest.raises(so.TimeLimitError):
        rebalance(stations, 0.05, time_limit=1e-9, progress=True)


def test_same_input_same_plan_and_outputs(tmp_path):
    stations = so.synthetic_stations(300, seed=9)
    first, second = rebalance(stations, 0.08), rebalance(stations, 0.08)
    for name in ("transfer_from", "transfer_to", "transfer_bikes", "final_bikes"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
    summary = json.loads(json.dumps(first.to_dict()))
    for key in ("stations", "epsilon", "feasible", "bikes_moved", "cost", "min_feasible_alpha", "time_s"):
        assert key in summary
    assert summary["bikes_moved"] == int(first.transfer_bikes.sum())
    frame = first.to_frame()
    assert list(frame.columns) == ["from_id", "to_id", "bikes", "distance_km", "cost"]
    assert frame["cost"].sum() == pytest.approx(first.cost)
    first.to_csv(tmp_path / "moves.csv")
    assert len((tmp_path / "moves.csv").read_text().splitlines()) == len(frame) + 1
    assert first.stations_frame()["final_bikes"].sum() == stations.bikes.sum()
    import matplotlib

    matplotlib.use("Agg")
    ax = first.plot()
    assert len(ax.texts) == len(frame)  # one arrow per transfer


def test_seed_model_reproduced_and_integer_bikes(tmp_path):
    """The seed's own linprog model on a 27-station mock, and ours continuous and whole."""
    spec = importlib.util.spec_from_file_location("seed004", EXAMPLES / "seed004_rebalance.py")
    seed004 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed004)
    stations = seed004.mock_stations(0)
    assert len(stations) == 27
    for alpha in (0.01, 0.05, 0.1):
        seed_objective, moved, _ = seed004.seed_linprog(stations.xy, stations.capacity, stations.bikes, alpha)
        continuous = rebalance(stations, alpha, integer_bikes=False, method="highs")
        assert continuous.cost == pytest.approx(seed_objective, rel=1e-7)
        integer = rebalance(stations, alpha)
        check_plan(integer, stations)
        if not integer.widened.any():  # whole bikes in narrower bands never cost less
            assert integer.cost >= seed_objective - 1e-6


def test_real_citibike_snapshot(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        stations = so.read_stations(shared_data / "bike" / "citibike_gbfs_2019-07-05")  # a folder
    assert len(stations) == 828 and stations.bikes.sum() == 11_411
    plan = rebalance(stations, 0.1)
    check_plan(plan, stations)
    assert plan.certified and plan.bikes_moved > 1000
    highs = rebalance(stations, 0.2, method="highs")
    assert rebalance(stations, 0.2).cost == pytest.approx(highs.cost, rel=1e-9)


def test_real_divvy_stations_with_drawn_bikes(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        divvy = so.read_stations(shared_data / "bike" / "divvy_stations_2017.csv")
    rng = np.random.default_rng(0)  # Divvy's file has docks, not bikes: draw them
    stations = so.Stations(divvy.station_id, divvy.locations.lonlat, divvy.capacity,
                           rng.binomial(divvy.capacity, 0.45), crs="lonlat")
    plan = rebalance(stations, 0.1, metric="haversine")
    check_plan(plan, stations)

"""Trip chains: brute force, HiGHS cross-checks, invariants, lazy pricing, odd inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shareopt as so
from shareopt import _core
from shareopt.chaining import chain_params, full_network, solve_trip_chains
from shareopt.exceptions import InfeasibleError
from shareopt.flow import min_cost_flow
from shareopt.travel import TravelModel


def random_orders(seed: int, n: int, span_s: float = 4 * 3600.0, area_km: float = 8.0) -> so.Orders:
    rng = np.random.default_rng(seed)
    pickup_time = np.sort(rng.uniform(0, span_s, n))
    pickup = rng.uniform(0, area_km, (n, 2))
    dropoff = np.clip(pickup + rng.normal(0, 2.0, (n, 2)), 0, area_km)
    km = np.abs(pickup - dropoff).sum(axis=1)
    dropoff_time = pickup_time + km / 25.0 * 3600.0 + rng.uniform(0, 300, n)
    revenue = 2.0 + 2.5 * km
    return so.Orders(np.arange(n), pickup_time, dropoff_time, pickup, dropoff, revenue, crs="xy")


def random_params(seed: int, n: int) -> dict:
    rng = np.random.default_rng(seed + 1)
    params = {"vehicle_cost": float(rng.choice([0.0, 5.0, 30.0])),
              "deadhead_cost_per_km": float(rng.choice([0.0, 0.5, 2.0])),
              "max_idle": [None, 600.0, 1800.0][int(rng.integers(3))]}
    if rng.random() < 0.3:
        params["depot"] = (4.0, 4.0)
    if rng.random() < 0.4:
        params["max_vehicles"] = int(rng.integers(0, max(1, n // 2) + 1))
    if rng.random() < 0.2:
        params["must_serve"] = True
        params["max_vehicles"] = None if rng.random() < 0.5 else int(rng.integers(1, n + 1))
    return params


def check_plan(orders: so.Orders, solution, params: dict, travel: TravelModel) -> float:
    """Every invariant of a plan; returns its objective recomputed from the chains alone."""
    n = len(orders)
    seen = np.concatenate(solution.chains) if solution.chains else np.empty(0, np.int64)
    assert len(seen) == len(np.unique(seen)), "an order is in two chains"
    assert np.array_equal(np.sort(seen), np.flatnonzero(solution.served))
    if params.get("max_vehicles") is not None:
        assert solution.num_vehicles <= params["max_vehicles"]
    if params.get("must_serve"):
        assert solution.served.all()
    deadhead = params.get("deadhead_cost_per_km", 1.0)
    cost = solution.num_vehicles * params.get("vehicle_cost", 0.0)
    idle = params.get("max_idle")
    for chain in solution.chains:
        a, b = chain[:-1], chain[1:]
        if len(a):
            arrive = orders.dropoff_time[a] + travel.travel_time(
                orders.dropoffs.take(a), orders.pickups.take(b), orders.dropoff_time[a])
            assert np.all(arrive <= orders.pickup_time[b] + 1e-9), "a chain is late"
            if idle is not None:
                assert np.all(orders.pickup_time[b] - orders.dropoff_time[a] <= idle + 1e-9)
            cost += deadhead * travel.distance(orders.dropoffs.take(a), orders.pickups.take(b)).sum()
        if params.get("depot") is not None:
            home = np.array([params["depot"]])
            cost += deadhead * travel.distance(home, orders.pickup_xy[chain[:1]]).sum()
            cost += deadhead * travel.distance(orders.dropoff_xy[chain[-1:]], home).sum()
    served = solution.served
    km = orders.distance[served] if orders.distance is not None else travel.distance(
        orders.pickups.take(served), orders.dropoffs.take(served))
    cost += deadhead * km.sum() - orders.revenue[served].sum()
    assert solution.objective == pytest.approx(cost, rel=1e-9, abs=1e-6)
    assert n == len(solution.served)
    return cost


def brute_force(orders: so.Orders, params: dict, travel: TravelModel) -> float:
    """Every choice of served orders and successor links, for a handful of orders."""
    n = len(orders)
    deadhead = params.get("deadhead_cost_per_km", 1.0)
    idle = params.get("max_idle")
    depot = params.get("depot")
    fleet = params.get("max_vehicles")
    ok = np.zeros((n, n), dtype=bool)
    link = np.zeros((n, n))
    for i, j in itertools.permutations(range(n), 2):
        gap = orders.pickup_time[j] - orders.dropoff_time[i]
        reach = travel.travel_time(orders.dropoff_xy[[i]], orders.pickup_xy[[j]],
                                   orders.dropoff_time[i])[0]
        ok[i, j] = gap >= reach and (idle is None or gap <= idle)
        link[i, j] = deadhead * travel.distance(orders.dropoff_xy[[i]], orders.pickup_xy[[j]])[0]
    km = travel.distance(orders.pickup_xy, orders.dropoff_xy)
    own = deadhead * km - orders.revenue
    start = np.full(n, params.get("vehicle_cost", 0.0))
    end = np.zeros(n)
    if depot is not None:
        home = np.array([depot])
        start += deadhead * travel.distance(np.repeat(home, n, 0), orders.pickup_xy)
        end += deadhead * travel.distance(orders.dropoff_xy, np.repeat(home, n, 0))
    best = np.inf
    for mask in range(1 << n):
        served = [i for i in range(n) if mask >> i & 1]
        if params.get("must_serve") and len(served) < n:
            continue
        options = [[-1] + [j for j in served if ok[i, j]] for i in served]
        for succ in itertools.product(*options):
            targets = [j for j in succ if j >= 0]
            if len(targets) != len(set(targets)):
                continue
            heads = set(served) - set(targets)
            if fleet is not None and len(heads) > fleet:
                continue
            tails = [i for i, j in zip(served, succ) if j < 0]
            cost = (sum(start[h] for h in heads) + sum(end[t] for t in tails)
                    + sum(link[i, j] for i, j in zip(served, succ) if j >= 0)
                    + sum(own[i] for i in served))
            best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_brute_force_on_tiny_instances(seed):
    orders = random_orders(seed, 5, span_s=3600.0, area_km=5.0)
    params = random_params(seed, 5)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    best = brute_force(orders, params, travel)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve_trip_chains(orders, **params)
        return
    for method in ("network", "highs"):
        solution = solve_trip_chains(orders, method=method, **params)
        assert solution.certified
        assert solution.objective == pytest.approx(best, abs=1e-6)
        check_plan(orders, solution, params, travel)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 45))
def test_network_matches_highs(seed, n):
    orders = random_orders(seed, n)
    params = random_params(seed, n)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    try:
        reference = solve_trip_chains(orders, method="highs", **params)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve_trip_chains(orders, **params)
        return
    for auction in (True, False):
        ours = solve_trip_chains(orders, successors=1, price_per_order=1, auction=auction, **params)
        assert ours.certified and ours.status == "optimal"
        assert ours.objective == pytest.approx(reference.objective, abs=1e-6)
        check_plan(orders, ours, params, travel)
    check_plan(orders, reference, params, travel)


def drive_rounds(orders, params, travel, **search):
    """A TripChainer driven solve by solve until a pricing round adds nothing."""
    chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                orders.pickup_xy, None, orders.dropoff_xy, None, orders.revenue,
                                orders.distance, chain_params(**params, **search))
    chainer.add_candidate_arcs(np.inf)
    while True:
        assert chainer.solve_flow(np.inf) == "optimal"
        added, complete = chainer.price(np.inf)
        assert complete
        if added == 0:
            return chainer


def test_auction_on_two_threads_finds_the_same_plan_as_on_one():
    # A day of 20,000 orders is cut in two halves that bid on two threads; the plan must not
    # depend on the number of threads, and must be the simplex's optimum.
    orders = so.synthetic_orders(20000, seed=3, places="xy")
    orders.revenue = 62.0 * orders.distance
    params = {"vehicle_cost": 160.0, "deadhead_cost_per_km": 3.1, "max_idle": 1200.0}
    travel = TravelModel("manhattan", speed_kmh=25.0)
    runs = [drive_rounds(orders, params, travel, threads=threads) for threads in (1, 2)]
    simplex = drive_rounds(orders, params, travel, auction=False)
    for run in runs:
        assert run.auction_halved and run.auction_solves >= 1
        assert run.scaled_objective == simplex.scaled_objective
    assert runs[0].pivots == runs[1].pivots and runs[0].arcs_in_model == runs[1].arcs_in_model
    assert np.array_equal(runs[0].successor(), runs[1].successor())
    small = drive_rounds(random_orders(7, 1500), params, travel, threads=2)
    assert small.auction_solves >= 1 and not small.auction_halved  # too small to be worth cutting


@pytest.mark.parametrize("depot", [None, (6.0, 6.0)])
def test_auction_starts_and_restarts_reach_the_simplex_optimum(depot):
    # One candidate each way, so that pricing adds many arcs and the auction solves again;
    # a vehicle cost near the trips' margin makes skipping some orders pay.
    orders = random_orders(7, 1500, span_s=6 * 3600.0, area_km=12.0)
    params = {"vehicle_cost": 12.0, "deadhead_cost_per_km": 1.5, "max_idle": 1800.0}
    if depot is not None:
        params["depot"] = depot
    travel = TravelModel("manhattan", speed_kmh=25.0)
    simplex = drive_rounds(orders, params, travel, successors=1, auction=False)
    auction = drive_rounds(orders, params, travel, successors=1)
    assert simplex.auction_solves == 0
    assert auction.auction_solves >= 2  # the first solve and at least one restart
    assert auction.scaled_objective == simplex.scaled_objective  # the same integer optimum
    assert not simplex.served().all()  # the skip arcs took part
    # One auction a solve: pricing rounds of the simplex then send solves through the auction
    # again. Same optimum, and the first solve's repricing spared the simplex rounds.
    single = drive_rounds(orders, params, travel, successors=1, auction_rounds=1)
    assert single.scaled_objective == simplex.scaled_objective
    assert single.auction_solves >= 2 and single.pivots > auction.pivots
    # A time limit that stops the auction of a re-solve leaves the last optimum to build on, not
    # the part-finished auction's plan (which was twice as dear before the fix).
    chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                orders.pickup_xy, None, orders.dropoff_xy, None, orders.revenue,
                                orders.distance, chain_params(**params, successors=1, auction_rounds=1))
    chainer.add_candidate_arcs(np.inf)
    assert chainer.solve_flow(np.inf) == "optimal"
    last = chainer.scaled_objective
    added, _ = chainer.price(np.inf)
    assert 50 * added > chainer.arcs_in_model  # enough new arcs for the auction to run again
    assert chainer.solve_flow(0.0) == "time_limit"
    assert chainer.auction_solves == 2
    assert chainer.scaled_objective <= last
    # A fleet bound couples the chains: the simplex alone.
    bounded = drive_rounds(orders, dict(params, max_vehicles=50), travel, successors=1)
    assert bounded.auction_solves == 0


@pytest.mark.parametrize("offset", [0.0, -1e6, 1e300])
def test_pricing_screens_stay_exact_far_from_the_origin(offset):
    # Orders at one place, one candidate each: the optimum needs the pairs pricing finds. At
    # 1e300 the distance screens' terms overflow; they must step aside, not hide every pair.
    rng = np.random.default_rng(0)
    n = 300
    pickup_time = np.sort(rng.uniform(0.0, 20_000.0, n))
    dropoff_time = pickup_time + rng.uniform(100.0, 3_000.0, n)
    place = np.tile([offset, -offset], (n, 1))
    orders = so.Orders(np.arange(n), pickup_time, dropoff_time, place, place.copy(),
                       rng.uniform(0.0, 20.0, n), crs="xy", distance=np.ones(n))
    params = dict(vehicle_cost=12.0, deadhead_cost_per_km=1.0, max_idle=1800.0)
    lazy = solve_trip_chains(orders, successors=1, price_per_order=1, auction=False, **params)
    exact = solve_trip_chains(orders, method="highs", **params)
    assert lazy.certified and lazy.rounds > 1
    assert lazy.objective == pytest.approx(exact.objective, abs=1e-6)


@pytest.mark.parametrize("metric", ["manhattan", "euclidean", "haversine"])
def test_lazy_pricing_reaches_the_full_graph_optimum(day_orders, metric):
    orders = day_orders.take(np.arange(0, 20_000, 10))
    params = dict(vehicle_cost=160.0, deadhead_cost_per_km=3.1, max_idle=1800.0)
    lazy = solve_trip_chains(orders, metric=metric, successors=1, price_per_order=1, **params)
    assert lazy.certified and lazy.rounds > 1
    # The same network with every compatible pair, solved once by the network simplex.
    travel = TravelModel(metric, speed_kmh=25.0)
    chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                travel.coordinates(orders.pickups), None,
                                travel.coordinates(orders.dropoffs), None, orders.revenue,
                                orders.distance, chain_params(**params))
    network = full_network(chainer, 10**8, real_costs=False)
    assert lazy.arcs_in_model < len(network.pair_from)
    full = min_cost_flow(len(network.supply), network.tail, network.head, network.cost,
                         network.supply, lower=network.lower, upper=network.upper)
    assert lazy.objective == pytest.approx((full.objective + network.offset) / chainer.scale,
                                           abs=1e-6)
    check_plan(orders, lazy, params, travel)
    # The certificate, checked over every compatible pair (later rounds re-price only the
    # pairs whose potentials moved): no reduced cost below zero, up to the cost rounding.
    deadhead = chainer.pair_costs(network.pair_from, network.pair_to)
    reduced = (deadhead + lazy.potentials[network.pair_from, 1]
               - lazy.potentials[network.pair_to, 0])
    assert reduced.min() >= -1.0 / chainer.scale


def test_each_pricing_round_bounds_the_full_optimum_from_below():
    orders = so.synthetic_orders(3000, seed=1, places="xy")
    orders.revenue = 62.0 * orders.distance
    params = dict(vehicle_cost=160.0, deadhead_cost_per_km=3.1, max_idle=1800.0,
                  successors=1, price_per_order=1)
    travel = TravelModel("manhattan", speed_kmh=25.0)

    def chainer():
        return _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                 orders.pickup_xy, None, orders.dropoff_xy, None, orders.revenue,
                                 orders.distance, chain_params(**params))

    network = full_network(chainer(), 10**8, real_costs=False)
    optimum = min_cost_flow(len(network.supply), network.tail, network.head, network.cost,
                            network.supply, lower=network.lower, upper=network.upper).objective
    lazy = chainer()
    lazy.add_candidate_arcs(np.inf)
    n, bounds = len(orders), []
    while True:
        assert lazy.solve_flow(np.inf) == "optimal"
        pi = np.rint(lazy.potentials() * lazy.scale).astype(np.int64)
        added, complete = lazy.price(np.inf)
        assert complete
        # Each drop-off's least reduced cost over every pair but its own successor's, directly.
        reduced = network.cost[network.num_base:] + pi[3 + 2 * network.pair_from] - pi[2 + 2 * network.pair_to]
        own = lazy.successor()[network.pair_from] == network.pair_to
        least = np.zeros(n, dtype=np.int64)
        np.minimum.at(least, network.pair_from[~own], reduced[~own])
        assert lazy.pricing_bound <= least.sum() <= 0  # the scan's bound is never tighter
        bounds.append(lazy.scaled_objective + lazy.pricing_bound)
        assert bounds[-1] <= optimum  # a lower bound on the full optimum, every round
        if added == 0:
            break
    assert len(bounds) > 2 and bounds[0] < optimum and lazy.pricing_bound == 0
    assert bounds[-1] == optimum
    # The solution reports it: the objective when certified, below it after a time limit.
    solved = solve_trip_chains(orders, travel=travel, **params)
    assert solved.certified and solved.lower_bound == solved.objective and solved.gap_pct == 0.0
    assert solved.to_dict()["lower_bound"] == pytest.approx(solved.objective)


def test_orders_marked_no_start_are_never_first_in_a_chain():
    """Re-optimization marks orders a vehicle leaving the depot now could not reach in time."""
    orders = random_orders(5, 200, span_s=4 * 3600.0)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    closed = (np.arange(200) % 2).astype(np.uint8)

    def solve(no_start, **params):
        chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                    orders.pickup_xy, None, orders.dropoff_xy, None, orders.revenue,
                                    None, chain_params(vehicle_cost=1.0, **params), None, no_start)
        chainer.add_candidate_arcs(np.inf)
        status = chainer.solve_flow(np.inf)
        return status, chainer.starts_chain().astype(bool), chainer.served().astype(bool)

    _, starts, _ = solve(None)
    assert starts[closed == 1].any()  # they would start chains
    status, starts, served = solve(closed)
    assert status == "optimal" and not starts[closed == 1].any() and served[closed == 1].any()
    # Nothing may start a chain and every order must be served: no plan.
    status, _, _ = solve(np.ones(200, dtype=np.uint8), must_serve=True)
    assert status == "infeasible"


def test_pairs_enumerated_by_the_index_are_exactly_the_compatible_ones():
    orders = random_orders(11, 120, span_s=2 * 3600.0)
    for idle in (np.inf, 900.0):
        travel = TravelModel("manhattan", speed_kmh=25.0)
        chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                    orders.pickup_xy, None, orders.dropoff_xy, None,
                                    orders.revenue, None, chain_params(max_idle=idle))
        pair_from, pair_to, _ = chainer.all_pairs(10**6)
        found = set(zip(pair_from.tolist(), pair_to.tolist()))
        every = {(i, j) for i in range(120) for j in range(120) if chainer.compatible(i, j)}
        assert found == every and len(every) > 100


def test_degenerate_inputs():
    travel_params = dict(vehicle_cost=10.0, deadhead_cost_per_km=1.0)
    # Overlapping orders far apart: none can follow another, each served alone.
    n = 6
    apart = so.Orders(np.arange(n), np.zeros(n), np.full(n, 600.0),
                      np.column_stack([np.arange(n) * 50.0, np.zeros(n)]),
                      np.column_stack([np.arange(n) * 50.0, np.ones(n)]), np.full(n, 20.0),
                      crs="xy")
    plan = solve_trip_chains(apart, **travel_params)
    assert plan.num_vehicles == n and all(len(c) == 1 for c in plan.chains)
    assert plan.objective == pytest.approx(n * (10.0 + 1.0 - 20.0))
    # No vehicles: nothing is served, unless every order must be.
    none = solve_trip_chains(apart, max_vehicles=0, **travel_params)
    assert none.num_vehicles == 0 and not none.served.any() and none.objective == 0.0
    with pytest.raises(InfeasibleError, match="max_vehicles=0"):
        solve_trip_chains(apart, max_vehicles=0, must_serve=True, **travel_params)
    with pytest.raises(InfeasibleError):
        solve_trip_chains(apart, max_vehicles=n - 1, must_serve=True, **travel_params)
    # Identical orders (same times, same places) overlap: one vehicle each, both methods.
    same = so.Orders(np.arange(4), np.full(4, 100.0), np.full(4, 400.0), np.ones((4, 2)),
                     np.ones((4, 2)), np.full(4, 30.0), crs="xy")
    for method in ("network", "highs"):
        plan = solve_trip_chains(same, method=method, **travel_params)
        assert plan.num_vehicles == 4 and plan.objective == pytest.approx(4 * (10.0 - 30.0))
    # Zero-length orders at one place and time (the core allows them) chain in row order and
    # never in a cycle.
    travel = TravelModel("manhattan")
    chainer = _core.TripChainer(travel.core, np.full(4, 100.0), np.full(4, 100.0), np.ones((4, 2)),
                                None, np.ones((4, 2)), None, np.full(4, 5.0), None,
                                chain_params(**travel_params))
    assert [chainer.compatible(i, j) for i, j in [(0, 1), (1, 0), (2, 3), (3, 2)]] == [
        True, False, True, False]
    chainer.add_candidate_arcs(np.inf)
    assert chainer.solve_flow(np.inf) == "optimal"
    assert chainer.successor().tolist() == [1, 2, 3, -1]
    assert chainer.starts_chain().tolist() == [1, 0, 0, 0]
    # Unprofitable orders are not served at all.
    poor = solve_trip_chains(apart, vehicle_cost=100.0)
    assert poor.num_vehicles == 0 and poor.objective == 0.0 and poor.certified
    # Times so far apart that their span overflows a double (the cell index then keeps no
    # time buckets): both methods still agree.
    far = so.Orders(np.arange(2), np.array([-1e308, 1e308]), np.array([-9e307, 1.5e308]),
                    np.zeros((2, 2)), np.ones((2, 2)), np.full(2, 5.0), crs="xy")
    plans = [solve_trip_chains(far, max_idle=600.0, method=m, **travel_params) for m in ("network", "highs")]
    assert plans[0].certified and plans[0].objective == pytest.approx(plans[1].objective)


def test_bad_input_names_the_rows():
    travel = TravelModel("manhattan")
    base = dict(pickup_xy=np.zeros((3, 2)), pickup_zone=None, dropoff_xy=np.ones((3, 2)),
                dropoff_zone=None, revenue=np.ones(3), service_km=None)
    with pytest.raises(ValueError, match=r"drop-off before pickup \(rows 1\)"):
        _core.TripChainer(travel.core, np.array([0.0, 50.0, 9.0]), np.array([5.0, 40.0, 10.0]),
                          params=chain_params(), **base)
    with pytest.raises(ValueError, match=r"missing or infinite time \(rows 0, 2\)"):
        _core.TripChainer(travel.core, np.array([np.nan, 1.0, 2.0]), np.array([1.0, 2.0, np.inf]),
                          params=chain_params(), **base)
    with pytest.raises(ValueError, match="vehicle_cost"):
        _core.TripChainer(travel.core, np.zeros(3), np.ones(3), params=chain_params(vehicle_cost=-1),
                          **base)
    orders = random_orders(0, 5)
    with pytest.raises(ValueError, match="max_vehicles"):
        solve_trip_chains(orders, max_vehicles=-2)
    with pytest.raises(ValueError, match="max_idle"):
        solve_trip_chains(orders, max_idle=float("nan"))
    with pytest.raises(ValueError, match="method"):
        solve_trip_chains(orders, method="lp")
    with pytest.raises(TypeError, match="Orders"):
        solve_trip_chains({"pickup_time": [1.0]})
    for successors in (0, -1, 2.5, True, float("nan"), float("inf"), 10**6):
        with pytest.raises(ValueError, match="successors"):
            solve_trip_chains(orders, successors=successors)
    for rounds in (0, -3, 1.5, True, float("nan"), float("inf"), 10**20):
        with pytest.raises(ValueError, match="auction_rounds"):
            chain_params(auction_rounds=rounds)
    params = dict(chain_params(), auction_rounds=0)  # the C++ side checks it too
    with pytest.raises(ValueError, match="auction_rounds"):
        _core.TripChainer(travel.core, np.zeros(3), np.ones(3), params=params, **base)


def test_candidates_per_order_follow_the_density_of_pairs(day_orders):
    """By default the first model takes more candidates per order where orders have more
    compatible pairs (about 0.6 sqrt of their number, at least 5); the optimum is the same."""
    travel = TravelModel("manhattan", speed_kmh=25.0)

    def first_model_arcs(orders, **params) -> int:
        chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                    travel.coordinates(orders.pickups), None,
                                    travel.coordinates(orders.dropoffs), None, orders.revenue,
                                    orders.distance, chain_params(**params))
        return chainer.add_candidate_arcs(np.inf)

    sparse = day_orders.take(np.arange(0, 20_000, 20))
    assert first_model_arcs(sparse, max_idle=600.0) == first_model_arcs(sparse, max_idle=600.0, successors=5)
    # Half the day's orders squeezed into a quarter of the time: twice as many pairs per order
    # within 20 minutes. A longer max_idle alone does not count.
    half = day_orders.take(np.arange(0, 20_000, 2))
    start = 0.25 * half.pickup_time
    dense = so.Orders(half.order_id, start, start + (half.dropoff_time - half.pickup_time),
                      half.pickup_xy, half.dropoff_xy, half.revenue, distance=half.distance)
    params = dict(vehicle_cost=160.0, deadhead_cost_per_km=3.1, max_idle=1200.0)
    assert first_model_arcs(dense, **params) > 1.3 * first_model_arcs(dense, successors=5, **params)
    assert first_model_arcs(half, max_idle=None) == first_model_arcs(half, max_idle=None, successors=5)
    by_density = solve_trip_chains(dense, travel=travel, **params)
    fixed = solve_trip_chains(dense, travel=travel, successors=5, **params)
    assert by_density.certified and fixed.certified
    assert by_density.objective == pytest.approx(fixed.objective, abs=1e-6)


def test_same_input_same_plan_and_time_limit(day_orders):
    orders = day_orders.take(np.arange(4000))
    params = dict(vehicle_cost=50.0, deadhead_cost_per_km=1.0, max_idle=1200.0, threads=2)
    first = solve_trip_chains(orders, **params)
    second = solve_trip_chains(orders, **params)
    assert [c.tolist() for c in first.chains] == [c.tolist() for c in second.chains]
    cut = solve_trip_chains(orders, time_limit=0.0, **params)
    assert not cut.certified and cut.status == "time_limit"
    check_plan(orders, cut, params, TravelModel("manhattan", speed_kmh=25.0))


def test_solution_outputs(tmp_path):
    orders = random_orders(5, 60)
    plan = solve_trip_chains(orders, vehicle_cost=5.0, deadhead_cost_per_km=0.5)
    summary = plan.to_dict()
    for key in ("objective", "vehicles", "served", "lost", "orders", "certified",
                "arcs_in_model", "arcs_priced", "rounds", "time_s"):
        assert key in summary
    assert summary["served"] + summary["lost"] == 60
    parts = plan.cost_breakdown
    assert plan.objective == pytest.approx(parts["vehicles"] + parts["dispatch_and_collection"]
                                           + parts["deadhead_between_orders"] + parts["service"]
                                           + parts["revenue"])
    frame = plan.to_frame()
    assert len(frame) == summary["served"]
    assert (frame.groupby("vehicle")["pickup_time"].apply(lambda t: t.is_monotonic_increasing)).all()
    plan.to_csv(tmp_path / "chains.csv")
    lines = (tmp_path / "chains.csv").read_text().splitlines()
    assert lines[0] == "vehicle,position,order_id" and len(lines) == summary["served"] + 1
    assert np.array_equal(plan.vehicle_of >= 0, plan.served)
    # Reduced costs of the used pairs are zero (they are in the optimal basis or at bound).
    assert plan.potentials.shape == (60, 2)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = plan.plot()
    assert len(ax.patches) + len(ax.collections) >= plan.num_vehicles


def test_real_tlc_day_on_zones(tlc_2021):
    travel = TravelModel.from_trips(tlc_2021)
    params = dict(vehicle_cost=10.0, deadhead_cost_per_km=0.5, max_idle=3600.0)
    plan = solve_trip_chains(tlc_2021, travel=travel, **params)
    assert plan.certified and plan.served.sum() > 0.5 * len(tlc_2021)
    dearer = solve_trip_chains(tlc_2021, travel=travel, **dict(params, vehicle_cost=40.0))
    assert dearer.num_vehicles <= plan.num_vehicles and dearer.objective >= plan.objective
    check_plan(tlc_2021, plan, params, travel)
    fleet = solve_trip_chains(tlc_2021, travel=travel, must_serve=True, vehicle_cost=1e4,
                              deadhead_cost_per_km=0.0, max_idle=3600.0)
    assert fleet.served.all() and fleet.certified
    assert fleet.num_vehicles <= plan.num_vehicles + (len(tlc_2021) - plan.served.sum())
    with pytest.raises(InfeasibleError):
        solve_trip_chains(tlc_2021, travel=travel, must_serve=True, vehicle_cost=1e4,
                          deadhead_cost_per_km=0.0, max_idle=3600.0,
                          max_vehicles=fleet.num_vehicles - 1)


def test_compatibility_with_hourly_speeds_matches_the_travel_model():
    from shareopt.data.synthetic import NYC_HOURLY_SPEED_KMH

    orders = random_orders(21, 150, span_s=6 * 3600.0, area_km=12.0)
    travel = TravelModel("manhattan", speed_kmh=NYC_HOURLY_SPEED_KMH)
    chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                orders.pickup_xy, None, orders.dropoff_xy, None, orders.revenue,
                                None, chain_params(max_idle=2400.0))
    i, j = np.meshgrid(np.arange(150), np.arange(150), indexing="ij")
    i, j = i.ravel(), j.ravel()
    depart = orders.dropoff_time[i]
    arrive = depart + travel.travel_time(orders.dropoff_xy[i], orders.pickup_xy[j], depart)
    slack = orders.pickup_time[j] - depart
    expected = (i != j) & (arrive <= orders.pickup_time[j]) & (slack <= 2400.0)
    found = np.array([chainer.compatible(a, b) for a, b in zip(i.tolist(), j.tolist())])
    assert np.array_equal(found, expected) and 200 < expected.sum() < len(expected) // 2
    pair_from, pair_to, _ = chainer.all_pairs(10**6)
    assert len(pair_from) == expected.sum()

"""Trip chains started from a given plan (``initial=``): the same optimum, fewer pivots."""

from __future__ import annotations

import numpy as np
import pytest
import shareopt as so
from hypothesis import given, settings
from hypothesis import strategies as st
from shareopt import _core
from shareopt.chaining import chain_params, solve_trip_chains, start_links
from shareopt.exceptions import InfeasibleError
from shareopt.travel import TravelModel
from test_chaining import check_plan, random_orders, random_params


def random_chains(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Orders cut into random chains in random order: most links are not even compatible."""
    order = rng.permutation(n)[: int(rng.integers(0, n + 1))]
    if len(order) < 2:
        return [order] if len(order) else []
    cuts = np.sort(rng.choice(np.arange(1, len(order)), size=min(3, len(order) - 1), replace=False))
    return [c for c in np.split(order, cuts) if len(c)]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 40))
def test_any_start_plan_reaches_the_same_certified_optimum(seed, n):
    orders = random_orders(seed, n)
    params = random_params(seed, n)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    try:
        cold = solve_trip_chains(orders, successors=1, price_per_order=1, **params)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve_trip_chains(orders, initial=random_chains(np.random.default_rng(seed), n), **params)
        return
    other = dict(params, vehicle_cost=params["vehicle_cost"] + 7.0, max_idle=None)
    starts = [cold, random_chains(np.random.default_rng(seed), n), [np.arange(n)],
              solve_trip_chains(orders, **{k: v for k, v in other.items() if k != "must_serve"})]
    for initial in starts:
        warm = solve_trip_chains(orders, successors=1, price_per_order=1, initial=initial, **params)
        assert warm.certified and warm.status == "optimal"
        assert warm.objective == pytest.approx(cold.objective, abs=1e-6)
        check_plan(orders, warm, params, travel)


def test_starting_from_the_optimum_or_the_auction_saves_most_pivots():
    orders = so.synthetic_orders(4000, seed=2, places="xy")
    orders.revenue = 62.0 * orders.distance
    params = {"vehicle_cost": 160.0, "deadhead_cost_per_km": 3.1, "max_idle": 1200.0}
    best = solve_trip_chains(orders, **params)
    travel = TravelModel("manhattan", speed_kmh=25.0)

    def first_solve(initial, auction):
        chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                    orders.pickup_xy, None, orders.dropoff_xy, None,
                                    orders.revenue, orders.distance,
                                    chain_params(**params, auction=auction, auction_rounds=1))
        if initial is not None:
            kept = chainer.set_start_links(*start_links(initial, len(orders)))
            assert kept == sum(len(c) - 1 for c in best.chains)  # every link is compatible
        chainer.add_candidate_arcs(np.inf)
        assert chainer.solve_flow(np.inf) == "optimal"
        assert chainer.auction_solves == (1 if auction and initial is None else 0)
        return chainer.pivots, chainer.scaled_objective

    greedy_pivots, greedy_objective = first_solve(None, auction=False)
    warm_pivots, warm_objective = first_solve(best, auction=True)  # a start plan: no auction
    auction_pivots, auction_objective = first_solve(None, auction=True)
    # The optimum's links are among the arcs with a start plan, so that model is no worse; the
    # other two are the same model (one auction: no repricing before the simplex). From a
    # start that is optimal (the plan, or the auction's optimum of the model) the simplex has
    # far fewer pivots to make than from the greedy.
    assert warm_objective <= greedy_objective
    assert auction_objective == greedy_objective
    assert warm_pivots < greedy_pivots / 2
    assert auction_pivots == 0  # the auction's basis is optimal for its model


@pytest.mark.parametrize("setting", ["plain", "depot", "must_serve", "skipping", "each_alone"])
def test_the_auction_hands_the_simplex_an_optimal_basis(setting):
    # With one auction and no pricing before the simplex, the simplex solves the auction's own
    # model: a tree made of arcs priced at 0 by exact duals leaves it no pivot to make (a tree
    # hung on the auction's rounded duals left it many degenerate ones).
    orders = random_orders(11, 1200, span_s=5 * 3600.0, area_km=10.0)
    params = {"vehicle_cost": 40.0, "deadhead_cost_per_km": 1.5, "max_idle": 1800.0}
    if setting == "depot":
        params["depot"] = (5.0, 5.0)
    elif setting == "must_serve":
        params["must_serve"] = True
    elif setting == "skipping":
        params["vehicle_cost"] = 12.0  # near the trips' margin: skipping some orders pays
    elif setting == "each_alone":  # every order on its own vehicle: no vehicle to spare
        params.update(vehicle_cost=0.1, deadhead_cost_per_km=50.0, must_serve=True)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    solves = {}
    for auction in (True, False):
        chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                    orders.pickup_xy, None, orders.dropoff_xy, None,
                                    orders.revenue, orders.distance,
                                    chain_params(**params, successors=2, auction=auction, auction_rounds=1))
        chainer.add_candidate_arcs(np.inf)
        assert chainer.solve_flow(np.inf) == "optimal"
        solves[auction] = chainer
    auction, simplex = solves[True], solves[False]
    assert auction.auction_solves == 1 and simplex.auction_solves == 0
    assert auction.pivots == 0 and simplex.pivots > 0
    assert auction.scaled_objective == simplex.scaled_objective
    if setting == "skipping":
        assert not auction.served().all()
    if setting == "each_alone":
        assert auction.arcs_in_model > 0 and (auction.successor() < 0).all()


def test_start_plan_is_checked():
    orders = random_orders(3, 10)
    with pytest.raises(ValueError, match="chain 1 names order 10, not one of the 10 orders"):
        solve_trip_chains(orders, initial=[[0, 1], [2, 10]])
    with pytest.raises(ValueError, match="order 2 appears twice"):
        solve_trip_chains(orders, initial=[[0, 2], [3, 2]])
    with pytest.raises(ValueError, match="order 4 appears twice"):
        solve_trip_chains(orders, initial=[[4, 5, 4]])
    with pytest.raises(ValueError, match="not a sequence of order indices"):
        solve_trip_chains(orders, initial=[[0.5, 1.0]])
    with pytest.raises(ValueError, match="network"):
        solve_trip_chains(orders, method="highs", initial=[[0, 1]])
    with pytest.raises(ValueError, match="a plan of 8 orders, not of these 10"):
        solve_trip_chains(orders, initial=solve_trip_chains(orders.take(np.arange(8))))
    with pytest.raises(ValueError, match="names order 18446744073709551615"):
        solve_trip_chains(orders, initial=[np.array([1, 2**64 - 1], dtype=np.uint64)])
    # The core checks too, and only before the candidate arcs.
    travel = TravelModel("manhattan")
    chainer = _core.TripChainer(travel.core, orders.pickup_time, orders.dropoff_time,
                                orders.pickup_xy, None, orders.dropoff_xy, None, orders.revenue,
                                None, chain_params())
    with pytest.raises(ValueError):  # not an int32 order index: refused, not wrapped around
        chainer.set_start_links(np.array([0]), np.array([3 + 2**32]))
    with pytest.raises(IndexError, match="names order -1"):
        chainer.set_start_links(np.array([0, -1]), np.array([1, 2]))
    with pytest.raises(ValueError, match="order 0 already has a successor"):
        chainer.set_start_links(np.array([0, 0]), np.array([1, 2]))
    with pytest.raises(ValueError, match="order 2 already has a predecessor"):
        chainer.set_start_links(np.array([0, 1]), np.array([2, 2]))
    assert chainer.set_start_links(np.array([], dtype=np.int32), np.array([], dtype=np.int32)) == 0
    chainer.add_candidate_arcs(np.inf)
    with pytest.raises(RuntimeError, match="before the candidate arcs"):
        chainer.set_start_links(np.array([0]), np.array([1]))
    # A plan that kept no link is no plan: the first solve starts from the auction.
    assert chainer.solve_flow(np.inf) == "optimal"
    assert chainer.auction_solves == 1


def test_chains_csv_round_trips_to_a_start_plan(tmp_path):
    orders = so.synthetic_orders(500, seed=4)
    plan = solve_trip_chains(orders, vehicle_cost=20.0, deadhead_cost_per_km=1.0, max_idle=1800.0)
    path = tmp_path / "chains.csv"
    plan.to_csv(path)
    read = so.read_chains(path, orders)
    assert sorted(c.tolist() for c in read) == sorted(c.tolist() for c in plan.chains)
    # Ids the orders lack are refused, naming the lines; so is a file without the columns.
    path.write_text(path.read_text() + "99,0,no-such-order\n")
    with pytest.raises(ValueError, match=r"1 order ids not among the orders \(lines \d+\)"):
        so.read_chains(path, orders)
    path.write_text("vehicle,position,order_id\n0,first,1\n")
    with pytest.raises(ValueError, match="line 2: position 'first' is not an integer"):
        so.read_chains(path, orders)
    path.write_text("vehicle,order_id\n0,1\n")
    with pytest.raises(ValueError, match="needs the columns"):
        so.read_chains(path, orders)

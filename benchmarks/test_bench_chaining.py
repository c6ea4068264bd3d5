"""Trip chains: our lazy network simplex against OR-Tools, HiGHS and networkx on the same model.

Peers get the full set of compatible pairs for free (not timed); ours is timed end to end:
arc generation, every solve and pricing round, the certificate. Costs are the seed's (100 per
vehicle + 30 dispatch + 30 collection, deadhead 5 per mile, revenue 100 per trip mile) on
synthetic NYC-like days with NYC's hourly speeds. The 100,000-order and full-day cases take
minutes: set SHAREOPT_BENCH_LARGE=1 to run them.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import shareopt as so
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from peers import OrToolsFlow
from shareopt import _core
from shareopt.chaining import chain_params, full_network, solve_trip_chains
from shareopt.data.synthetic import NYC_HOURLY_SPEED_KMH
from shareopt.flow import min_cost_flow

MILE_KM = 1.609344
PARAMS = dict(vehicle_cost=160.0, deadhead_cost_per_km=5.0 / MILE_KM)
LARGE = os.environ.get("SHAREOPT_BENCH_LARGE") == "1"
large = pytest.mark.skipif(not LARGE, reason="set SHAREOPT_BENCH_LARGE=1 (minutes each)")


class Instance:
    """Orders of a synthetic day with the seed's revenue, and the full flow network."""

    def __init__(self, n: int, max_idle: float, with_network: bool = True):
        orders = so.synthetic_orders(n, seed=0, places="xy")
        orders.revenue = 100.0 * orders.distance / MILE_KM
        self.orders = orders
        self.travel = so.TravelModel("manhattan", speed_kmh=NYC_HOURLY_SPEED_KMH)
        self.kwargs = dict(PARAMS, max_idle=max_idle, travel=self.travel)
        if not with_network:
            return
        chainer = _core.TripChainer(
            self.travel.core, orders.pickup_time, orders.dropoff_time, orders.pickup_xy, None,
            orders.dropoff_xy, None, orders.revenue, orders.distance,
            chain_params(**PARAMS, max_idle=max_idle))
        network = full_network(chainer, 10**9, real_costs=False)
        self.scale = chainer.scale
        self.pairs = len(network.pair_from)
        self.tail = network.tail.astype(np.int32)
        self.head = network.head.astype(np.int32)
        self.upper = network.upper
        self.cost = network.cost
        self.offset = network.offset  # model + offset = plan
        self.real = full_network(chainer, 10**9, real_costs=True)
        self.supply = network.supply

    def ours(self, auction: bool = True):
        plan = solve_trip_chains(self.orders, auction=auction, **self.kwargs)
        assert plan.certified
        return plan

    def simplex_alone(self, benchmark, rounds: int) -> None:
        """The network simplex from its greedy start, no auction (how it was solved before)."""
        plan = benchmark.pedantic(self.ours, kwargs={"auction": False}, rounds=rounds, iterations=1)
        assert plan.objective == pytest.approx(self.ours().objective, abs=1e-6)

    def check_same_objective(self, plan, scaled_cost: float) -> None:
        # Costs rounded to 1/scale move a plan of A arcs by at most A / (2 scale).
        bound = (3 * len(self.orders) + 1) / self.scale
        assert abs(plan.objective - (scaled_cost + self.offset) / self.scale) <= bound


def ortools_peer(benchmark, instance, tmp_path, rounds):
    worker = OrToolsFlow(tmp_path, instance.tail, instance.head, instance.upper, instance.cost,
                         instance.supply)
    try:
        result = benchmark.pedantic(worker.solve, rounds=rounds, iterations=1)
    finally:
        worker.close()
    benchmark.extra_info.update(pairs=instance.pairs, arcs=len(instance.tail))
    instance.check_same_objective(instance.ours(), result["cost"])


# ---------------------------------------------------------------- 2,000 orders, every peer
@pytest.fixture(scope="module")
def small():
    return Instance(2_000, 1200.0)


@case("chains: 2,000 orders, max_idle 20 min", size=2_000, unit="orders", series="shareopt", quick=True)
def test_ours_chains_2k(benchmark, small):
    plan = benchmark.pedantic(small.ours, rounds=5, iterations=1)
    benchmark.extra_info.update(arcs_in_model=plan.arcs_in_model, pairs=small.pairs,
                                rounds=plan.rounds)


@case("chains: 2,000 orders, max_idle 20 min", size=2_000, unit="orders", series="OR-Tools", quick=True)
def test_peer_ortools_2k(benchmark, small, tmp_path):
    ortools_peer(benchmark, small, tmp_path, rounds=5)


@case("chains: 2,000 orders, max_idle 20 min", size=2_000, unit="orders", series="HiGHS", quick=True)
def test_peer_highs_2k(benchmark, small):
    def run():
        real = small.real
        return min_cost_flow(len(real.supply), real.tail, real.head, real.cost, real.supply,
                             upper=real.upper, method="highs")
    result = benchmark.pedantic(run, rounds=3, iterations=1)
    plan = small.ours()
    assert result.objective + small.real.offset == pytest.approx(plan.objective, abs=1e-6)


@case("chains: 2,000 orders, max_idle 20 min", size=2_000, unit="orders", series="networkx", quick=True)
def test_peer_networkx_2k(benchmark, small):
    nx = pytest.importorskip("networkx")

    def run():
        graph = nx.DiGraph()
        for u, s in enumerate(small.supply):
            graph.add_node(u, demand=-int(s))
        graph.add_edges_from((int(t), int(h), {"capacity": int(c), "weight": int(w)})
                             for t, h, c, w in zip(small.tail, small.head, small.upper, small.cost))
        return nx.network_simplex(graph)[0]
    cost = benchmark.pedantic(run, rounds=1, iterations=1)
    small.check_same_objective(small.ours(), cost)


# ---------------------------------------------------------------- 20,000 orders
@pytest.fixture(scope="module")
def medium():
    return Instance(20_000, 1200.0)


@case("chains: 20,000 orders, max_idle 20 min", size=20_000, unit="orders", series="shareopt", quick=True)
def test_ours_chains_20k(benchmark, medium):
    plan = benchmark.pedantic(medium.ours, rounds=3, iterations=1)
    benchmark.extra_info.update(arcs_in_model=plan.arcs_in_model, pairs=medium.pairs,
                                rounds=plan.rounds, vehicles=plan.num_vehicles)


@case("chains: 20,000 orders, max_idle 20 min", size=20_000, unit="orders", series="OR-Tools", quick=True)
def test_peer_ortools_20k(benchmark, medium, tmp_path):
    ortools_peer(benchmark, medium, tmp_path, rounds=3)


@case("chains: 20,000 orders, max_idle 20 min", size=20_000, unit="orders", series="simplex alone")
def test_peer_simplex_alone_20k(benchmark, medium):
    medium.simplex_alone(benchmark, rounds=3)


# ---------------------------------------------------------------- a re-solve from the last plan
@pytest.fixture(scope="module")
def resolve():
    instance = Instance(20_000, 1200.0, with_network=False)
    instance.before = instance.ours()  # vehicle cost 160
    instance.kwargs = dict(instance.kwargs, vehicle_cost=165.0)
    return instance


@case("chains: 20,000 orders re-solved with vehicle cost 160 -> 165", series="shareopt", quick=True)
def test_ours_chains_resolve_from_plan_20k(benchmark, resolve):
    plan = benchmark.pedantic(solve_trip_chains, args=(resolve.orders,),
                              kwargs=dict(resolve.kwargs, initial=resolve.before), rounds=3, iterations=1)
    assert plan.certified
    assert plan.objective == pytest.approx(resolve.ours().objective, abs=1e-6)
    benchmark.extra_info.update(rounds=plan.rounds, vehicles=plan.num_vehicles)


@case("chains: 20,000 orders re-solved with vehicle cost 160 -> 165", series="from scratch", quick=True)
def test_peer_from_scratch_resolve_20k(benchmark, resolve):
    benchmark.pedantic(resolve.ours, rounds=3, iterations=1)


# ---------------------------------------------------------------- 100,000 orders (large)
@pytest.fixture(scope="module")
def big():
    return Instance(100_000, 1200.0) if LARGE else None


@large
@case("chains: 100,000 orders, max_idle 20 min", size=100_000, unit="orders", series="shareopt")
def test_ours_chains_100k(benchmark, big):
    plan = benchmark.pedantic(big.ours, rounds=1, iterations=1)
    benchmark.extra_info.update(arcs_in_model=plan.arcs_in_model, pairs=big.pairs,
                                rounds=plan.rounds, vehicles=plan.num_vehicles)


@large
@case("chains: 100,000 orders, max_idle 20 min", size=100_000, unit="orders", series="OR-Tools")
def test_peer_ortools_100k(benchmark, big, tmp_path):
    ortools_peer(benchmark, big, tmp_path, rounds=1)


@large
@case("chains: 100,000 orders, max_idle 20 min", size=100_000, unit="orders", series="simplex alone")
def test_peer_simplex_alone_100k(benchmark, big):
    big.simplex_alone(benchmark, rounds=1)


# ---------------------------------------------------------------- a full day (large)
@large
@case("chains: 380,000 orders (a full day), max_idle 60 min",
      size=380_000, unit="orders", series="shareopt, max_idle 60 min")
def test_ours_chains_full_day(benchmark):
    day = Instance(so.data.synthetic.NYC_DAY_ORDERS, 3600.0, with_network=False)
    plan = benchmark.pedantic(
        lambda: solve_trip_chains(day.orders, progress=True, time_limit=1800.0, **day.kwargs),
        rounds=1, iterations=1)
    benchmark.extra_info.update(arcs_in_model=plan.arcs_in_model, arcs_priced=plan.arcs_priced,
                                rounds=plan.rounds, vehicles=plan.num_vehicles,
                                certified=plan.certified)

"""Charging ports: failure curves by replay and the allocation, against PuLP with CBC.

The network is synthetic (``synthetic_charging``): 1,000 stations, 20,000 cars, ten days,
about 1.06 million reservation events; port costs 3,000 to 9,000 by station (so the curves
are not the greedy's case and the MIP is needed). Budget: 20% of what every allowed port
would cost. The plan and the allocation also run on the same construction at 100 stations
(2,000 cars, 107,000 events) and 300 stations (6,000 cars, 316,000 events): time against size.

- ``plan``: ours end to end from validated tables: events sorted, every station replayed for
  k = 0..8 added ports, the HiGHS MIP, and the re-simulation of the chosen ports.
- ``allocation``: the MIP alone on the same curves: ours (HiGHS, arrays, gap 0) against
  PuLP building the same model and solving it with CBC (gap 0).
- ``allocation, hard curves``: the same two on random curves that fall in a random order
  (1,000 stations, 11 choices each, integer costs 1 to 5): a MIP that needs branching.
- ``frontier``: ours, the least failures for every budget up to all ports (replay + exact DP).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import case  # benchmarks/ is on sys.path
from peers import pulp_port_allocation
from shareopt._allocation import allocate
from shareopt.charging import failure_curves, plan_ports, port_frontier
from shareopt.data.synthetic_charging import synthetic_charging

ROUNDS = 3


def make_network(stations: int):
    """``stations`` stations with 20 cars each, ten days; the budget and the failure curves."""
    net = synthetic_charging(stations, 20 * stations, days=10, seed=0)
    data = net.data
    budget = 0.2 * float((data.cost_per_port * data.max_added).sum())
    curves = failure_curves(data)
    return data, budget, curves


@pytest.fixture(scope="module")
def network():
    return make_network(1_000)


@pytest.fixture(scope="module")
def network_100():
    return make_network(100)


@pytest.fixture(scope="module")
def network_300():
    return make_network(300)


@case("charging plan 1M events", size=1_000, unit="stations", series="shareopt plan_ports")
def test_ours_plan(benchmark, network):
    measure_plan(benchmark, network)


@case("charging plan 107k events (100 stations)", size=100, unit="stations", series="shareopt plan_ports",
      quick=True)
def test_ours_plan_100(benchmark, network_100):
    measure_plan(benchmark, network_100)


@case("charging plan 316k events (300 stations)", size=300, unit="stations", series="shareopt plan_ports",
      quick=True)
def test_ours_plan_300(benchmark, network_300):
    measure_plan(benchmark, network_300)


def measure_plan(benchmark, network):
    data, budget, _ = network

    def fresh():  # every round sorts the events again, as a first plan on new tables does
        data._events = None
        return (data, budget), {}

    plan = benchmark.pedantic(plan_ports, setup=fresh, rounds=ROUNDS, iterations=1)
    assert plan.exact and plan.cost <= budget
    assert plan.resimulated == plan.predicted
    benchmark.extra_info.update(events=data.n_events, stations=data.n_stations, ports_added=int(plan.added.sum()),
                                baseline=plan.baseline, predicted=plan.predicted, case=plan.case)


@case("charging allocation MIP", size=1_000, unit="stations", series="shareopt allocate (HiGHS)")
def test_ours_allocation(benchmark, network):
    measure_allocation(benchmark, network)


@case("charging allocation MIP, 100 stations", size=100, unit="stations", series="shareopt allocate (HiGHS)",
      quick=True)
def test_ours_allocation_100(benchmark, network_100):
    measure_allocation(benchmark, network_100)


@case("charging allocation MIP, 300 stations", size=300, unit="stations", series="shareopt allocate (HiGHS)",
      quick=True)
def test_ours_allocation_300(benchmark, network_300):
    measure_allocation(benchmark, network_300)


def measure_allocation(benchmark, network):
    data, budget, curves = network
    chosen = benchmark.pedantic(allocate, args=(curves.weighted(), data.cost_per_port, curves.max_added, budget),
                                kwargs={"method": "mip"}, rounds=ROUNDS, iterations=1)
    assert chosen.exact
    benchmark.extra_info.update(objective=chosen.objective, columns=int((curves.max_added + 1).sum()))


@case("charging allocation MIP", size=1_000, unit="stations", series="PuLP/CBC")
def test_pulp_cbc_allocation(benchmark, network):
    measure_pulp_allocation(benchmark, network)


@case("charging allocation MIP, 100 stations", size=100, unit="stations", series="PuLP/CBC", quick=True)
def test_pulp_cbc_allocation_100(benchmark, network_100):
    measure_pulp_allocation(benchmark, network_100)


@case("charging allocation MIP, 300 stations", size=300, unit="stations", series="PuLP/CBC", quick=True)
def test_pulp_cbc_allocation_300(benchmark, network_300):
    measure_pulp_allocation(benchmark, network_300)


def measure_pulp_allocation(benchmark, network):
    pytest.importorskip("pulp")
    data, budget, curves = network
    weighted = curves.weighted()
    result = benchmark.pedantic(pulp_port_allocation, args=(weighted, data.cost_per_port, curves.max_added, budget),
                                rounds=ROUNDS, iterations=1)
    ours = allocate(weighted, data.cost_per_port, curves.max_added, budget, method="mip")
    assert result["status"] == "Optimal"
    assert result["objective"] == pytest.approx(ours.objective, rel=1e-9)
    benchmark.extra_info.update(objective=result["objective"])


@case("charging frontier", size=1_000, unit="stations", series="shareopt port_frontier")
def test_ours_frontier(benchmark, network):
    data, budget, curves = network

    def fresh():
        data._events = None
        return (data,), {}

    front = benchmark.pedantic(port_frontier, setup=fresh, rounds=ROUNDS, iterations=1)
    assert front.exact
    at = front.objective_at(budget)
    ours = allocate(curves.weighted(), data.cost_per_port, curves.max_added, budget, method="mip")
    assert at == pytest.approx(ours.objective, rel=1e-9)
    assert np.all(np.diff(front.objective) < 0)
    benchmark.extra_info.update(breakpoints=int(front.budget.size), max_budget=float(front.budget[-1]))


@pytest.fixture(scope="module")
def hard_curves():
    rng = np.random.default_rng(3)
    n, k = 1_000, 10
    drops = rng.permuted(np.sort(rng.exponential(10.0, (n, k)), axis=1), axis=1)  # nonconvex
    weighted = np.concatenate([np.full((n, 1), 100.0), 100.0 - np.cumsum(drops, axis=1)], axis=1)
    cost = rng.integers(1, 6, n).astype(float)
    max_added = np.full(n, k)
    return weighted, cost, max_added, 0.2 * float((cost * max_added).sum())


@case("charging allocation MIP, hard curves", size=1_000, unit="stations",
      series="shareopt allocate (HiGHS), hard curves")
def test_ours_hard_allocation(benchmark, hard_curves):
    chosen = benchmark.pedantic(allocate, args=hard_curves, kwargs={"method": "mip"}, rounds=ROUNDS, iterations=1)
    assert chosen.exact and chosen.case == "nonconvex"
    benchmark.extra_info.update(objective=chosen.objective)


@case("charging allocation MIP, hard curves", size=1_000, unit="stations", series="PuLP/CBC, hard curves")
def test_pulp_cbc_hard_allocation(benchmark, hard_curves):
    pytest.importorskip("pulp")
    result = benchmark.pedantic(pulp_port_allocation, args=hard_curves, rounds=ROUNDS, iterations=1)
    ours = allocate(*hard_curves, method="mip")
    assert result["status"] == "Optimal"
    assert result["objective"] == pytest.approx(ours.objective, rel=1e-9)
    benchmark.extra_info.update(objective=result["objective"])

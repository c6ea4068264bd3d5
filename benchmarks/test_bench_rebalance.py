"""Bike rebalancing: our network simplex against the seed's linprog and OR-Tools min-cost flow.

Systems: the real Citi Bike snapshot (828 stations with docks, 2019-07-05), and synthetic
Citi-Bike-like systems of 3,000 (about Citi Bike's size in 2025) and 20,000 stations. Ours is
timed end to end (bands, the min-feasible-alpha sweep, arcs, every solve and pricing round).
Peers get their model for free (not timed):

- ``seed linprog``: the seed's own dense formulation (a variable per ordered station pair,
  continuous bikes) through ``scipy.optimize.linprog`` (HiGHS): the seed's method as written;
- ``OR-Tools``: SimpleMinCostFlow on our transshipment with every giver -> taker pair (whole
  bikes, the same optimum; costs in millimetres, lower bounds moved into supplies).
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
import shareopt as so
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from peers import OrToolsFlow
from shareopt._bands import bands_at, net_ranges
from shareopt.rebalance import _Transshipment, rebalance

ROOT = Path(__file__).resolve().parents[1]
CITIBIKE = ROOT.parent / "shared" / "data" / "bike" / "citibike_gbfs_2019-07-05"
ALPHA = 0.1
UNITS_PER_KM = 1e6  # OR-Tools needs integer costs: millimetres


def _seed004():
    spec = importlib.util.spec_from_file_location("seed004", ROOT / "examples" / "seed004_rebalance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class System:
    def __init__(self, stations: so.Stations):
        self.stations = stations
        self.plan = rebalance(stations, ALPHA)
        assert self.plan.certified

    def ours(self):
        plan = rebalance(self.stations, ALPHA)
        assert plan.certified and plan.cost == pytest.approx(self.plan.cost, rel=1e-12)
        return plan

    def ortools_arrays(self):
        """Our transshipment, every giver -> taker pair, for SimpleMinCostFlow (no lower bounds:
        they move into the supplies)."""
        s = self.stations
        bands = bands_at(s.bikes, s.capacity, ALPHA)
        low, high = net_ranges(s.bikes, bands, True, True)
        model = _Transshipment(len(s), low, high, None)
        tail, head = model.all_pairs()
        km = np.abs(s.xy[tail] - s.xy[head]).sum(axis=1)
        cost = np.concatenate([np.zeros(len(model.fixed_tail)), np.round(km * UNITS_PER_KM)]).astype(np.int64)
        tails = np.concatenate([model.fixed_tail, tail])
        heads = np.concatenate([model.fixed_head, head])
        lower = np.concatenate([model.fixed_lower, np.zeros(len(tail))]).astype(np.int64)
        upper = np.concatenate([np.where(np.isinf(model.fixed_upper), 10**9, model.fixed_upper),
                                np.full(len(tail), 10**9)]).astype(np.int64)
        supply = np.zeros(len(s) + 2, dtype=np.int64)
        np.subtract.at(supply, tails, lower)
        np.add.at(supply, heads, lower)
        return tails, heads, upper - lower, cost, supply, len(tail)


def ortools_peer(benchmark, system, tmp_path, rounds):
    tail, head, upper, cost, supply, pairs = system.ortools_arrays()
    worker = OrToolsFlow(tmp_path, tail, head, upper, cost, supply)
    try:
        result = benchmark.pedantic(worker.solve, rounds=rounds, iterations=1)
    finally:
        worker.close()
    # Millimetres rounded: each bike-arc moves by at most half a unit (OR-Tools may route bikes
    # through a station, at no cost under L1 ties: allow three arcs a bike).
    slack = 0.5 / UNITS_PER_KM * 3 * system.plan.bikes_moved + 1e-6
    assert abs(result["cost"] / UNITS_PER_KM - system.plan.cost) <= slack
    benchmark.extra_info.update(arcs=len(tail), pairs=pairs)


def seed_peer(benchmark, system, rounds, time_limit=None):
    seed004 = _seed004()
    s = system.stations
    objective = benchmark.pedantic(
        lambda: seed004.seed_linprog(s.xy, s.capacity, s.bikes, ALPHA, time_limit)[0], rounds=rounds,
        iterations=1)
    # The seed's continuous bands are wider than whole-bike ones: its optimum is no dearer.
    assert np.isnan(objective) or objective <= system.plan.cost + 1e-6
    benchmark.extra_info.update(variables=len(s) * (len(s) - 1), objective=objective,
                                ours_integer_objective=system.plan.cost,
                                stopped_by_time_limit=bool(np.isnan(objective)))


def ours(benchmark, system, rounds):
    plan = benchmark.pedantic(system.ours, rounds=rounds, iterations=1)
    benchmark.extra_info.update(stations=len(system.stations), bikes_moved=int(plan.bikes_moved),
                                cost=plan.cost, arcs_in_model=plan.arcs_in_model,
                                arcs_priced=plan.arcs_priced, rounds=plan.rounds, gap_bound=plan.gap_bound)


# ---------------------------------------------------------------- Citi Bike, 828 stations
@pytest.fixture(scope="module")
def citibike():
    if not CITIBIKE.is_dir():
        pytest.skip("the shared data is not beside the repo")
    with warnings.catch_warnings():  # the snapshot's stations without docks are dropped (DataWarning)
        warnings.simplefilter("ignore", so.DataWarning)
        return System(so.read_stations(CITIBIKE))


@case("rebalance: Citi Bike snapshot, 828 stations, alpha 0.1",
      size=828, unit="stations", series="shareopt", quick=True)
def test_ours_citibike(benchmark, citibike):
    ours(benchmark, citibike, rounds=7)


@case("rebalance: Citi Bike snapshot, 828 stations, alpha 0.1",
      size=828, unit="stations", series="OR-Tools", quick=True)
def test_peer_ortools_citibike(benchmark, citibike, tmp_path):
    ortools_peer(benchmark, citibike, tmp_path, rounds=5)


@case("rebalance: Citi Bike snapshot, 828 stations, alpha 0.1",
      size=828, unit="stations", series="scipy linprog (seed)")
def test_peer_seed_linprog_citibike(benchmark, citibike):
    seed_peer(benchmark, citibike, rounds=3)


# ---------------------------------------------------------------- 3,000 stations
@pytest.fixture(scope="module")
def city():
    return System(so.synthetic_stations(3_000, seed=0))


@case("rebalance: 3,000 stations, alpha 0.1", size=3_000, unit="stations", series="shareopt", quick=True)
def test_ours_3000(benchmark, city):
    ours(benchmark, city, rounds=5)


@case("rebalance: 3,000 stations, alpha 0.1", size=3_000, unit="stations", series="OR-Tools", quick=True)
def test_peer_ortools_3000(benchmark, city, tmp_path):
    ortools_peer(benchmark, city, tmp_path, rounds=3)


@case("rebalance: 3,000 stations, alpha 0.1", size=3_000, unit="stations", series="scipy linprog (seed)")
def test_peer_seed_linprog_3000(benchmark, city):
    """9 million variables: over 20 minutes and 8 GB here, so stopped at 10 minutes (a lower
    bound on its time)."""
    seed_peer(benchmark, city, rounds=1, time_limit=600.0)


# ---------------------------------------------------------------- 20,000 stations
@case("rebalance: 20,000 stations, alpha 0.1", size=20_000, unit="stations", series="shareopt")
def test_ours_20000(benchmark):
    ours(benchmark, System(so.synthetic_stations(20_000, seed=0)), rounds=3)

"""Fleet distribution: the SAA on the real 2021-01-01 NYC day, ours against the monolithic HiGHS MIP.

Demand: the TLC head file's 21,875 trips picked up on 2021-01-01 (zones placed at their
centroids), H3 resolution 8 (228 cells), 24 periods, 2,000 cars, 10 scenarios (seed 0).

- ``ours``: ``solve_saa_highs`` as ``plan_fleet`` runs it: the model's relaxation first (its
  start cars come out whole here, which proves them optimal), the MIP only when they do not.
- ``highs_mip``: the same model handed to HiGHS as a MIP with integer start cars.
- ``benders``: our decomposition (HiGHS master, network-simplex cuts), one round: it is slower
  than one HiGHS model at this size (see RESULTS.md).

At 100 scenarios (1.3 M flow columns), the target size: ``plan_fleet`` as users call it
(Benders started from the plan optimal for 10 scenarios, gap 1e-6, then the out-of-sample
evaluation on 200 fresh days) against the monolithic HiGHS LP of the same SAA (its start cars
come out whole, which proves them; about five minutes: SHAREOPT_BENCH_LARGE=1).
"""

from __future__ import annotations

import os
import warnings

import pytest
import shareopt as so
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from shareopt._hexfleet_model import build_network, solve_saa_benders, solve_saa_highs
from shareopt.hexfleet import (
    _demand_plan,
    hex_demand,
    plan_fleet,
    proportional_plan,
    sample_scenarios,
)

FLEET = 2_000
LARGE = os.environ.get("SHAREOPT_BENCH_LARGE") == "1"
GROUP_100 = "hexfleet SAA, NYC day, res 8, 24 periods, 100 scenarios"


@pytest.fixture(scope="module")
def nyc_day():
    from conftest import SHARED_DATA

    path = SHARED_DATA / "nyc" / "yellow_tripdata_2021-01-01_head.csv"
    if not path.is_file():
        pytest.skip("shared data not found")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        orders = so.read_orders(path, date="2021-01-01")
    demand = hex_demand(orders, resolution=8, periods=24)
    counts = sample_scenarios(demand, 10, seed=0)
    network = build_network(demand.od_origin, demand.od_period, demand.od_dest, demand.od_arrive, demand.od_gain,
                            demand.maintenance, demand.periods)
    reference = solve_saa_highs(network, counts, FLEET, relax_first=False, mip_gap=1e-6).profit
    return demand, network, counts, reference


@case(GROUP_100, size=100, unit="scenarios", series="shareopt")
def test_ours_plan_100_scenarios(benchmark, nyc_day):
    demand = nyc_day[0]
    plan = benchmark.pedantic(plan_fleet, args=(demand, FLEET), kwargs={"scenarios": 100, "method": "benders"},
                              rounds=3, iterations=1)
    assert plan.proven and plan.bound - plan.in_sample <= 1e-6 * abs(plan.in_sample)
    assert plan.in_sample >= plan.in_sample_baseline
    benchmark.extra_info.update(profit=plan.in_sample, bound=plan.bound, iterations=plan.iterations,
                                improvement_pct=plan.improvement_pct)


@pytest.mark.skipif(not LARGE, reason="set SHAREOPT_BENCH_LARGE=1 (about five minutes)")
@case(GROUP_100, size=100, unit="scenarios", series="HiGHS (one model)")
def test_highs_lp_100_scenarios(benchmark, nyc_day):
    demand, network = nyc_day[0], nyc_day[1]
    counts = sample_scenarios(demand, 100, seed=0)
    saa = benchmark.pedantic(solve_saa_highs, args=(network, counts, FLEET), kwargs={"integer": False},
                             rounds=1, iterations=1)
    benchmark.extra_info.update(profit=saa.profit)


@case("hexfleet SAA, NYC day, res 8, 24 periods, 10 scenarios",
      size=10, unit="scenarios", series="shareopt", quick=True)
def test_ours_saa(benchmark, nyc_day):
    _, network, counts, reference = nyc_day
    saa = benchmark.pedantic(solve_saa_highs, args=(network, counts, FLEET), kwargs={"mip_gap": 1e-6}, rounds=3,
                             iterations=1)
    assert saa.proven and saa.profit == pytest.approx(reference, rel=1e-6)
    assert saa.cars.sum() == FLEET
    benchmark.extra_info.update(profit=saa.profit, cells=int(network.n_cells))


@case("hexfleet SAA, NYC day, res 8, 24 periods, 10 scenarios",
      size=10, unit="scenarios", series="HiGHS (one model)", quick=True)
def test_highs_mip_saa(benchmark, nyc_day):
    _, network, counts, reference = nyc_day
    saa = benchmark.pedantic(solve_saa_highs, args=(network, counts, FLEET),
                             kwargs={"relax_first": False, "mip_gap": 1e-6}, rounds=3, iterations=1)
    assert saa.profit == pytest.approx(reference, rel=1e-6)


@case("hexfleet SAA, NYC day, res 8, 24 periods, 10 scenarios", size=10, unit="scenarios", series="shareopt Benders")
def test_benders_saa(benchmark, nyc_day):
    demand, network, counts, reference = nyc_day
    starts = [proportional_plan(demand, FLEET), _demand_plan(demand, FLEET)]
    result = benchmark.pedantic(solve_saa_benders, args=(network, counts, FLEET, starts),
                                kwargs={"time_limit": 600}, rounds=1, iterations=1)
    assert result.upper >= reference - 1e-6 and result.lower <= reference + 1e-6
    benchmark.extra_info.update(proven=result.proven, iterations=result.iterations, lower=result.lower,
                                upper=result.upper)

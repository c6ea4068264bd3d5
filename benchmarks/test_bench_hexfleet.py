"""Fleet distribution: the SAA on the real 2021-01-01 NYC day, ours against the monolithic HiGHS MIP.

Demand: the TLC head file's 21,875 trips picked up on 2021-01-01 (zones placed at their
centroids), H3 resolution 8 (228 cells), 24 periods, 2,000 cars, 10 scenarios (seed 0).

- ``ours``: ``solve_saa_highs`` as ``plan_fleet`` runs it: the model's relaxation first (its
  start cars come out whole here, which proves them optimal), the MIP only when they do not.
- ``highs_mip``: the same model handed to HiGHS as a MIP with integer start cars.
- ``benders``: our decomposition (HiGHS master, network-simplex cuts), one round: it is slower
  than one HiGHS model at this size (see RESULTS.md).
"""

from __future__ import annotations

import warnings

import pytest
import shareopt as so
from shareopt._hexfleet_model import build_network, solve_saa_benders, solve_saa_highs
from shareopt.hexfleet import (
    _demand_plan,
    hex_demand,
    proportional_plan,
    sample_scenarios,
)

FLEET = 2_000


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


@pytest.mark.benchmark(group="hexfleet SAA, NYC day, res 8, 24 periods, 10 scenarios")
def test_ours_saa(benchmark, nyc_day):
    _, network, counts, reference = nyc_day
    saa = benchmark.pedantic(solve_saa_highs, args=(network, counts, FLEET), kwargs={"mip_gap": 1e-6}, rounds=3,
                             iterations=1)
    assert saa.proven and saa.profit == pytest.approx(reference, rel=1e-6)
    assert saa.cars.sum() == FLEET
    benchmark.extra_info.update(profit=saa.profit, cells=int(network.n_cells))


@pytest.mark.benchmark(group="hexfleet SAA, NYC day, res 8, 24 periods, 10 scenarios")
def test_highs_mip_saa(benchmark, nyc_day):
    _, network, counts, reference = nyc_day
    saa = benchmark.pedantic(solve_saa_highs, args=(network, counts, FLEET),
                             kwargs={"relax_first": False, "mip_gap": 1e-6}, rounds=3, iterations=1)
    assert saa.profit == pytest.approx(reference, rel=1e-6)


@pytest.mark.benchmark(group="hexfleet SAA, NYC day, res 8, 24 periods, 10 scenarios")
def test_benders_saa(benchmark, nyc_day):
    demand, network, counts, reference = nyc_day
    starts = [proportional_plan(demand, FLEET), _demand_plan(demand, FLEET)]
    result = benchmark.pedantic(solve_saa_benders, args=(network, counts, FLEET, starts),
                                kwargs={"time_limit": 600}, rounds=1, iterations=1)
    assert result.upper >= reference - 1e-6 and result.lower <= reference + 1e-6
    benchmark.extra_info.update(proven=result.proven, iterations=result.iterations, lower=result.lower,
                                upper=result.upper)

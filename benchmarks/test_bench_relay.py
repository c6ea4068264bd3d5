"""Scooter relays: ours (pruned MIP, levels, greedy and LP-rounding starts) against the seed's MIP.

Instances: ``synthetic_relay(L, S, K, seed=0, places="citibike")``: L Citi Bike stations
sampled from the 2019-07-05 GBFS snapshot (haversine distances, 15 km/h), S scooters with
charge uniform in [0.2, 1] of a 2 km full range, K commutes between stations 1.2-2.5 km apart
with a budget of 1.2-1.6 x the direct time and demand 1-20. The main one is 200 / 100 / 500.

- ``ours``: :func:`solve_relays` end to end (travel model, pruning, greedy, LP rounding, the
  MIP, the fewest-scooters tie-break), with a 60 s limit: to a 1% gap (the target) and to the
  default 1e-4 gap.
- ``seed``: the seed's formulation in HiGHS (``peers_relay.seed_model``: a binary per scooter
  and place, per ordered pair, per commute and ordered pair; no pruning), same instance, same
  60 s limit, built from arrays too (building is not timed). At 200 places it would have about
  20 million columns: it is not built (that test is skipped, not timed); its size is recorded
  in the extra_info of ours to 1e-4 (``seed_model``). It is measured on 30 / 20 / 60 and
  60 / 40 / 120 against ours on the same instances.
"""

from __future__ import annotations

import time

import pytest
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from peers_relay import seed_model, seed_size
from shareopt.exceptions import SolverError
from shareopt.relay import solve_relays, synthetic_relay

LIMIT = 60.0
SEED_COLUMN_CAP = 3_000_000  # above this the seed's model is not built (memory), only sized
FULL = (200, 100, 500)
SMALL = [(30, 20, 60), (60, 40, 120)]


def group(size) -> str:
    return f"relay, {size[0]} places, {size[1]} scooters, {size[2]} commutes"


def small_params(quick_sizes):
    """The small instances as parameters, those in ``quick_sizes`` marked for the quick suite."""
    return [pytest.param(size, id=f"{size[0]}x{size[1]}x{size[2]}",
                         marks=[pytest.mark.quick] if size in quick_sizes else [])
            for size in SMALL]


@pytest.fixture(scope="module")
def instances():
    from conftest import SHARED_DATA

    if not (SHARED_DATA / "bike" / "citibike_gbfs_2019-07-05").is_dir():
        pytest.skip("shared data (Citi Bike snapshot) not found")
    return {size: synthetic_relay(*size, seed=0, places="citibike",
                                  stations=SHARED_DATA / "bike" / "citibike_gbfs_2019-07-05")
            for size in [FULL, *SMALL]}


def summary(plan) -> dict:
    d = plan.to_dict()
    keys = ("served_demand", "total_demand", "served_share", "servable_demand", "bound", "mip_gap", "proven",
            "status", "greedy_demand", "rounded_demand", "greedy_status", "scooters_used", "tie_break",
            "arcs_unpruned", "arcs_usable", "arcs_kept", "model_columns", "model_rows", "timings_s", "time_s")
    return {key: d[key] for key in keys}


@case(group(FULL), size=FULL[2], unit="commutes", series="shareopt, to 1% gap")
def test_ours_relay_full_to_1pct(benchmark, instances):
    plan = benchmark.pedantic(solve_relays, args=(instances[FULL],), kwargs={"time_limit": LIMIT, "mip_gap": 0.01},
                              rounds=3, iterations=1)
    assert plan.mip_gap <= 0.01 + 1e-9 and plan.served_demand >= plan.mip_objective - 1e-6
    benchmark.extra_info.update(summary(plan))


@case(group(FULL), size=FULL[2], unit="commutes", series="shareopt")
def test_ours_relay_full_exact(benchmark, instances):
    data = instances[FULL]
    plan = benchmark.pedantic(solve_relays, args=(data,), kwargs={"time_limit": LIMIT}, rounds=1, iterations=1)
    assert plan.proven and plan.mip_gap <= 1e-4 + 1e-9
    benchmark.extra_info.update(summary(plan))
    size = seed_size(data.n_locations, data.n_scooters, data.n_commutes)
    benchmark.extra_info["seed_model"] = {**size, "built": size["columns"] <= SEED_COLUMN_CAP}


@case(group(FULL), size=FULL[2], unit="commutes", series="seed's MIP (HiGHS)")
def test_peer_seed_full(benchmark, instances):
    data = instances[FULL]
    size = seed_size(data.n_locations, data.n_scooters, data.n_commutes)
    if size["columns"] > SEED_COLUMN_CAP:  # ~20 M binaries: not built, so the run cannot exhaust memory
        pytest.skip(f"the seed's model would have {size['columns']:,} columns and {size['rows']:,} rows "
                    f"(> {SEED_COLUMN_CAP:,}): not built; the size is in test_ours_relay_full_exact's extra_info")
    _seed_run(benchmark, data, None)


@pytest.mark.parametrize("size", small_params(SMALL))
def test_ours_relay_small(benchmark, instances, size):
    benchmark.group = group(size)
    benchmark.extra_info.update(size=size[2], unit="commutes", series="shareopt")
    plan = benchmark.pedantic(solve_relays, args=(instances[size],), kwargs={"time_limit": LIMIT},
                              rounds=3, iterations=1)
    assert plan.proven and plan.served_demand >= plan.mip_objective - 1e-6
    benchmark.extra_info.update(summary(plan))


@pytest.mark.parametrize("size", small_params(SMALL[:1]))
def test_peer_seed_small(benchmark, instances, size):
    benchmark.group = group(size)
    benchmark.extra_info.update(size=size[2], unit="commutes", series="seed's MIP (HiGHS)")
    reference = solve_relays(instances[size], time_limit=LIMIT)
    _seed_run(benchmark, instances[size], reference)


def _seed_run(benchmark, data, reference):
    started = time.perf_counter()
    try:
        program = seed_model(data)
    except MemoryError:
        benchmark.extra_info.update(built=False, reason="MemoryError while building")
        pytest.skip("the seed's model does not fit in memory")
    benchmark.extra_info.update(built=True, build_s=round(time.perf_counter() - started, 3),
                                columns=program.n_cols, rows=program.n_rows, nonzeros=int(program.A.nnz))

    def solve():
        try:
            return program.solve(time_limit=LIMIT, mip_gap=1e-4)
        except SolverError as error:  # e.g. no feasible point within the limit
            return error

    result = benchmark.pedantic(solve, rounds=1, iterations=1)
    if isinstance(result, SolverError):
        benchmark.extra_info.update(status=str(result), objective=None)
        return
    benchmark.extra_info.update(status=result.status, objective=result.objective, bound=result.dual_bound,
                                mip_gap=result.mip_gap, proven=bool(result.is_optimal), time_s=result.time)
    if reference is not None:
        benchmark.extra_info.update(ours_served=reference.served_demand, ours_proven=reference.proven,
                                    ours_time_s=reference.time_s)
        assert result.objective <= reference.bound + 1e-6  # the same problem: neither beats the other's bound
        if result.is_optimal and reference.proven:
            assert result.objective == pytest.approx(reference.served_demand, rel=1e-4)

"""Seed 001, phase one: exact trip chains for sampled NYC taxi orders, timed.

The seed project (an AV-sharing scheduler after Ma et al., 2017) solves its phase-one model,
a min-cost flow LP from a source through every order's pickup and drop-off to a sink, on
orders sampled at random from one NYC taxi day: 10 instances for each size 10, 20, ..., 80.
Its LP took about 26 s per instance at 80 orders and grew steeply with the size.

This script runs the same experiment with :func:`shareopt.solve_trip_chains`, then goes on to
larger sizes.

Design (the seed's cost semantics)
----------------------------------
- vehicle cost 100 + 30 dispatch + 30 collection = 160 per vehicle, no depot;
- revenue of an order = 100 x its trip miles (lost when the order is not served);
- driving costs 5 per mile, empty (deadhead) and in service alike;
- relocation takes 30 s per mile (120 mph) on the chosen metric between the places;
- fleet bound F = 10,000 vehicles; orders need not all be served.

Sizes up to the real day's size are sampled (seeded :class:`numpy.random.Generator`, one per
size) from the real day (``--data``, a TLC zone file; places are zone centroids, distances
the recorded trip distances). Larger sizes are sampled from the synthetic NYC-like day of
:func:`shareopt.synthetic_orders` (380,000 orders); the table's ``data`` column says which.
Sizes up to 80 are also solved with ``method="highs"`` (the same LP over every compatible
pair), and both objectives must agree.

Run it
------
From the repository root, with shareopt installed::

    python examples/seed001_phase_one.py            # seed sizes, then 1,000 to 100,000
    python examples/seed001_phase_one.py --quick    # stop at 10,000 orders
    python examples/seed001_phase_one.py --json     # one JSON object instead of the table

``--data`` defaults to ``../shared/data/nyc/yellow_tripdata_2021-01-01_head.csv`` beside the
repository (``$SHAREOPT_SHARED_DATA`` replaces ``../shared/data``). A solve of 100,000 orders
takes minutes, so sizes above 10,000 get ``--big-instances`` (default 1) instances each.
Times are ``solution.time_s`` (the whole call); one untimed warm-up solve first keeps one-time
import costs out of the first instance.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from shareopt import DataWarning, read_orders, solve_trip_chains, synthetic_orders

MILE_KM = 1.609344
SEED_SECONDS_AT_80 = 26.0  # the seed's LP at 80 orders (its phase-one timing figure)
SHARED = Path(os.environ.get("SHAREOPT_SHARED_DATA",
                             Path(__file__).resolve().parents[2] / "shared" / "data"))
DEFAULT_DATA = SHARED / "nyc" / "yellow_tripdata_2021-01-01_head.csv"
COSTS = {"vehicle_cost": 100.0 + 30.0 + 30.0, "deadhead_cost_per_km": 5.0 / MILE_KM,
         "service_cost_per_km": 5.0 / MILE_KM, "speed_kmh": 120.0 * MILE_KM,
         "max_vehicles": 10_000}
HIGHS_UP_TO = 80
BIG = 10_000  # --quick stops here; larger sizes get --big-instances instances


def parse_args(argv=None) -> argparse.Namespace:
    def sizes(text):
        return [int(v) for v in text.split(",") if v.strip()]

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TLC trip file (real day)")
    parser.add_argument("--date", default="2021-01-01", help="the day to keep from --data")
    parser.add_argument("--sizes", type=sizes, default=list(range(10, 81, 10)),
                        help="seed sizes, comma-separated (default 10,20,...,80)")
    parser.add_argument("--large", type=sizes, default=[1_000, 10_000, 100_000],
                        help="larger sizes (default 1000,10000,100000)")
    parser.add_argument("--instances", type=int, default=10,
                        help="instances per size up to 10,000 orders (default 10)")
    parser.add_argument("--big-instances", type=int, default=1,
                        help="instances per size above 10,000 orders (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed")
    parser.add_argument("--metric", default="manhattan", choices=["manhattan", "euclidean"])
    parser.add_argument("--quick", action="store_true", help="stop at 10,000 orders")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        args.large = [n for n in args.large if n <= BIG]
    return args


def with_seed_revenue(orders):
    """The orders with revenue = 100 x trip miles (recorded distance)."""
    if orders.distance is None:
        raise ValueError("these orders have no recorded trip distance to price them by")
    orders.revenue = 100.0 * orders.distance / MILE_KM
    return orders


def sample(day, n: int, rng: np.random.Generator):
    return with_seed_revenue(day.take(np.sort(rng.choice(len(day), size=n, replace=False))))


def run_size(day, source: str, n: int, instances: int, seed: int, metric: str) -> dict:
    """Solve ``instances`` samples of ``n`` orders; summary of times, fleet and checks."""
    rng = np.random.default_rng([seed, n])
    times, highs_times, vehicles, served, certified, gaps = [], [], [], [], [], []
    for _ in range(instances):
        orders = sample(day, n, rng)
        ours = solve_trip_chains(orders, metric=metric, **COSTS)
        times.append(ours.time_s)
        vehicles.append(ours.num_vehicles)
        served.append(float(ours.served.mean()))
        certified.append(bool(ours.certified))
        if n <= HIGHS_UP_TO:
            highs = solve_trip_chains(orders, metric=metric, method="highs", **COSTS)
            highs_times.append(highs.time_s)
            gap = abs(ours.objective - highs.objective)
            if gap >= 1e-6 * max(1.0, abs(highs.objective)):
                raise AssertionError(f"{n} orders: network objective {ours.objective!r} != "
                                     f"HiGHS objective {highs.objective!r}")
            gaps.append(gap)
    row = {"data": source, "orders": n, "instances": instances,
           "median_s": float(np.median(times)), "max_s": float(np.max(times)),
           "mean_s": float(np.mean(times)), "mean_vehicles": float(np.mean(vehicles)),
           "served_share": float(np.mean(served)), "certified": int(sum(certified)),
           "highs_median_s": None, "highs_max_s": None, "max_objective_gap": None}
    if highs_times:
        row.update(highs_median_s=float(np.median(highs_times)),
                   highs_max_s=float(np.max(highs_times)), max_objective_gap=float(max(gaps)))
    return row


HEADER = (f"{'data':<9} {'orders':>8} {'inst':>4} {'median s':>9} {'max s':>9} "
          f"{'HiGHS med s':>11} {'HiGHS max s':>11} {'vehicles':>9} {'served':>7} {'certified':>9}")


def format_row(row: dict) -> str:
    def secs(v):
        return "-" if v is None else f"{v:.4f}" if v < 10 else f"{v:.1f}"
    return (f"{row['data']:<9} {row['orders']:>8,} {row['instances']:>4} "
            f"{secs(row['median_s']):>9} {secs(row['max_s']):>9} "
            f"{secs(row['highs_median_s']):>11} {secs(row['highs_max_s']):>11} "
            f"{row['mean_vehicles']:>9.1f} {100 * row['served_share']:>6.1f}% "
            f"{row['certified']:>4}/{row['instances']:<4}")


def comparison(rows: list[dict]) -> str:
    at80 = [r for r in rows if r["orders"] == 80]
    if not at80:
        return "no 80-order row to compare with the seed's 26 s"
    r = at80[0]
    return (f"at 80 orders the seed's LP took about {SEED_SECONDS_AT_80:.0f} s; ours took "
            f"{r['median_s'] * 1e3:.1f} ms median, {r['max_s'] * 1e3:.1f} ms max: "
            f"{SEED_SECONDS_AT_80 / r['median_s']:,.0f}x faster at the median "
            f"({SEED_SECONDS_AT_80 / r['max_s']:,.0f}x at the max)")


def load_real(path: Path, date: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # dropped rows are counted in .report
        orders = read_orders(path, date=date)
    report = orders.report
    note = (f"real day: {path.name} ({date}), {len(orders):,} orders kept of "
            f"{report.n_read:,} rows ({report.n_dropped:,} dropped: see read_orders' report)")
    return orders, note


def main(argv=None) -> int:
    args = parse_args(argv)
    real, real_note = load_real(args.data, args.date)
    synthetic = None
    out = (lambda text: None) if args.json else (lambda text: print(text, flush=True))
    out("Seed 001 phase one: exact trip chains (shareopt network simplex, lazy arcs)")
    out(f"costs: vehicle {COSTS['vehicle_cost']:g}, 5 per mile driven, revenue 100 per trip "
        f"mile, 30 s per mile relocation ({args.metric}), F = {COSTS['max_vehicles']:,}")
    out(real_note)
    out(f"instances per size: {args.instances} up to {BIG:,} orders, {args.big_instances} above; "
        f"HiGHS cross-check up to {HIGHS_UP_TO} orders; sampling seed {args.seed}\n")
    run_size(real, "warm-up", 10, 1, args.seed, args.metric)  # untimed: first-call imports
    out(HEADER)
    rows = []
    for n in args.sizes + args.large:
        instances = args.instances if n <= BIG else args.big_instances
        if n <= len(real):
            day, source = real, "real"
        else:
            if synthetic is None:
                synthetic = synthetic_orders(seed=args.seed)  # a full NYC-like day
            day, source = synthetic, "synthetic"
        if n > len(day):
            raise ValueError(f"{n:,} orders: more than the {len(day):,} of the {source} day")
        rows.append(run_size(day, source, n, instances, args.seed, args.metric))
        out(format_row(rows[-1]))
    every_certified = all(r["certified"] == r["instances"] for r in rows)
    line = comparison(rows)
    if args.json:
        print(json.dumps({"costs": COSTS, "metric": args.metric, "seed": args.seed,
                          "real_data": str(args.data), "real_orders": len(real),
                          "synthetic_orders": None if synthetic is None else len(synthetic),
                          "rows": rows, "all_certified": every_certified,
                          "seed_seconds_at_80": SEED_SECONDS_AT_80, "comparison": line}))
    else:
        out("\nreal = sampled from the real day; synthetic = sampled from synthetic_orders' "
            "380,000-order day")
        if any(r["highs_median_s"] is not None for r in rows):
            out("network and HiGHS objectives agree on every instance they both solved")
        out("every instance certified optimal" if every_certified
            else "NOT every instance was certified optimal")
        out(line)
    return 0 if every_certified else 1


if __name__ == "__main__":
    sys.exit(main())

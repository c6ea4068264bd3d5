"""Seed 001, phase two: real-time orders by cheapest insertion, against the offline optimum.

The seed chains n1 reserved orders optimally (phase one), then inserts n2 real-time orders one
by one where each raises the cost least, accepting every feasible one; its gap to the offline
optimum of all n1 + n2 orders was 0.14% (10 + 10), 0.74% (20 + 20), 0.60% (30 + 30), 0.77%
(40 + 40), and with 100 reserved 1.31% rising to 1.88% for 100 to 1,000 real-time orders.

This script runs that design with :class:`shareopt.Dispatcher` on orders sampled from the real
2021-01-01 TLC day (the seed's costs, as in seed001_phase_one.py), ``--instances`` seeds per
size, and reports the mean gap = 100 x (plan - offline) / |offline| for:

- ``greedy``: the seed's rule (``policy="always"``), offers in random order, no request times;
- ``greedy online``: the same in time, each order requested ``--lead`` minutes (uniform up to
  it) before its pickup and offered in request order, vehicles leaving no earlier than that;
- ``bidprice``: greedy online, each order placed by its marginal cost plus the bid prices of
  the vehicle states it uses and leaves (phase-one potentials, weight ``--weight``);
- ``reoptimize``: greedy online plus :meth:`~shareopt.Dispatcher.reoptimize` every
  ``--every`` minutes (everything not started re-chained exactly);
- ``reopt+bid``: both.

Run it: ``python examples/seed001_phase_two.py [--quick] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from shareopt import Dispatcher, solve_trip_chains

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed001_phase_one import COSTS, DEFAULT_DATA, load_real, with_seed_revenue  # noqa: E402

SEED_GAPS = {(10, 10): 0.14, (20, 20): 0.74, (30, 30): 0.60, (40, 40): 0.77,
             (100, 100): 1.31, (100, 1000): 1.88}
KEYS = ("greedy", "greedy_online", "bidprice", "reoptimize", "reoptimize_bidprice")
DESIGN = [(10, 10), (20, 20), (30, 30), (40, 40), (100, 100), (100, 250), (100, 500), (100, 1000)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TLC trip file (real day)")
    parser.add_argument("--date", default="2021-01-01")
    parser.add_argument("--instances", type=int, default=10, help="seeds per size (default 10)")
    parser.add_argument("--lead", type=float, default=60.0, help="longest request lead, minutes")
    parser.add_argument("--every", type=float, default=30.0, help="minutes between re-optimizations")
    parser.add_argument("--weight", type=float, default=0.75, help="bid price weight")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="sizes up to 100 + 250, 3 seeds")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    return parser.parse_args(argv)


def gap(plan: float, offline: float) -> float:
    return 100.0 * (plan - offline) / abs(offline)


def run_online(plan, reserved, realtime, request, every_s: float | None,
               weight: float = 0.0) -> tuple[float, int, list]:
    """Offers in request order; with every_s, re-optimize whenever that much time has passed."""
    dispatcher = Dispatcher(plan, reserved, policy="always", bid_prices=weight, **COSTS)
    order = np.argsort(request, kind="stable")
    latencies, accepted = [], 0
    next_reopt = request[order[0]] + every_s if every_s else np.inf
    for k in order:
        if request[k] >= next_reopt:
            dispatcher.reoptimize(float(request[k]))
            next_reopt = request[k] + every_s
        start = time.perf_counter()
        decision = dispatcher.offer(realtime.take([k]), request_time=float(request[k]))
        latencies.append(time.perf_counter() - start)
        accepted += decision.accepted
    return dispatcher.objective, accepted, latencies


def run_instance(day, n1: int, n2: int, seed: int, lead_s: float, every_s: float, weight: float) -> dict:
    rng = np.random.default_rng([seed, n1, n2])
    picked = rng.choice(len(day), size=n1 + n2, replace=False)
    reserved_rows, realtime_rows = np.sort(picked[:n1]), np.sort(picked[n1:])
    orders = with_seed_revenue(day.take(np.sort(picked)))
    reserved = with_seed_revenue(day.take(reserved_rows))
    realtime = with_seed_revenue(day.take(realtime_rows))
    offline = solve_trip_chains(orders, **COSTS).objective
    plan = solve_trip_chains(reserved, **COSTS)
    # The seed's greedy: every real-time order in random order, no request times.
    greedy = Dispatcher(plan, reserved, policy="always", **COSTS)
    greedy.offer_many(realtime.take(rng.permutation(n2)))
    request = realtime.pickup_time - rng.uniform(0.0, lead_s, n2)
    online, _, latencies = run_online(plan, reserved, realtime, request, None)
    bid, _, _ = run_online(plan, reserved, realtime, request, None, weight)
    reopt, _, _ = run_online(plan, reserved, realtime, request, every_s)
    both, _, _ = run_online(plan, reserved, realtime, request, every_s, weight)
    return {"offline": offline, "greedy": gap(greedy.objective, offline),
            "greedy_online": gap(online, offline), "bidprice": gap(bid, offline),
            "reoptimize": gap(reopt, offline), "reoptimize_bidprice": gap(both, offline),
            "latency_us": 1e6 * float(np.median(latencies))}


def main(argv=None) -> int:
    args = parse_args(argv)
    day, note = load_real(args.data, args.date)
    design = [d for d in DESIGN if d[1] <= 250] if args.quick else DESIGN
    instances = min(args.instances, 3) if args.quick else args.instances
    rows = []
    for n1, n2 in design:
        runs = [run_instance(day, n1, n2, args.seed + s, 60.0 * args.lead, 60.0 * args.every, args.weight)
                for s in range(instances)]
        row = {"reserved": n1, "realtime": n2, "instances": instances,
               "seed_gap_pct": SEED_GAPS.get((n1, n2))}
        for key in KEYS:
            row[f"{key}_gap_pct"] = float(np.mean([r[key] for r in runs]))
        row["offer_latency_us_median"] = float(np.median([r["latency_us"] for r in runs]))
        rows.append(row)
    if args.json:
        print(json.dumps({"data": note, "costs": COSTS, "lead_min": args.lead,
                          "every_min": args.every, "bid_price_weight": args.weight, "rows": rows}))
        return 0
    print(note)
    print(f"mean gap to the offline optimum, % ({instances} seeds each; lead up to {args.lead:g} min, "
          f"re-optimize every {args.every:g} min, bid price weight {args.weight:g})")
    print(f"{'orders':>10} {'seed':>6} {'greedy':>7} {'online':>7} {'bidprice':>8} {'reopt':>7} "
          f"{'reopt+bid':>9} {'offer us':>9}")
    for row in rows:
        seed_gap = "" if row["seed_gap_pct"] is None else f"{row['seed_gap_pct']:.2f}"
        print(f"{row['reserved']:>4} +{row['realtime']:>5} {seed_gap:>6} {row['greedy_gap_pct']:>7.2f} "
              f"{row['greedy_online_gap_pct']:>7.2f} {row['bidprice_gap_pct']:>8.2f} "
              f"{row['reoptimize_gap_pct']:>7.2f} {row['reoptimize_bidprice_gap_pct']:>9.2f} "
              f"{row['offer_latency_us_median']:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Phase two at NYC scale: 100,000 reserved orders and 280,000 real-time ones in one day.

A synthetic NYC day (``shareopt.synthetic_orders``, 380,000 orders, x/y km, NYC hourly
speeds), the seed's costs (160 per vehicle, 5 per mile driven, revenue 100 per trip mile) and
``max_idle`` of 20 minutes (``--max-idle``). A random 100,000 orders are reserved and chained exactly (phase
one); the other 280,000 are requested up to ``--lead`` minutes before their pickups and
offered in request order. Strategies:

- ``greedy``: cheapest insertion (the seed's rule), the whole stream in one ``offer_many``;
- ``bidprice``: the same, placed by the phase-one bid prices;
- ``reoptimize``: greedy, and every ``--every`` minutes the next ``--horizon`` minutes of all
  chains re-chained exactly (``Dispatcher.reoptimize(now, horizon=...)``);
- ``reoptimize-bidprice``: both.

With ``--offline`` the day is also solved offline (all 380,000 orders known) within
``--offline-time-limit`` seconds: its objective is a plan, and its lower bound (from the
complete pricing rounds) bounds every plan's gap to the true optimum.

Run it: ``python examples/nyc_scale_dispatch.py [--json]`` (about half an hour on 2 cores);
``--n 38000 --reserved 10000`` for a tenth of the day.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import shareopt as so
from shareopt.data.synthetic import NYC_DAY_ORDERS, NYC_HOURLY_SPEED_KMH

MILE_KM = 1.609344
STRATEGIES = ("greedy", "bidprice", "reoptimize", "reoptimize-bidprice")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=NYC_DAY_ORDERS, help="orders in the day")
    parser.add_argument("--reserved", type=int, default=100_000, help="reserved orders")
    parser.add_argument("--lead", type=float, default=30.0, help="longest request lead, minutes")
    parser.add_argument("--every", type=float, default=15.0, help="minutes between re-optimizations")
    parser.add_argument("--horizon", type=float, default=60.0, help="minutes re-optimized ahead")
    parser.add_argument("--weight", type=float, default=0.75, help="bid price weight")
    parser.add_argument("--max-idle", type=float, default=20.0,
                        help="minutes a vehicle may wait between orders (0: no limit)")
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--offline", action="store_true", help="also solve the whole day offline")
    parser.add_argument("--offline-time-limit", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def run(plan, reserved, stream, request, costs, strategy: str, args) -> dict:
    weight = args.weight if "bidprice" in strategy else 0.0
    dispatcher = so.Dispatcher(plan, reserved, policy="always", bid_prices=weight, **costs)
    start = time.perf_counter()
    offer_s, reopt_s, saving, rounds = 0.0, 0.0, 0.0, 0
    if strategy.startswith("reoptimize"):
        step = 60.0 * args.every
        edges = np.arange(request[0] + step, request[-1] + step, step)
        cuts = np.searchsorted(request, edges, side="left")
        begin = 0
        for now, end in zip(edges, cuts):
            tick = time.perf_counter()
            dispatcher.offer_many(stream.take(np.arange(begin, end)), request[begin:end])
            offer_s += time.perf_counter() - tick
            tick = time.perf_counter()
            saving += dispatcher.reoptimize(float(now), horizon=60.0 * args.horizon)
            reopt_s += time.perf_counter() - tick
            rounds += 1
            begin = end
        tick = time.perf_counter()
        dispatcher.offer_many(stream.take(np.arange(begin, len(stream))), request[begin:])
        offer_s += time.perf_counter() - tick
    else:
        dispatcher.offer_many(stream, request)
        offer_s = time.perf_counter() - start
    return {"strategy": strategy, "objective": dispatcher.objective, "vehicles": dispatcher.num_vehicles,
            "offers_per_s": len(stream) / offer_s, "reoptimizations": rounds,
            "reoptimize_s": reopt_s, "reoptimization_saving": saving,
            "time_s": time.perf_counter() - start}


def main(argv=None) -> int:
    args = parse_args(argv)
    out = (lambda text: None) if args.json else (lambda text: print(text, flush=True))
    orders = so.synthetic_orders(args.n, seed=args.seed, places="xy")
    orders.revenue = 100.0 * orders.distance / MILE_KM
    rng = np.random.default_rng(args.seed)
    chosen = np.zeros(len(orders), dtype=bool)
    chosen[rng.choice(len(orders), size=args.reserved, replace=False)] = True
    reserved, realtime = orders.take(np.flatnonzero(chosen)), orders.take(np.flatnonzero(~chosen))
    request = realtime.pickup_time - rng.uniform(0.0, 60.0 * args.lead, len(realtime))
    order = np.argsort(request, kind="stable")
    stream, request = realtime.take(order), request[order]
    travel = so.TravelModel("manhattan", speed_kmh=NYC_HOURLY_SPEED_KMH)
    costs = dict(vehicle_cost=160.0, deadhead_cost_per_km=5.0 / MILE_KM,
                 max_idle=60.0 * args.max_idle if args.max_idle > 0 else None, travel=travel)
    out(f"NYC-scale phase two: {len(reserved):,} reserved + {len(stream):,} real-time orders "
        f"(synthetic day, seed {args.seed}); requests up to {args.lead:g} min ahead")
    tick = time.perf_counter()
    plan = so.solve_trip_chains(reserved, **costs)
    phase_one = {"objective": plan.objective, "vehicles": plan.num_vehicles,
                 "certified": plan.certified, "time_s": time.perf_counter() - tick}
    out(f"phase one: {plan.num_vehicles:,} vehicles, objective {plan.objective:,.0f}, "
        f"certified {plan.certified}, {phase_one['time_s']:.1f} s")
    rows = []
    for strategy in args.strategies.split(","):
        row = run(plan, reserved, stream, request, costs, strategy, args)
        rows.append(row)
        out(f"{strategy:>20}: objective {row['objective']:,.0f}, {row['vehicles']:,} vehicles, "
            f"{row['offers_per_s']:,.0f} offers/s, {row['reoptimizations']} re-optimizations "
            f"({row['reoptimize_s']:.0f} s), {row['time_s']:.0f} s in all")
    result = {"reserved": len(reserved), "realtime": len(stream), "lead_min": args.lead, "max_idle_min": args.max_idle,
              "every_min": args.every, "horizon_min": args.horizon, "bid_price_weight": args.weight,
              "phase_one": phase_one, "rows": rows}
    if args.offline:
        tick = time.perf_counter()
        offline = so.solve_trip_chains(orders, time_limit=args.offline_time_limit, **costs)
        result["offline"] = {"objective": offline.objective, "lower_bound": offline.lower_bound,
                             "certified": offline.certified, "status": offline.status,
                             "rounds": offline.rounds, "time_s": time.perf_counter() - tick}
        bound = offline.lower_bound
        for row in rows:
            row["gap_to_offline_pct"] = 100.0 * (row["objective"] - offline.objective) / abs(offline.objective)
            row["gap_to_bound_pct"] = (100.0 * (row["objective"] - bound) / abs(bound)
                                       if np.isfinite(bound) else None)
        out(f"offline: objective {offline.objective:,.0f} ({offline.status}, {offline.rounds} rounds, "
            f"lower bound {bound:,.0f}), {result['offline']['time_s']:.0f} s")
        for row in rows:
            to_bound = "n/a" if row["gap_to_bound_pct"] is None else f"{row['gap_to_bound_pct']:.2f}%"
            out(f"{row['strategy']:>20}: {row['gap_to_offline_pct']:.2f}% above the offline plan, "
                f"at most {to_bound} above the optimum")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

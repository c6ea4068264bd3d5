"""The ``shareopt dispatch`` command: replay real-time orders against chained reserved ones."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from .data import read_orders
from .data.orders import Orders
from .exceptions import ShareoptError

# Best first: the default is the one with the smallest gap to the offline optimum in the
# phase-two study (README).
STRATEGIES = ("reoptimize-bidprice", "reoptimize", "bidprice", "greedy")


def add_dispatch_parser(sub, cost_arguments, json_flag) -> None:
    parser = sub.add_parser(
        "dispatch", help="real-time orders: accept or reject each at once, by cheapest insertion",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Chain the reserved orders exactly (as `shareopt chain`), then offer the "
        "real-time orders one by one, in request order: each goes where it raises the plan's "
        "cost least (between two orders of a chain, before the first, after the last, or a new "
        "vehicle), if a vehicle leaving no earlier than the request can still make it. Each "
        "order is requested --lead minutes before its pickup. Strategies: 'greedy' is the seed's "
        "plain rule; 'bidprice' places each order by its marginal cost plus the bid prices of the "
        "vehicle states it uses and leaves (from the reserved plan's potentials, weighted by "
        "--bid-price-weight); 'reoptimize' also re-chains everything not started every --every "
        "minutes, exactly; 'reoptimize-bidprice' (default) does both.",
        epilog="example (fares as in the files; 20 per vehicle, 0.5 per km):\n"
        "  shareopt synth orders --n 2000 --seed 1 --out reserved.csv\n"
        "  shareopt synth orders --n 2000 --seed 2 --out realtime.csv\n"
        "  shareopt dispatch --reserved reserved.csv --realtime realtime.csv --vehicle-cost 20 "
        "--deadhead-cost-per-km 0.5 --max-idle 1800 --compare-offline --json")
    parser.add_argument("--reserved", type=Path, required=True, help="orders known in advance")
    parser.add_argument("--realtime", type=Path, required=True, help="orders that arrive later")
    parser.add_argument("--format", default="auto", help="orders format (default: detect)")
    cost_arguments(parser)
    rule = parser.add_argument_group("dispatch")
    rule.add_argument("--accept", choices=("profit", "always"), default="profit",
                      help="profit: accept when the insertion lowers the plan's cost (default); "
                      "always: whenever feasible (the seed's rule)")
    rule.add_argument("--strategy", choices=STRATEGIES, default=STRATEGIES[0],
                      help="reoptimize-bidprice (default), reoptimize, bidprice, or greedy "
                      "(insertion only, the seed): see above")
    rule.add_argument("--bid-price-weight", type=float, default=0.75,
                      help="weight of the bid prices in the bidprice strategies, in [0, 1] "
                      "(default 0.75)")
    rule.add_argument("--every", type=float, default=10.0,
                      help="minutes between re-optimizations (default 10)")
    rule.add_argument("--horizon", type=float, default=None,
                      help="re-optimize only the next HORIZON minutes of every chain (default: "
                      "all that has not started; a few hours keeps each solve small on a busy day)")
    rule.add_argument("--lead", type=float, default=30.0,
                      help="minutes between an order's request and its pickup (default 30)")
    rule.add_argument("--compare-offline", action="store_true",
                      help="also solve all orders offline and report the gap to that optimum")
    json_flag(parser)


def _same_plane(reserved: Orders, realtime: Orders) -> Orders:
    """The real-time orders in the reserved orders' x/y plane (files get their own
    projections when read)."""
    if reserved.projection is None or realtime.projection is None or \
            reserved.projection == realtime.projection:
        return realtime
    fields = dict(vars(realtime))
    for side in ("pickup_xy", "dropoff_xy"):
        lonlat = realtime.projection.to_lonlat(getattr(realtime, side))
        fields[side] = reserved.projection.to_xy(lonlat)
    fields["projection"] = reserved.projection
    return Orders._trusted(**fields)


def _together(reserved: Orders, realtime: Orders) -> Orders:
    def cat(name):
        a, b = getattr(reserved, name), getattr(realtime, name)
        return None if a is None or b is None else np.concatenate([a, b])

    fields = dict(vars(reserved))
    for name in ("pickup_time", "dropoff_time", "pickup_xy", "dropoff_xy", "revenue", "distance",
                 "pickup_zone", "dropoff_zone"):
        fields[name] = cat(name)
    fields["order_id"] = np.arange(len(reserved) + len(realtime))
    return Orders._trusted(**fields)


def run_dispatch(args) -> tuple[dict, str]:
    from .chaining import solve_trip_chains
    from .cli import cost_model
    from .dispatch import Dispatcher

    start = time.perf_counter()
    reserved = read_orders(args.reserved, args.format)
    realtime = _same_plane(reserved, read_orders(args.realtime, args.format))
    if len(realtime) == 0:
        raise ShareoptError(f"{args.realtime}: no valid orders to offer")
    costs = cost_model(args, _together(reserved, realtime))
    plan = solve_trip_chains(reserved, **costs)
    weight = args.bid_price_weight if "bidprice" in args.strategy else 0.0
    dispatcher = Dispatcher(plan, reserved, policy=args.accept, bid_prices=weight, **costs)
    request = realtime.pickup_time - 60.0 * args.lead
    order = np.argsort(request, kind="stable")
    every = 60.0 * args.every if args.strategy.startswith("reoptimize") else np.inf
    horizon = None if args.horizon is None else 60.0 * args.horizon
    next_reopt = request[order[0]] + every
    latency, reasons, reoptimized = [], [], 0.0
    for k in order:
        if request[k] >= next_reopt:
            reoptimized += dispatcher.reoptimize(float(request[k]), horizon=horizon)
            next_reopt = request[k] + every
        offer = realtime.take([k])
        tick = time.perf_counter_ns()
        decision = dispatcher.offer(offer, request_time=float(request[k]))
        latency.append(time.perf_counter_ns() - tick)
        reasons.append(decision.reason)
    latency_us = np.asarray(latency) / 1000.0
    counts = {name: reasons.count(name) for name in ("accepted", "infeasible", "unprofitable", "fleet_limit")}
    summary = {"offers": len(realtime), "accepted": counts["accepted"],
               "rejected": len(realtime) - counts["accepted"], "reasons": counts,
               "reserved": len(reserved), "reserved_served": int(plan.served.sum()),
               "vehicles": dispatcher.num_vehicles, "objective": dispatcher.objective,
               "strategy": args.strategy, "accept": args.accept, "bid_price_weight": weight,
               "reoptimization_saving": reoptimized,
               "latency_p50_us": float(np.percentile(latency_us, 50)),
               "latency_p99_us": float(np.percentile(latency_us, 99))}
    if args.compare_offline:
        offline = solve_trip_chains(_together(reserved, realtime), **costs)
        summary["offline_objective"] = offline.objective
        summary["gap_pct"] = (100.0 * (dispatcher.objective - offline.objective) / abs(offline.objective)
                              if offline.objective != 0 else None)
    summary["time_s"] = time.perf_counter() - start
    text = (f"{summary['accepted']:,} of {summary['offers']:,} real-time orders accepted "
            f"({', '.join(f'{v} {k}' for k, v in counts.items() if v and k != 'accepted') or 'none rejected'}); "
            f"{summary['vehicles']:,} vehicles, plan cost {summary['objective']:,.2f}; offer latency "
            f"p50 {summary['latency_p50_us']:.1f} us, p99 {summary['latency_p99_us']:.1f} us (Python)")
    if args.compare_offline:
        gap = "n/a (offline optimum 0)" if summary["gap_pct"] is None else f"{summary['gap_pct']:.2f}%"
        text += f"; offline optimum {summary['offline_objective']:,.2f}, gap {gap}"
    return summary, text

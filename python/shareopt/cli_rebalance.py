"""The ``shareopt rebalance`` command: move bikes so every station ends near the system's fill."""

from __future__ import annotations

import argparse
from pathlib import Path

from .data import read_stations


def add_rebalance_parser(sub, json_flag) -> None:
    parser = sub.add_parser(
        "rebalance", help="bike rebalancing: move bikes so every station ends near the system's fill",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="eps = bikes / docks over the whole system. Move bikes between stations so "
        "that each ends with a whole number of bikes in [(eps - alpha) C, (eps + alpha) C] (C its "
        "docks; a band that holds no whole number is widened to [floor(eps C), ceil(eps C)]), "
        "at least cost: sum of bikes x distance (+ a handling cost per bike). Solved exactly by "
        "our network simplex (every giver -> taker pair for a city; nearest partners and "
        "pricing, certified, for many thousands). When no plan exists the answer names the "
        "stations and the smallest alpha that has one (exit code 1).",
        epilog="examples:\n"
        "  shareopt rebalance citibike_gbfs/ --alpha 0.1 --out moves.csv\n"
        "  shareopt synth stations --n 3000 --out stations.csv\n"
        "  shareopt rebalance stations.csv --alpha 0.05 --max-bikes-moved 5000 --json")
    parser.add_argument("stations", type=Path,
                        help="stations with bikes: CSV (station_id, x/y or lon/lat, capacity, bikes), "
                        "a GBFS station_information.json (with station_status.json beside it), or a "
                        "folder holding both")
    parser.add_argument("--alpha", type=float, required=True,
                        help="allowed deviation of each station's fill from the system's (e.g. 0.1)")
    model = parser.add_argument_group("model")
    model.add_argument("--metric", choices=("manhattan", "euclidean", "haversine"), default="manhattan",
                       help="distance between stations: manhattan (rectilinear, the seed's; default) "
                       "or euclidean on x/y km, or haversine on lon/lat")
    model.add_argument("--detour", type=float, default=1.0, help="road km per metric km (default 1)")
    model.add_argument("--handling-cost", type=float, default=0.0,
                       help="cost per bike moved, in km, on top of the distance (default 0)")
    model.add_argument("--max-bikes-moved", type=int, default=None,
                       help="most bikes the plan may move in all (default: any)")
    model.add_argument("--strict-bands", action="store_true",
                       help="fail instead of widening bands that hold no whole number of bikes")
    model.add_argument("--continuous", action="store_true",
                       help="the seed's model: fractions of bikes (HiGHS)")
    solve = parser.add_argument_group("solve")
    solve.add_argument("--method", choices=("network", "highs"), default=None,
                       help="network simplex (default) or HiGHS on every pair (a cross-check)")
    solve.add_argument("--tolerance", type=float, default=1e-9,
                       help="pricing stops when no left-out transfer saves more than this per bike "
                            "(km; default 1e-9; 0: exact for the rounded costs); JSON gap_bound "
                            "is a proven upper bound on the distance to the optimum")
    solve.add_argument("--time-limit", type=float, default=None, help="seconds (default none)")
    solve.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    parser.add_argument("--out", type=Path, help="write the transfers as from_id,to_id,bikes,distance_km,cost")
    json_flag(parser)


def run_rebalance(args) -> tuple[dict, str]:
    from .rebalance import BandsInfeasibleError, rebalance
    from .travel import TravelModel

    stations = read_stations(args.stations)
    method = args.method or ("highs" if args.continuous else "network")
    try:
        plan = rebalance(stations, args.alpha, travel=TravelModel(args.metric, detour=args.detour),
                         handling_cost=args.handling_cost, max_bikes_moved=args.max_bikes_moved,
                         strict_bands=args.strict_bands, integer_bikes=not args.continuous,
                         method=method, tolerance=args.tolerance, time_limit=args.time_limit,
                         progress=args.progress)
    except BandsInfeasibleError as err:
        summary = {"stations": len(stations), "epsilon": round(stations.fill, 6), "alpha": args.alpha,
                   "feasible": False, "bikes_moved": 0, "cost": None,
                   "min_feasible_alpha": err.min_feasible_alpha,
                   "next_feasible_alpha": err.next_feasible_alpha,
                   "infeasible_stations": err.stations[:50].tolist(),
                   "reason": str(err), "time_s": None}
        return summary, f"no plan: {err}"
    if args.out is not None:
        plan.to_csv(args.out)
    summary = plan.to_dict()
    summary.update(rows_dropped=stations.report.n_dropped, out=None if args.out is None else str(args.out))
    if not plan.certified:
        mark = "not certified (time limit)"
    elif plan.gap_bound is None:
        mark = f"optimal ({plan.method})"
    else:
        mark = f"certified within {plan.gap_bound:.3g} of the optimum"
    text = (f"{summary['stations']:,} stations, eps {summary['epsilon']:.4f}, alpha {args.alpha:g}: "
            f"{summary['bikes_moved']:,} bikes in {summary['transfers']:,} transfers, cost "
            f"{summary['cost']:,.2f} ({mark}); {summary['widened_stations']} bands widened; "
            f"smallest alpha with a plan {summary['min_feasible_alpha']:.4g}; {summary['time_s']:.2f} s"
            + (f"; transfers written to {args.out}" if args.out else ""))
    return summary, text

"""The ``shareopt ports`` and ``shareopt synth charging`` commands."""

from __future__ import annotations

import argparse
from pathlib import Path

_TABLES_HELP = ("a folder of CSV files: stations.csv (station_id, ports, max_added_ports, "
                "cost_per_port[, charge_rate_per_hour, x, y]), car_queue.csv, park_queue.csv, "
                "charge_status.csv[, trips.csv] (see shareopt synth charging for an example)")


def add_ports_parser(sub, json_flag) -> None:
    parser = sub.add_parser(
        "ports", help="charging ports: where to add them within a budget",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Replay every station's car and park reservations with P + k ports "
        "(returning cars need a free port, customers a plugged car charged enough for their "
        "trip; both wait until their request expires) to get failures(station, k); then "
        "choose k per station to minimize w_car x failed car reservations + w_park x failed "
        "park reservations with total cost <= budget. Exact: a HiGHS MIP (gap reported), or "
        "the greedy marginal rule when every curve is convex and every port costs the same "
        "(then it is exact too). The chosen ports are replayed again to check the prediction.",
        epilog="examples:\n"
        "  shareopt synth charging --stations 200 --cars 4000 --out net/\n"
        "  shareopt ports net/ --budget 250000 --weights 2,1 --out ports.csv\n"
        "  shareopt ports net/ --budget 250000 --frontier --json")
    parser.add_argument("data", type=Path, help=_TABLES_HELP)
    parser.add_argument("--budget", type=float, required=True, help="most total cost of the added ports")
    parser.add_argument("--weights", type=_weights, default=(1.0, 1.0),
                        help="w_car,w_park: weight of a failed car and of a failed park reservation "
                        "(default 1,1)")
    parser.add_argument("--method", choices=("auto", "mip", "greedy"), default="auto",
                        help="auto (default): greedy where it is exact, else the MIP")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds for the whole plan (default none): the replay stops with an error "
                        "past it; the MIP returns its best allocation and gap")
    parser.add_argument("--mip-gap", type=float, default=None, help="relative MIP gap to stop at (default 0)")
    parser.add_argument("--frontier", action="store_true",
                        help="also the least failures for every budget, in the output: exact (greedy or "
                        "a dynamic program over the budget) unless the costs need too many budget "
                        "steps, then the MIP at --frontier-points budgets")
    parser.add_argument("--frontier-points", type=int, default=None,
                        help="budgets for a MIP frontier (default 41)")
    parser.add_argument("--out", type=Path, help="write station_id,ports,added as CSV")
    parser.add_argument("--plot", type=Path, help="save a figure (the frontier with --frontier) to this file")
    json_flag(parser)


def add_synth_charging_parser(synth_sub, json_flag) -> None:
    parser = synth_sub.add_parser(
        "charging", help="an electric car-sharing network: the tables of a port study",
        description="A synthetic electric car-sharing network with a seed: cars really drive the "
        "trips, batteries drop with distance and fill while plugged, both queues expire. "
        "Writes stations.csv, car_queue.csv, park_queue.csv, charge_status.csv and trips.csv "
        "to a folder; shareopt ports reads it.")
    parser.add_argument("--stations", type=int, default=100, help="stations (default 100)")
    parser.add_argument("--cars", type=int, default=2_000, help="cars (default 2000)")
    parser.add_argument("--days", type=float, default=7.0, help="days of history (default 7)")
    parser.add_argument("--requests-per-car-day", type=float, default=2.5,
                        help="car requests per car and day (default 2.5; about as many park requests follow)")
    parser.add_argument("--max-added", type=int, default=8, help="most ports added at a station (default 8)")
    parser.add_argument("--equal-costs", action="store_true", help="one cost per port everywhere")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write")
    json_flag(parser)


def _weights(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected w_car,w_park (two numbers), got {text!r}")
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers, got {text!r}") from None


def run_synth_charging(args) -> tuple[dict, str]:
    from .data.synthetic_charging import synthetic_charging

    network = synthetic_charging(args.stations, args.cars, days=args.days,
                                 requests_per_car_day=args.requests_per_car_day, seed=args.seed,
                                 max_added=args.max_added, equal_costs=args.equal_costs)
    network.write(args.out)
    summary = network.data.summary()
    summary.update(table="charging", cars=args.cars, days=args.days, seed=args.seed, out=str(args.out))
    text = (f"wrote {summary['stations']:,} stations, {summary['car_requests']:,} car and "
            f"{summary['park_requests']:,} park requests ({summary['recorded_car_failures']:,} and "
            f"{summary['recorded_park_failures']:,} failed) to {args.out} (seed {args.seed})")
    return summary, text


def run_ports(args) -> tuple[dict, str]:
    from .charging import plan_ports
    from .data.charging_tables import read_charging

    data = read_charging(args.data)
    plan = plan_ports(data, args.budget, weights=args.weights, method=args.method,
                      time_limit=args.time_limit, mip_gap=args.mip_gap, with_frontier=args.frontier,
                      frontier_points=args.frontier_points)
    if args.out is not None:
        plan.to_csv(args.out)
    if args.plot is not None:
        from .plot import save_plot

        save_plot(plan, args.plot)
    summary = plan.to_dict()
    summary.update(events=data.n_events, out=None if args.out is None else str(args.out))
    base, pred, resim = summary["baseline_failures"], summary["predicted_failures"], summary["resimulated_failures"]
    if plan.exact:
        proof = "optimal"
    elif plan.method == "greedy":
        proof = "greedy, not proved optimal"
    else:
        proof = f"gap {plan.mip_gap:.2%}"
    text = (f"{summary['stations']:,} stations, {data.n_events:,} reservation events: add "
            f"{summary['ports_added']:,} ports at {summary['stations_with_ports']:,} stations for "
            f"{summary['cost']:,.2f} of {summary['budget']:,.2f} ({plan.method}, {proof}; curves {plan.case}).\n"
            f"failed car / park reservations: {base['car']:,} / {base['park']:,} today, "
            f"{pred['car']:,} / {pred['park']:,} predicted, {resim['car']:,} / {resim['park']:,} "
            f"re-simulated; {summary['time_s']:.2f} s"
            + (f"\nplan written to {args.out}" if args.out else ""))
    recorded = summary["recorded_failures"]
    if recorded is not None and (recorded["car"], recorded["park"]) != (base["car"], base["park"]):
        text += (f"\nwarning: the tables record {recorded['car']:,} / {recorded['park']:,} failures; the "
                 "replay with today's ports does not give them back, so the curves may be off")
    if plan.frontier is not None:
        exact = "exact" if plan.frontier.exact else "not exact: MIP at chosen budgets"
        text += f"\nfrontier: {plan.frontier.budget.size:,} budgets with a change ({plan.frontier.method}, {exact})"
    return summary, text

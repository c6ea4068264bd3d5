"""The ``shareopt relay`` and ``shareopt synth relay`` commands."""

from __future__ import annotations

import argparse
from pathlib import Path

_DATA_HELP = ("a folder of CSV files: locations.csv (location_id, and x, y km or lon, lat), "
              "scooters.csv (scooter_id, range_km or charge[, location_id]: where it stands now), "
              "commutes.csv (origin, destination, demand, budget_min or budget_s[, commute_id]); "
              "see shareopt synth relay for an example")


def add_relay_parser(sub, json_flag) -> None:
    """Register ``shareopt relay`` on the subcommands ``sub``."""
    parser = sub.add_parser(
        "relay", help="scooter relays: place scooters so commutes longer than one charge get done",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A commute i -> j (demand h, time budget C) is served when a path of open arcs "
        "leads from i to j within C; arc a -> b is open when a scooter placed at a still reaches b "
        "on its charge, and the rider swaps scooters at every stop. Places the scooters (each at "
        "one location at most) to serve the most demand, then moves the fewest. Exact: a HiGHS MIP "
        "over the arcs each commute can use within its budget (sp(i,a) + c_ab + sp(b,j) <= C), "
        "started from a greedy placement and one rounded from the LP relaxation (which, when it "
        "meets the relaxation's bound, is proven at once); the bound and the gap say how far from "
        "proven a stopped solve is. Without --capacity what is reported served is checked on the "
        "placement itself: open arcs, then the fastest open path of each commute.",
        epilog="DATA is a folder (" + _DATA_HELP + ").\n"
        "Distances: haversine for lon/lat locations, manhattan for x/y km (--metric to change).\n\n"
        "examples:\n"
        "  shareopt synth relay --out relay/\n"
        "  shareopt relay relay/ --time-limit 60 --out moves.csv\n"
        "  shareopt relay relay/ --swap-time-s 30 --capacity 5 --json\n"
        "  shareopt relay depot/ --move-cost-per-km 2 --move-budget 40 --plot relay.png")
    parser.add_argument("data", type=Path, help="folder of the three tables (see below)")
    travel = parser.add_argument_group("travel")
    travel.add_argument("--speed-kmh", type=float, default=15.0, help="scooter speed (default 15)")
    travel.add_argument("--metric", choices=("manhattan", "euclidean", "haversine"), default=None,
                        help="distance (default: haversine for lon/lat, else manhattan)")
    travel.add_argument("--swap-time-s", type=float, default=0.0,
                        help="seconds lost at each relay, every leg after the first (default 0)")
    fleet = parser.add_argument_group("scooters")
    fleet.add_argument("--full-range-km", type=float, default=None,
                       help="range of a full charge, when scooters.csv gives charge instead of range_km")
    fleet.add_argument("--capacity", type=float, default=None,
                       help="commuters one scooter can carry (default: unlimited, as the seed)")
    fleet.add_argument("--move-cost-per-km", type=float, default=None,
                       help="cost of moving a scooter one km from where it stands (default 1 with --move-budget)")
    fleet.add_argument("--move-budget", type=float, default=None,
                       help="most total moving cost (needs every scooter's location_id)")
    solve = parser.add_argument_group("solve")
    solve.add_argument("--time-limit", type=float, default=None,
                       help="seconds for the whole solve: network, greedy start, MIP build, MIP and tie-break "
                       "(default none: same input, same answer); a stopped solve gives its best placement, "
                       "bound and gap")
    solve.add_argument("--mip-gap", type=float, default=1e-4, help="relative gap to stop at (default 1e-4)")
    solve.add_argument("--no-tie-break", action="store_true",
                       help="skip phase two (fewest scooters moved among the best placements)")
    solve.add_argument("--progress", action="store_true", help="show the stages on stderr")
    parser.add_argument("--out", type=Path, help="write scooter,location,range_km,home,moved as CSV")
    parser.add_argument("--commutes-out", type=Path,
                        help="write each commute: served, path time, path, or why not (CSV)")
    parser.add_argument("--plot", type=Path, help="save a map of placed scooters and served paths")
    json_flag(parser)


def add_synth_relay_parser(synth_sub, json_flag) -> None:
    """Register ``shareopt synth relay`` on the synth tables ``synth_sub``."""
    parser = synth_sub.add_parser(
        "relay", help="a scooter-relay study: places, scooters, commutes longer than one charge",
        description="A synthetic scooter-relay study with a seed: candidate places uniform in a square "
        "(or sampled from the Citi Bike stations of a real GBFS snapshot), scooters with a "
        "uniform charge, commutes between places farther apart than most ranges with a budget of "
        "1.2-1.6 x the direct time, demand 1-20. Writes locations.csv, scooters.csv and "
        "commutes.csv to a folder; shareopt relay reads it.")
    parser.add_argument("--locations", type=int, default=200, help="candidate places (default 200)")
    parser.add_argument("--scooters", type=int, default=100, help="scooters (default 100)")
    parser.add_argument("--commutes", type=int, default=500, help="commutes (default 500)")
    parser.add_argument("--places", choices=("square", "citibike"), default="square",
                        help="square (default: x, y km) or citibike (needs the shared data snapshot, or --stations)")
    parser.add_argument("--stations", type=Path, default=None, help="a Citi Bike GBFS folder to sample from")
    parser.add_argument("--full-range-km", type=float, default=None,
                        help="range of a full charge (default: synthetic_relay's)")
    parser.add_argument("--current-locations", action="store_true",
                        help="give every scooter a current location (for move costs)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write")
    json_flag(parser)


def run_synth_relay(args) -> tuple[dict, str]:
    """Write a synthetic relay study; returns (JSON summary, text)."""
    from .data.relay_tables import synthetic_relay

    extra = {} if args.full_range_km is None else {"full_range_km": args.full_range_km}
    data = synthetic_relay(args.locations, args.scooters, args.commutes, seed=args.seed, places=args.places,
                           stations=args.stations, current_locations=args.current_locations, **extra)
    data.write(args.out)
    summary = data.summary()
    summary.update(table="relay", seed=args.seed, out=str(args.out))
    text = (f"wrote {summary['locations']:,} locations, {summary['scooters']:,} scooters and "
            f"{summary['commutes']:,} commutes (demand {summary['total_demand']:,.0f}) to {args.out} "
            f"(seed {args.seed})")
    return summary, text


def run_relay(args) -> tuple[dict, str]:
    """Solve a relay study from a folder; returns (JSON summary, text)."""
    from .relay import solve_relays

    plan = solve_relays(args.data, full_range_km=args.full_range_km, speed_kmh=args.speed_kmh,
                        metric=args.metric, swap_time_s=args.swap_time_s, capacity=args.capacity,
                        move_cost_per_km=args.move_cost_per_km, move_budget=args.move_budget,
                        time_limit=args.time_limit, mip_gap=args.mip_gap, tie_break=not args.no_tie_break,
                        progress=args.progress)
    if args.out is not None:
        plan.to_frame().to_csv(args.out, index=False)
    if args.commutes_out is not None:
        plan.commutes_frame().to_csv(args.commutes_out, index=False)
    if args.plot is not None:
        from .plot import save_plot

        save_plot(plan, args.plot)
    summary = plan.to_dict()
    summary.update(out=None if args.out is None else str(args.out))
    proof = ("optimal" if plan.proven and plan.mip_gap <= 1e-4 else
             f"gap {plan.mip_gap:.2%}, bound {plan.bound:,.1f}" + ("" if plan.proven else " (not proven)"))
    greedy = "" if plan.greedy_demand is None else f"; greedy start {plan.greedy_demand:,.0f}"
    if plan.greedy_status == "time limit":
        greedy += " (cut by the time limit)"
    text = (f"{summary['locations']:,} locations, {summary['scooters']:,} scooters, {summary['commutes']:,} "
            f"commutes: {plan.scooters_used:,} scooters placed ({plan.scooters_moved:,} moved) serve "
            f"{summary['served_commutes']:,} commutes, demand {plan.served_demand:,.0f} of "
            f"{plan.total_demand:,.0f} ({plan.served_share:.1%}; {proof}{greedy}).\n"
            f"{summary['unservable_commutes']:,} commutes cannot be served by any placement; "
            f"{summary['arcs_kept']:,} arcs kept of {summary['arcs_usable']:,} in range; status {plan.status}; "
            f"tie-break (fewest moved) {plan.tie_break}; {summary['time_s']:.2f} s"
            + (f"\nplacement written to {args.out}" if args.out else ""))
    return summary, text

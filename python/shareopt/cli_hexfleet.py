"""The ``shareopt hexfleet`` command: where the free cars should stand at the start of the day."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_hexfleet_parser(sub, json_flag) -> None:
    parser = sub.add_parser(
        "hexfleet", help="fleet distribution on H3 cells: start cars that earn the most over Monte Carlo days",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Trips become demand on H3 cells per period of the day (rates, destination "
        "probabilities, route length in hex steps, duration in periods). Monte Carlo scenarios "
        "draw the day's trips (Poisson counts, destinations by the observed shares). The plan "
        "places FLEET whole cars on cells to maximize the mean profit over the scenarios "
        "(fare per hex step - fuel - maintenance per free car and period; trips out of a cell "
        "limited by its free cars; each scenario operated at its best as a time-expanded "
        "network flow): exact by HiGHS, or Benders cuts from our network simplex for large "
        "cases. It is then evaluated on fresh scenarios against the seed's rule (cars in "
        "proportion to the first period's demand), with 95% intervals.",
        epilog="examples:\n"
        "  shareopt hexfleet yellow_tripdata_2021-01-01_head.csv --date 2021-01-01 --resolution 8 "
        "--periods 24 --scenarios 20 --fleet 2000\n"
        "  shareopt hexfleet day.csv --resolution 7 --periods 6 --fleet 500 --json")
    parser.add_argument("trips", type=Path, help="trips (orders) with places: lon/lat, or TLC zones")
    parser.add_argument("--resolution", type=int, default=8, help="H3 resolution (default 8)")
    parser.add_argument("--periods", type=int, default=24, help="periods per day (default 24)")
    parser.add_argument("--scenarios", type=int, default=20, help="scenarios to plan on (default 20)")
    parser.add_argument("--test-scenarios", type=int, default=200,
                        help="fresh scenarios to evaluate plan and baseline on (default 200)")
    parser.add_argument("--fleet", type=int, required=True, help="cars to place")
    parser.add_argument("--date", help="TLC files: keep pickups on this day (YYYY-MM-DD)")
    model = parser.add_argument_group("model")
    model.add_argument("--fare-per-step", type=float, default=None,
                       help="fare per hex step (default: learned per period from the trips' revenue)")
    model.add_argument("--fuel-per-step", type=float, default=0.12, help="fuel cost per hex step (default 0.12)")
    model.add_argument("--maintenance", type=float, default=0.5,
                       help="cost per free car per period (default 0.5)")
    model.add_argument("--relocation-cost", type=float, default=None,
                       help="cost of moving a free car one hex step in a period (default: no relocations)")
    model.add_argument("--cyclic", action="store_true", help="each cell ends the day with the cars it started with")
    solve = parser.add_argument_group("solve")
    solve.add_argument("--method", choices=("auto", "highs", "benders"), default="auto",
                       help="auto (default): one HiGHS model when it is small enough, else Benders")
    solve.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    solve.add_argument("--time-limit", type=float, default=None, help="seconds for the solve (default none)")
    solve.add_argument("--gap", type=float, default=1e-6,
                       help="stop within this relative gap of the bound (default 1e-6)")
    solve.add_argument("--progress", action="store_true", help="show progress on stderr")
    parser.add_argument("--car-driven", action="store_true",
                        help="also simulate plan and baseline in the seed's car-driven model (each free car "
                        "draws its own trip; chances calibrated on the fleet) on the fresh days")
    parser.add_argument("--out", type=Path, help="write cell,lon,lat,cars,baseline as CSV")
    parser.add_argument("--plot", type=Path, help="save a map of the plan to this file")
    json_flag(parser)


def run_hexfleet(args) -> tuple[dict, str]:
    from .data import read_orders
    from .hexfleet import hex_demand, plan_fleet, simulate_plan

    orders = read_orders(args.trips, date=args.date)
    demand = hex_demand(orders, args.resolution, args.periods, fare_per_step=args.fare_per_step,
                        fuel_per_step=args.fuel_per_step, maintenance=args.maintenance)
    plan = plan_fleet(demand, args.fleet, scenarios=args.scenarios, test_scenarios=args.test_scenarios,
                      seed=args.seed, method=args.method, cyclic=args.cyclic, relocation_cost=args.relocation_cost,
                      time_limit=args.time_limit, gap=args.gap, progress=args.progress)
    if args.out is not None:
        plan.to_frame().to_csv(args.out, index=False)
    if args.plot is not None:
        from .plot import save_plot

        save_plot(plan, args.plot)
    summary = plan.to_dict()
    summary.update(trips=len(orders), out=None if args.out is None else str(args.out))
    driven = ""
    if args.car_driven:
        seed = args.seed + 2_000_003  # fresh days, the same for plan and baseline
        ours = simulate_plan(demand, plan.cars, args.test_scenarios, seed)
        base = simulate_plan(demand, plan.baseline, args.test_scenarios, seed)
        change = 100.0 * (ours.mean - base.mean) / abs(base.mean) if base.mean else None
        summary.update(car_driven_profit=ours.mean, car_driven_baseline_profit=base.mean,
                       car_driven_improvement_pct=change)
        driven = (f"\ncar-driven model: profit {ours.mean:,.2f} against the proportional rule's {base.mean:,.2f}"
                  + (f": {change:+.2f}%" if change is not None else ""))
    low, high = summary["difference_ci"]
    proof = "optimal for its scenarios" if plan.proven else f"bound {summary['saa_bound']:,.2f} (not proven)"
    text = (f"{summary['cells']:,} cells x {summary['periods']} periods, {summary['scenarios']} scenarios, "
            f"{summary['fleet']:,} cars at {summary['cells_with_cars']:,} cells ({plan.method}, {proof}).\n"
            f"out of sample ({summary['test_scenarios']} fresh days): profit {summary['expected_profit']:,.2f} "
            f"[{summary['ci_low']:,.2f}, {summary['ci_high']:,.2f}] against the proportional rule's "
            f"{summary['baseline_profit']:,.2f}: {summary['improvement_pct']:+.2f}% (difference "
            f"[{low:,.2f}, {high:,.2f}]); trips served {summary['served_share']:.1%}; {summary['time_s']:.1f} s"
            + driven + (f"\nplan written to {args.out}" if args.out else ""))
    return summary, text

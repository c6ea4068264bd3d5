"""The ``shareopt`` command: one subcommand per job, ``--json`` for scripts.

Bad input ends with exit code 2 and a one-line message on stderr (and, with ``--json``, a
JSON object ``{"error": ...}`` on stdout), never a traceback.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
import warnings
from pathlib import Path

from . import __version__
from .data import ORDER_FORMATS, DataWarning, ZoneTable, detect_format, read_orders, read_stations
from .data import synthetic_orders, synthetic_stations
from .data.sources import open_source
from .exceptions import FormatError, ShareoptError

__all__ = ["main", "build_parser"]

_EXAMPLES = """\
examples:
  shareopt demo                               run every part on synthetic data
  shareopt synth orders --n 380000 --out day.csv
                                              an NYC-like day of orders (canonical CSV)
  shareopt load day.csv                       validate a file, print what was dropped and why
  shareopt load yellow_tripdata_2021-01.parquet --date 2021-01-15 --json
  shareopt chain day.csv --vehicle-cost 160 --deadhead-cost-per-km 3.1 --max-idle 1200
                                              exact trip chains for a fleet (certified)
  shareopt rebalance citibike_gbfs/ --alpha 0.1 --out moves.csv
                                              move bikes so every station ends near the fill
  shareopt synth charging --stations 200 --cars 4000 --out net/
  shareopt ports net/ --budget 250000 --weights 2,1 --out ports.csv
                                              charging ports to add within a budget
  shareopt hexfleet trips.csv --date 2021-01-01 --resolution 8 --periods 24 --fleet 2000
                                              start cars per H3 cell, Monte Carlo days
  shareopt batch examples/batch_sweep.toml    many solves (sweeps, days), resumable, Dask
  shareopt bench --quick                      benchmarks against peers: RESULTS.md, figures
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit code 2), as for every other bad input."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="shareopt", description=(
        "Operations research for shared-mobility fleets: trip chains, real-time dispatch, "
        "charging ports, fleet distribution, bike rebalancing, scooter relays."),
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"shareopt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="run every part that exists on built-in synthetic data",
                          description="Run every part of shareopt that exists on built-in "
                          "synthetic data (about ten seconds) and print a summary.")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _json_flag(demo)

    synth = sub.add_parser("synth", help="write synthetic data (orders, stations, charging, relay)",
                           description="Write a synthetic table with a seed: same seed, same file.")
    _json_flag(synth)
    synth_sub = synth.add_subparsers(dest="table", metavar="TABLE", parser_class=_Parser)
    s_orders = synth_sub.add_parser(
        "orders", help="an NYC-like day of taxi orders",
        description="An NYC-like weekday of taxi orders (hourly profile, trip lengths, speeds "
        "and fares like NYC yellow taxis), written as the canonical orders CSV: "
        "order_id,pickup_time,dropoff_time,pickup_x,pickup_y,dropoff_x,dropoff_y,revenue,"
        "distance (seconds, km, dollars). A full day is about 380,000 orders.")
    s_orders.add_argument("--n", type=int, default=380_000, help="number of orders (default 380000)")
    s_orders.add_argument("--places", choices=("xy", "lonlat"), default="xy",
                          help="write x/y km (default) or lon/lat columns")
    s_stations = synth_sub.add_parser(
        "stations", help="bike-share stations like Citi Bike's",
        description="Bike-share stations (docks of 15-60, bikes unevenly spread), written as "
        "station_id,x,y,capacity,bikes,lon,lat.")
    s_stations.add_argument("--n", type=int, default=600, help="number of stations (default 600)")
    for p in (s_orders, s_stations):
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        p.add_argument("--out", required=True, type=Path, help="file to write (CSV)")
        _json_flag(p)
    from .cli_charging import add_ports_parser, add_synth_charging_parser
    from .cli_relay import add_relay_parser, add_synth_relay_parser

    add_synth_charging_parser(synth_sub, _json_flag)
    add_synth_relay_parser(synth_sub, _json_flag)

    load = sub.add_parser(
        "load", help="read and validate a table, report dropped rows",
        description="Read a table from a file and print the load report: rows read, kept, and "
        "dropped by reason with the first offending lines. Orders formats: "
        + ", ".join(ORDER_FORMATS) + " (CSV, gzip CSV or Parquet); stations: CSV or GBFS "
        "JSON; zones: CSV of zone ids with centroid lon/lat.")
    load.add_argument("path", type=Path, help="file to read")
    load.add_argument("--table", choices=("auto", "orders", "stations", "zones"), default="auto",
                      help="what the file holds (default: tell from its columns)")
    load.add_argument("--format", default="auto",
                      help="orders format, or 'auto' to detect it (default)")
    load.add_argument("--strict", action="store_true",
                      help="fail on the first invalid rows instead of dropping them")
    load.add_argument("--date", type=_day, help="TLC files: keep pickups on this day (YYYY-MM-DD)")
    load.add_argument("--revenue", default="auto", choices=("auto", "fare", "total", "meter"),
                      help="TLC files: where revenue comes from (default auto)")
    _json_flag(load)
    _chain_parser(sub)
    _dispatch_parser(sub)
    from .cli_rebalance import add_rebalance_parser

    add_rebalance_parser(sub, _json_flag)
    add_ports_parser(sub, _json_flag)
    from .cli_hexfleet import add_hexfleet_parser

    add_hexfleet_parser(sub, _json_flag)
    from .cli_batch import add_batch_parser

    add_batch_parser(sub, _json_flag)
    add_relay_parser(sub, _json_flag)
    from .cli_bench import add_bench_parser

    add_bench_parser(sub, _json_flag)
    return parser


def _chain_parser(sub) -> None:
    chain = sub.add_parser(
        "chain", help="exact trip chains: which orders to serve, each vehicle's chain",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Choose which orders a fleet serves and the chain of orders of each "
        "vehicle at minimum cost: vehicle cost x vehicles + deadhead cost + service cost - "
        "revenue of served orders. Order j may follow order i when the vehicle can drive from "
        "i's drop-off to j's pickup in time. Solved exactly as a min-cost flow (C++ network "
        "simplex) over lazily priced arcs; 'certified' says every compatible pair was priced.",
        epilog="example (the seed's costs: 100 per vehicle + 30 dispatch + 30 collection, "
        "deadhead 5 per mile):\n  shareopt synth orders --n 20000 --out day.csv\n"
        "  shareopt chain day.csv --vehicle-cost 160 --deadhead-cost-per-km 3.107 "
        "--max-idle 1200 --out chains.csv --json")
    chain.add_argument("orders", type=Path, help="orders file (any format shareopt load reads)")
    chain.add_argument("--format", default="auto", help="orders format (default: detect)")
    chain.add_argument("--date", type=_day, help="TLC files: keep pickups on this day")
    fleet = _cost_arguments(chain)
    fleet.add_argument("--must-serve", action="store_true",
                       help="serve every order (error when the fleet bound is too small)")
    solve = chain.add_argument_group("solve")
    solve.add_argument("--method", choices=("network", "highs"), default="network",
                       help="network simplex with lazy arcs (default) or HiGHS over every "
                       "compatible pair (a cross-check for small cases)")
    solve.add_argument("--time-limit", type=float, default=None, help="seconds (default none)")
    solve.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    solve.add_argument("--start", type=Path, metavar="CHAINS",
                       help="start from a plan: a chains CSV written by --out (a re-solve "
                       "after a small change takes far fewer pivots; the optimum is the same)")
    chain.add_argument("--out", type=Path, help="write the chains as vehicle,position,order_id")
    _json_flag(chain)


def _dispatch_parser(sub) -> None:
    from .cli_dispatch import add_dispatch_parser

    add_dispatch_parser(sub, _cost_arguments, _json_flag)


def _cost_arguments(parser):
    """The trip-chain cost model's flags, shared by `chain` and `dispatch`; returns the fleet
    group (for more fleet flags)."""
    costs = parser.add_argument_group("costs")
    costs.add_argument("--vehicle-cost", type=float, default=0.0,
                       help="cost per vehicle used (default 0)")
    costs.add_argument("--deadhead-cost-per-km", type=float, default=1.0,
                       help="cost per km of empty driving (default 1)")
    costs.add_argument("--service-cost-per-km", type=float, default=None,
                       help="cost per km of driving an order (default: the deadhead cost)")
    travel = parser.add_argument_group("travel")
    travel.add_argument("--metric", default="manhattan",
                        choices=("manhattan", "euclidean", "haversine", "zones"),
                        help="distance: manhattan (default) or euclidean on x/y km, haversine "
                        "on lon/lat, or zones: a zone matrix and hourly speeds learned from "
                        "the orders themselves")
    travel.add_argument("--speed-kmh", type=float, default=25.0, help="driving speed (default 25)")
    travel.add_argument("--detour", type=float, default=1.0,
                        help="road km per metric km (default 1)")
    fleet = parser.add_argument_group("fleet")
    fleet.add_argument("--depot", type=_point, default=None, metavar="X,Y",
                       help="depot in the metric's coordinates (default: none, vehicles start "
                       "at their first pickup at no cost)")
    fleet.add_argument("--max-vehicles", type=int, default=None, help="fleet bound (default none)")
    fleet.add_argument("--max-idle", type=float, default=None,
                       help="longest wait in seconds between orders of a chain (default any)")
    return fleet


def cost_model(args, orders) -> dict:
    """The cost and travel keywords of `chain` and `dispatch` from their flags; ``--metric
    zones`` learns a zone matrix and hourly speeds from the orders themselves."""
    from .travel import TravelModel

    if args.metric == "zones":
        travel = TravelModel.from_trips(orders, metric="manhattan")
    else:
        travel = TravelModel(args.metric, detour=args.detour, speed_kmh=args.speed_kmh)
    return dict(vehicle_cost=args.vehicle_cost, deadhead_cost_per_km=args.deadhead_cost_per_km,
                service_cost_per_km=args.service_cost_per_km, depot=args.depot,
                max_vehicles=args.max_vehicles, max_idle=args.max_idle, travel=travel)


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a point X,Y: {text!r}") from None
    return x, y


def _detect_table(source) -> str:
    """Whether a source (or a .json path) holds orders, stations or zones."""
    if isinstance(source, Path):
        return "stations"  # GBFS feeds are the JSON we read
    try:
        detect_format(source)
        return "orders"
    except FormatError:
        pass
    names = set(source.names)
    if names & {"capacity", "dpcapacity", "docks", "total_docks"}:
        return "stations"
    if names & {"locationid", "objectid_as_locationid", "zone_id"}:
        return "zones"
    raise FormatError(f"{source.label}: cannot tell whether it holds orders, stations or "
                      "zones (use --table)")


def _day(text: str) -> str:
    try:
        return str(datetime.date.fromisoformat(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _json_flag(parser):
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout and nothing else")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shareopt`` command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    wants_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)  # the report is printed instead
            result, text = _run(args)
    except (_UsageError, ShareoptError, ValueError, OSError, ImportError, MemoryError) as err:
        message = " ".join(str(err).split()) or type(err).__name__
        if isinstance(err, MemoryError):
            message = f"out of memory ({message}): ask for less"
        if wants_json:
            print(json.dumps({"error": message}))
        print(f"shareopt: error: {message}" if not message.startswith("shareopt") else message,
              file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else text)
    return 1 if result.get("feasible") is False else 0  # no plan exists: a result, not an error


def _run(args) -> tuple[dict, str]:
    if args.command == "demo":
        from .demo import format_demo, run_demo

        result = run_demo(seed=args.seed)
        return result, format_demo(result)
    if args.command == "synth":
        if args.table is None:
            raise _UsageError("shareopt synth: say which table: orders, stations or charging (or relay)")
        if args.table == "charging":
            from .cli_charging import run_synth_charging

            return run_synth_charging(args)
        if args.table == "relay":
            from .cli_relay import run_synth_relay

            return run_synth_relay(args)
        if args.table == "orders":
            table = synthetic_orders(args.n, seed=args.seed)
            table.to_csv(args.out, places=args.places)
        else:
            table = synthetic_stations(args.n, seed=args.seed)
            table.to_csv(args.out)
        summary = table.to_dict()
        summary.pop("load_report")
        summary.update(table=args.table, seed=args.seed, out=str(args.out))
        return summary, f"wrote {len(table):,} {args.table} to {args.out} (seed {args.seed})"
    if args.command == "load":
        # Open the file once: detection and reading share it (a gzip file is unpacked once).
        data = args.path if args.path.suffix == ".json" else open_source(args.path)
        kind = _detect_table(data) if args.table == "auto" else args.table
        if kind != "orders" and (args.date or args.revenue != "auto" or args.format != "auto"):
            raise _UsageError(f"shareopt load: --date, --revenue and --format apply to orders, "
                              f"and {args.path} holds {kind}")
        if kind == "zones":
            zones = ZoneTable.read(data)
            summary = zones.to_dict()
            return summary, (f"{args.path}: {summary['zones']} zones, "
                             f"{summary['with_centroid']} with a centroid")
        if kind == "stations":
            table = read_stations(data, strict=args.strict)
        else:
            table = read_orders(data, args.format, strict=args.strict, date=args.date,
                                revenue=args.revenue)
        return table.to_dict(), f"{table.report}\n{table!r}"
    if args.command == "chain":
        return _run_chain(args)
    if args.command == "dispatch":
        from .cli_dispatch import run_dispatch

        return run_dispatch(args)
    if args.command == "rebalance":
        from .cli_rebalance import run_rebalance

        return run_rebalance(args)
    if args.command == "ports":
        from .cli_charging import run_ports

        return run_ports(args)
    if args.command == "hexfleet":
        from .cli_hexfleet import run_hexfleet

        return run_hexfleet(args)
    if args.command == "batch":
        from .cli_batch import run_batch

        return run_batch(args)
    if args.command == "relay":
        from .cli_relay import run_relay

        return run_relay(args)
    if args.command == "bench":
        from .cli_bench import run_bench

        return run_bench(args)
    raise _UsageError(f"shareopt: unknown command {args.command}")  # pragma: no cover


def _run_chain(args) -> tuple[dict, str]:
    from .chaining import read_chains, solve_trip_chains

    start = time.perf_counter()
    orders = read_orders(args.orders, args.format, date=args.date)
    if len(orders) == 0:
        raise ShareoptError(f"{args.orders}: no valid orders to chain")
    initial = None if args.start is None else read_chains(args.start, orders)
    load_s = time.perf_counter() - start
    solution = solve_trip_chains(
        orders, **cost_model(args, orders), must_serve=args.must_serve, method=args.method,
        time_limit=args.time_limit, progress=args.progress, initial=initial)
    if args.out is not None:
        solution.to_csv(args.out)
    summary = solution.to_dict()
    summary.update(load_s=round(load_s, 4), rows_dropped=orders.report.n_dropped,
                   out=None if args.out is None else str(args.out))
    mark = "certified optimal" if solution.certified else f"not certified ({solution.status})"
    text = (f"{summary['served']:,} of {summary['orders']:,} orders served by "
            f"{summary['vehicles']:,} vehicles; objective {summary['objective']:,.2f} "
            f"({mark}); {summary['arcs_in_model']:,} arcs in the model, "
            f"{summary['arcs_priced']:,} pairs priced, {summary['rounds']} rounds, "
            f"{summary['time_s']:.2f} s" + (f"; chains written to {args.out}" if args.out else ""))
    return summary, text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

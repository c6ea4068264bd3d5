"""The ``shareopt bench`` command: run the benchmark suite, write the results table and figures."""

from __future__ import annotations

import argparse
import tempfile
import textwrap
from pathlib import Path

from .exceptions import ShareoptError

__all__ = ["add_bench_parser", "run_bench"]

_EPILOG = """\
examples:
  shareopt bench --quick              the quick suite (a few minutes): smallest case of each problem
  shareopt bench                      the default suite (tens of minutes on 2 cores)
  shareopt bench --large              also the minutes-long cases (100,000 orders, full days)
  shareopt bench -k rebalance         only benchmarks whose name or file matches (the table
                                      then holds only those: add --update JSON to keep the rest)
  shareopt bench --from-json bench.json
                                      redraw table and figures from an earlier run, run nothing
"""


def add_bench_parser(sub, json_flag) -> None:
    parser = sub.add_parser(
        "bench", help="run the benchmarks against peers; write RESULTS.md and figures",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
        description=textwrap.fill("Run the benchmark suite of a source checkout (benchmarks/, pytest-benchmark) "
        "and write its report: for each problem and case, our median time, the peer's "
        "(OR-Tools, HiGHS, PuLP/CBC, networkx, scipy, the seeds' own methods) and the ratio, "
        "with the machine and the date, at the top of benchmarks/RESULTS.md (between marks, the "
        "hand-written log below is kept), and a figure of time against size per problem in "
        "benchmarks/figures/. Peers need `pip install \".[bench]\"`; a missing peer is skipped.", 88))
    parser.add_argument("--quick", action="store_true",
                        help="only the benchmarks marked quick (a few minutes)")
    parser.add_argument("--large", action="store_true",
                        help="also the minutes-long cases (sets SHAREOPT_BENCH_LARGE=1)")
    parser.add_argument("-k", dest="select", metavar="EXPR",
                        help="pytest -k expression: run only the matching benchmarks")
    parser.add_argument("--suite", type=Path, help="the benchmarks folder (default: ./benchmarks)")
    parser.add_argument("--out", type=Path,
                        help="results file to update (default: SUITE/RESULTS.md); '-' writes none")
    parser.add_argument("--figures", type=Path, help="figure folder (default: SUITE/figures)")
    parser.add_argument("--save-json", type=Path,
                        help="keep pytest-benchmark's JSON here (default: a temporary file)")
    parser.add_argument("--from-json", type=Path,
                        help="make the report from this pytest-benchmark JSON; run nothing")
    parser.add_argument("--update", type=Path, metavar="JSON",
                        help="run (with -k, say) and merge into this earlier JSON: the benchmarks "
                        "that ran replace theirs, the others are kept; the report covers all")
    parser.add_argument("--time-limit", type=float, metavar="SECONDS",
                        help="interrupt the run after this long; report what finished")
    json_flag(parser)


def run_bench(args) -> tuple[dict, str]:
    from . import bench

    if args.time_limit is not None and not 0 < args.time_limit < 1e7:
        raise ShareoptError(f"--time-limit must be a positive number of seconds, got {args.time_limit}")
    for name in ("save_json", "update", "from_json", "out", "figures", "suite"):
        value = getattr(args, name)
        if value is not None and str(value) != "-":  # pytest runs elsewhere: absolute paths
            setattr(args, name, value.resolve())
    if args.update is not None and (args.from_json is not None or args.save_json is not None):
        raise ShareoptError("--update writes the merged JSON itself: not with --from-json or --save-json")
    if args.update is not None and not args.update.is_file():
        raise ShareoptError(f"--update {args.update}: no such file (run once with --save-json)")
    # A run needs the suite; a report from JSON only uses it, when there is one, for paths.
    suite = bench.find_suite(args.suite) if args.from_json is None or args.suite else _suite_or_none()
    interrupted = False
    exit_code = 0
    with tempfile.TemporaryDirectory(prefix="shareopt-bench-") as scratch:
        json_path = args.from_json
        if json_path is None:
            json_path = args.save_json or Path(scratch) / "bench.json"
            json_path.parent.mkdir(parents=True, exist_ok=True)
            exit_code = bench.run_suite(suite, json_path, quick=args.quick, select=args.select,
                                        large=args.large, time_limit=args.time_limit)
            interrupted = exit_code == 2 and args.time_limit is not None
            if exit_code == 5 or not json_path.exists():
                raise ShareoptError(f"no benchmark ran (pytest exit code {exit_code}); "
                                    "check -k and that the suite collects")
            if args.update is not None:
                bench.merge_results(args.update, json_path)
                json_path = args.update
        meta, rows = bench.load_results(json_path)
        if not rows:
            raise ShareoptError(f"{json_path}: no benchmark results in it")
        base = suite if suite is not None else Path.cwd()
        figure_folder = args.figures or base / "figures"
        figures = _draw(bench, json_path, figure_folder)
        out = None if args.out is not None and str(args.out) == "-" else (args.out or base / "RESULTS.md")
        section = bench.results_section(json_path, quick=args.quick, figures=figures,
                                        relative_to=None if out is None else out.parent,
                                        command="shareopt bench" + (" --quick" if args.quick else ""))
        if out is not None:
            bench.update_results_file(out, section)
    summary = {"benchmarks": len(rows), "machine": meta["machine"], "date": meta["date"],
               "quick": args.quick, "pytest_exit_code": exit_code, "interrupted": interrupted,
               "results_file": None if out is None else str(out),
               "figures": [str(path) for path in figures],
               "json": (None if args.from_json is None and args.save_json is None
                        and args.update is None else str(json_path)),
               "rows": [{"problem": row.problem, "case": row.group, "series": row.series,
                         "time_s": row.time_s, "per_call": row.per_call, "rounds": row.rounds, "size": row.size,
                         "unit": row.unit} for row in rows]}
    text = section + f"\n{len(rows)} benchmarks; " + (f"wrote {out}" if out else "no results file")
    text += f"; {len(figures)} figures in {figure_folder}" if figures else "; no figures"
    if interrupted:
        text += f"\ninterrupted at the time limit ({args.time_limit:g} s): the report covers what finished"
    if exit_code not in (0, 2):
        raise ShareoptError(f"some benchmarks failed (pytest exit code {exit_code}, output above); "
                            f"the report of the {len(rows)} that finished was written")
    return summary, text


def _suite_or_none():
    from . import bench

    try:
        return bench.find_suite()
    except ShareoptError:
        return None


def _draw(bench, json_path, folder) -> list[Path]:
    try:
        return bench.draw_figures(json_path, folder)
    except ImportError:  # matplotlib is an extra: the table still gets written
        return []

"""The benchmark report: run the suite, tabulate medians against peers, draw time against size.

The suite is the pytest-benchmark files of a source checkout (``benchmarks/``). Each
benchmark sits in a group (one case: a problem at one size) with a peer doing the same job;
its ``extra_info`` carries ``size``, ``unit`` and ``series`` (see benchmarks/conftest.py).
:func:`run_suite` runs it into a JSON file, :func:`results_section` turns that file into the
markdown table that ``shareopt bench`` writes at the top of benchmarks/RESULTS.md, and
:func:`draw_figures` draws one figure per problem (median time against size, log-log).
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ShareoptError

__all__ = ["BenchRow", "draw_figures", "find_suite", "load_results", "merge_results",
           "results_section", "run_suite", "update_results_file"]

#: Benchmark file stem (after ``test_bench_``) -> the problem's name in the report.
PROBLEM_NAMES = {
    "chaining": "Trip chains",
    "dispatch": "Real-time dispatch",
    "charging": "Charging ports",
    "hexfleet": "Fleet distribution on H3 cells",
    "hexfleet_sampling": "Fleet distribution: Monte Carlo days",
    "rebalance": "Bike rebalancing",
    "relay": "Scooter relays",
    "batch": "Batches",
    "travel": "Travel model",
    "load": "Loading data",
}
START_MARK = "<!-- shareopt bench: start (generated; edits between these marks are lost) -->"
END_MARK = "<!-- shareopt bench: end -->"


@dataclass(frozen=True)
class BenchRow:
    """One benchmark of a pytest-benchmark JSON file.

    ``time_s`` is what the report compares: the median over rounds, or, for a benchmark
    that times many calls in one round and records their median latency as
    ``extra_info["p50_us"]``, that latency (then ``per_call`` is True).
    """

    problem: str
    group: str
    name: str
    series: str
    time_s: float
    rounds: int
    size: float | None
    unit: str
    ours: bool
    per_call: bool = False
    reference: bool = False


def find_suite(path=None) -> Path:
    """The benchmarks folder: ``path``, else ./benchmarks, else the checkout this package
    was installed from (an editable install). Raises ShareoptError when there is none."""
    candidates = [Path(path)] if path is not None else [
        Path.cwd() / "benchmarks", Path(__file__).resolve().parents[2] / "benchmarks"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("test_bench_*.py")):
            return candidate.resolve()
    where = ", ".join(str(c) for c in candidates)
    raise ShareoptError(f"no benchmark suite (test_bench_*.py files) in {where}: shareopt bench "
                        "runs the suite of a source checkout; run it from the repository root "
                        "or pass --suite DIR")


def run_suite(suite: Path, json_path: Path, quick: bool = False, select: str | None = None,
              large: bool = False, time_limit: float | None = None, stream=None) -> int:
    """Run the benchmark suite with pytest into ``json_path``; returns pytest's exit code
    (2 when the time limit stopped it).

    pytest prints its progress (one mark per benchmark) to ``stream`` (default stderr). At
    ``time_limit`` seconds the benchmark running fails and the session stops, and the JSON
    of the benchmarks that finished is written (shareopt._bench_plugin); if pytest is still
    there 120 s later (a benchmark stuck in C code), it is killed and nothing is saved.
    """
    command = [sys.executable, "-m", "pytest", str(suite), "-p", "no:cacheprovider",
               "-p", "shareopt._bench_plugin", "-q", f"--benchmark-json={json_path}"]
    if quick:
        command += ["-m", "quick"]
    if select:
        command += ["-k", select]
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # progress marks as they come, not at exit
    if large:
        env["SHAREOPT_BENCH_LARGE"] = "1"
    if time_limit is not None:
        env["SHAREOPT_BENCH_DEADLINE"] = repr(time.time() + time_limit)
    stream = sys.stderr if stream is None else stream
    process = subprocess.Popen(command, cwd=suite.parent, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    # Forwarded by a thread, as bytes arrive (pytest's progress marks end no line), to a
    # stream that may be any file-like object (no file descriptor).
    forward = threading.Thread(target=_forward, args=(process.stdout, stream), daemon=True)
    forward.start()
    try:
        return process.wait(timeout=None if time_limit is None else time_limit + 120)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
    except KeyboardInterrupt:
        process.wait()  # the terminal's Ctrl-C reached pytest too: let it save and stop
        raise
    finally:
        forward.join(timeout=5)


def _forward(source, stream) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := os.read(source.fileno(), 4096):
        try:
            stream.write(decoder.decode(chunk))
            stream.flush()
        except (OSError, ValueError):  # the stream is gone: keep draining, or pytest blocks
            pass
    source.close()


def merge_results(earlier, newer) -> None:
    """Merge the pytest-benchmark JSON ``newer`` into ``earlier`` (rewritten in place): its
    benchmarks replace those of the same full name, in the earlier order, the others stay.
    Each benchmark keeps the date of the run that measured it (``shareopt_run_date``)."""
    earlier, newer = Path(earlier), Path(newer)
    try:
        old = json.loads(earlier.read_text(encoding="utf-8"))
        new = json.loads(newer.read_text(encoding="utf-8"))
        old_date, new_date = str(old.get("datetime", ""))[:10], str(new.get("datetime", ""))[:10]
        for bench in old["benchmarks"]:
            bench.setdefault("shareopt_run_date", old_date)
        fresh = {bench["fullname"]: {**bench, "shareopt_run_date": new_date}
                 for bench in new["benchmarks"]}
        merged = [fresh.pop(bench["fullname"], bench) for bench in old["benchmarks"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ShareoptError(f"cannot merge {newer} into {earlier} ({exc!r})") from None
    new["benchmarks"] = merged + list(fresh.values())  # the earlier order, new ones at the end
    _write_atomically(earlier, json.dumps(new, indent=1))


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _problem_of(fullname: str) -> str:
    stem = Path(fullname.split("::")[0]).stem.removeprefix("test_bench_")
    return PROBLEM_NAMES.get(stem, stem)


def _series_of(name: str) -> str:
    """A benchmark without an explicit series: ``shareopt`` for ``test_ours*``, else its name."""
    base = name.removeprefix("test_")
    return "shareopt" if base.startswith("ours") else base.removeprefix("peer_")


def load_results(json_path) -> tuple[dict, list[BenchRow]]:
    """The machine, date and earlier run dates (``{"machine", "date", "earlier"}``) and one
    row per benchmark. Raises ShareoptError, naming the benchmark, on a malformed file."""
    try:
        data = json.loads(Path(json_path).read_text(encoding="utf-8"))
        benchmarks = list(data["benchmarks"])
        machine = data.get("machine_info", {})
        cpu = machine.get("cpu", {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ShareoptError(f"{json_path}: not a pytest-benchmark JSON file ({exc!r})") from None
    described = (f"{cpu.get('brand_raw') or machine.get('processor') or '?'}, "
                 f"{cpu.get('count', '?')} logical cores, {machine.get('system', '')} "
                 f"{machine.get('release', '')}, Python {machine.get('python_version', '?')}")
    date = str(data.get("datetime", ""))[:10]
    rows, earlier = [], set()
    for position, bench in enumerate(benchmarks):
        try:
            rows.append(_row(bench))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ShareoptError(f"{json_path}: benchmark {position} is malformed ({exc!r})") from None
        run_date = bench.get("shareopt_run_date") or date
        if run_date != date:
            earlier.add(run_date)
    return {"machine": " ".join(described.split()), "date": date, "earlier": sorted(earlier)}, rows


def _row(bench: dict) -> BenchRow:
    info = bench.get("extra_info") or {}
    size = info.get("size")
    return BenchRow(
        problem=_problem_of(bench.get("fullname", bench["name"])),
        group=bench.get("group") or bench["name"], name=bench["name"],
        series=str(info.get("series") or _series_of(bench["name"])),
        time_s=(float(info["p50_us"]) * 1e-6 if "p50_us" in info
                else float(bench["stats"]["median"])),
        rounds=int(bench["stats"]["rounds"]),
        size=None if size is None else float(size), unit=str(info.get("unit", "")),
        ours=bench["name"].startswith("test_ours"), per_call="p50_us" in info,
        reference=bool(info.get("reference", False)))


def format_seconds(seconds: float) -> str:
    """3.20 µs, 41.0 ms, 2.31 s, 12.4 min: three significant figures."""
    for scale, unit, below in ((1e6, "µs", 1e-3), (1e3, "ms", 1.0), (1.0, "s", 120.0)):
        if seconds < below * 0.9995:  # so that rounding never gives "1.00e+03 ms"
            return f"{seconds * scale:#.3g}".rstrip(".") + f" {unit}"
    return f"{seconds / 60:#.3g}".rstrip(".") + " min"


def _comparisons(rows: list[BenchRow]) -> list[tuple[str, BenchRow, BenchRow | None]]:
    """(group, reference, other) per group: the reference (``extra_info["reference"]``, else
    the first ``test_ours*``, else the first) against each other benchmark."""
    groups: dict[str, list[BenchRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    out = []
    for group, members in groups.items():
        reference = next((row for row in members if row.reference),
                         next((row for row in members if row.ours), members[0]))
        others = [row for row in members if row is not reference]
        out += [(group, reference, other) for other in others] or [(group, reference, None)]
    return out


def results_section(json_path, quick: bool = False, figures: list[Path] | None = None,
                    relative_to: Path | None = None, command: str = "shareopt bench") -> str:
    """The markdown of one report: the machine and date, then per problem a table of each
    case: ours, what it is compared with, both medians and the ratio (above 1: ours faster)."""
    meta, rows = load_results(json_path)
    lines = [f"## Latest `{command}`: {meta['date']}" + (" (quick suite)" if quick else ""),
             "", (f"Machine: {meta['machine']}. Medians over each benchmark's rounds (per call: "
                  "the median latency of the calls of one round); ratio = the other's time over "
                  f"ours (above 1: shareopt is faster). Written by `{command}`; the dated "
                  "sections below are the hand-written log."
                  + (f" Some rows come from earlier runs ({', '.join(meta['earlier'])}), kept "
                     "by `--update`." if meta["earlier"] else "")), ""]
    by_problem: dict[str, list[BenchRow]] = {}
    for row in rows:
        by_problem.setdefault(row.problem, []).append(row)
    figure_of = {path.stem: path for path in figures or []}
    for problem, members in by_problem.items():
        lines += [f"### {problem}", "", "| case | shareopt | compared with | its time | ratio |",
                  "|---|---:|---|---:|---:|"]
        for group, reference, other in _comparisons(members):
            ours = _timing(reference)
            if reference.series != "shareopt":
                ours += f" ({reference.series})"
            if other is None:
                lines.append(f"| {group} | {ours} | — | — | — |")
            else:
                shown = _ratio(other, reference)
                lines.append(f"| {group} | {ours} | {other.series} | {_timing(other)} | {shown} |")
        figure = figure_of.get(_figure_stem(problem))
        if figure is not None:
            target = figure if relative_to is None else Path(os.path.relpath(figure, relative_to))
            lines += ["", f"![{problem}: time against size]({target.as_posix()})"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _ratio(other: BenchRow, reference: BenchRow) -> str:
    """other / reference, or a dash where they are not the same kind of time (a per-call
    latency against a whole run) or the reference took no time."""
    if other.per_call != reference.per_call or not reference.time_s > 0:
        return "—"
    ratio = other.time_s / reference.time_s
    return f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.2f}"


def _timing(row: BenchRow) -> str:
    return format_seconds(row.time_s) + (" per call (p50)" if row.per_call else "")


def _figure_stem(problem: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in problem.lower()).strip("_")


def draw_figures(json_path, folder) -> list[Path]:
    """One PNG per problem with at least one series at two sizes or more: median time
    against size, log-log, a line per series. Returns the files written."""
    from matplotlib import ticker
    from matplotlib.figure import (
        Figure,  # not pyplot: the caller's backend stays as it is
    )

    _, rows = load_results(json_path)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_problem: dict[str, dict[str, list[BenchRow]]] = {}
    for row in rows:  # per-call latencies are not on the axis of whole runs
        if row.size is not None and row.size > 0 and not row.per_call:
            by_problem.setdefault(row.problem, {}).setdefault(row.series, []).append(row)
    written = []
    for problem, series in by_problem.items():
        if max(len({row.size for row in points}) for points in series.values()) < 2:
            continue
        figure = Figure(figsize=(6.4, 4.2))
        ax = figure.subplots()
        for label, points in sorted(series.items(), key=lambda item: item[0] != "shareopt"):
            points = sorted(points, key=lambda row: row.size)
            ax.plot([row.size for row in points], [row.time_s for row in points],
                    marker="o", linewidth=2.2 if label.startswith("shareopt") else 1.4, label=label)
        unit = next((row.unit for points in series.values() for row in points if row.unit), "size")
        ax.set(xscale="log", yscale="log", xlabel=unit, ylabel="median time", title=problem)
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: format_seconds(value)))
        for axis in (ax.xaxis, ax.yaxis):  # labels at 1, 2, 5 x 10^k: a few per decade
            axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.set_minor_formatter(ticker.NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        path = folder / f"{_figure_stem(problem)}.png"
        figure.savefig(path, dpi=110, bbox_inches="tight")
        written.append(path)
    return written


def update_results_file(path, section: str) -> None:
    """Put ``section`` between the generated-report marks of ``path`` (created if missing);
    the first time, before the first ``## `` heading. The rest of the file is kept. Raises
    ShareoptError when the marks are there but not as one start mark then one end mark."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{START_MARK}\n{section.rstrip()}\n{END_MARK}\n"
    starts, ends = text.count(START_MARK), text.count(END_MARK)
    if starts or ends:
        head, _, rest = text.partition(START_MARK)
        if starts != 1 or ends != 1 or END_MARK not in rest:
            raise ShareoptError(f"{path}: the generated block's marks are broken (want one "
                                f"{START_MARK!r} then one {END_MARK!r}); fix them by hand")
        text = head + block + rest.split(END_MARK, 1)[1].removeprefix("\n")
    elif "\n## " in text:
        head, rest = text.split("\n## ", 1)
        text = head.rstrip("\n") + "\n\n" + block + "\n## " + rest
    else:
        text = text.rstrip("\n") + "\n\n" + block
    _write_atomically(path, text)

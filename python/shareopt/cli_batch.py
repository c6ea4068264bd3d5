"""The ``shareopt batch`` command: run a TOML spec of sweeps, resuming from a checkpoint.

A spec names its inputs and its sweeps::

    [inputs.day1]
    kind = "synthetic_orders"   # or "orders_file" (path = ...), "synthetic_stations"
    n = 2000
    seed = 1

    [[sweep]]
    problem = "chain"
    inputs = ["day1", "day2"]
    params = { deadhead_cost_per_km = 1.0 }
    vary.vehicle_cost = [0, 50, 100]    # every combination of the vary lists, per input

Relative paths in the spec are relative to the spec's folder.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .exceptions import ValidationError

__all__ = ["add_batch_parser", "load_spec", "run_batch"]

_INPUT_KINDS = ("synthetic_orders", "orders_file", "synthetic_stations", "stations_file")


def add_batch_parser(sub, json_flag) -> None:
    parser = sub.add_parser(
        "batch", help="run many solves from a TOML spec (sweeps, days, seeds), resumable",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Expand the spec's sweeps into tasks (every combination of each sweep's "
        "vary lists, for each of its inputs) and run them on a local process pool or a Dask "
        "cluster. Each finished task is appended to the checkpoint (JSON lines) with its "
        "summary and the path of its pickled full result; rerunning with the same checkpoint "
        "skips the tasks already recorded. A task that fails is recorded with its error.",
        epilog="example:\n  shareopt batch examples/batch_sweep.toml --checkpoint sweep.jsonl\n"
        "  shareopt batch examples/batch_sweep.toml --scheduler tcp://10.0.0.5:8786 --json")
    parser.add_argument("spec", type=Path, help="TOML spec: [inputs.NAME] tables and [[sweep]] tables")
    parser.add_argument("--scheduler", help="Dask scheduler address (default: local process pool)")
    parser.add_argument("--checkpoint", type=Path,
                        help="JSON-lines checkpoint (default: SPEC with suffix .checkpoint.jsonl)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local pool processes (default: CPU count; ignored with --scheduler)")
    parser.add_argument("--retry-errors", action="store_true",
                        help="run again the tasks that the checkpoint records with an error")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="tasks per worker call (default: guided, large first, one at the end; "
                        "a kill loses at most the chunks in flight)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    json_flag(parser)


def load_spec(path) -> tuple[list, dict]:
    """The tasks and inputs of a TOML batch spec.

    Parameters
    ----------
    path
        The spec file.

    Returns
    -------
    tasks, inputs
        :class:`~shareopt.batch.Task` records and the input objects by key.

    Raises
    ------
    ValidationError
        A spec that is not valid TOML, an unknown input kind, a sweep without a problem or
        naming an undefined input, a ``vary`` entry that is not a non-empty list.
    """
    from .batch import Task

    path = Path(path)
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path}: not valid TOML ({exc})", "bad_spec") from None
    input_specs = spec.get("inputs", {})
    sweeps = spec.get("sweep", [])
    if not isinstance(input_specs, dict) or not isinstance(sweeps, list) or not sweeps:
        raise ValidationError(f"{path}: a spec needs [inputs.NAME] tables and at least one "
                              "[[sweep]]", "bad_spec")
    inputs = {name: _load_input(name, entry, path.parent) for name, entry in input_specs.items()}
    tasks = []
    for number, sweep in enumerate(sweeps, start=1):
        problem = sweep.get("problem")
        if not problem:
            raise ValidationError(f"{path}: sweep {number} has no problem", "bad_spec")
        names = sweep.get("inputs", [])
        names = [names] if isinstance(names, str) else list(names)
        if not names:
            raise ValidationError(f"{path}: sweep {number} names no inputs", "bad_spec")
        for name in names:
            if name not in inputs:
                raise ValidationError(f"{path}: sweep {number} names undefined input {name!r}",
                                      "unknown_input")
        fixed = dict(sweep.get("params", {}))
        vary = dict(sweep.get("vary", {}))
        for key, values in vary.items():
            if not isinstance(values, list) or not values:
                raise ValidationError(f"{path}: sweep {number}: vary.{key} must be a non-empty "
                                      "list", "bad_spec")
        keys = list(vary)
        for name in names:
            for combination in itertools.product(*(vary[key] for key in keys)):
                tasks.append(Task(problem, name, {**fixed, **dict(zip(keys, combination))}))
    return tasks, inputs


def _load_input(name: str, entry: dict, folder: Path):
    from .data import read_orders, read_stations, synthetic_orders, synthetic_stations

    kind = entry.get("kind")
    if kind not in _INPUT_KINDS:
        raise ValidationError(f"input {name!r}: kind must be one of {', '.join(_INPUT_KINDS)}, "
                              f"not {kind!r}", "bad_spec")
    options = {key: value for key, value in entry.items() if key != "kind"}
    try:
        if kind == "synthetic_orders":
            return synthetic_orders(options.pop("n"), places=options.pop("places", "xy"),
                                    **options)
        if kind == "synthetic_stations":
            return synthetic_stations(options.pop("n"), places=options.pop("places", "xy"),
                                      **options)
        source = folder / options.pop("path")
        if kind == "orders_file":
            return read_orders(source, options.pop("format", "auto"), **options)
        return read_stations(source, **options)
    except (KeyError, TypeError) as exc:
        raise ValidationError(f"input {name!r} ({kind}): bad or missing option {exc}",
                              "bad_spec") from None


def run_batch(args) -> tuple[dict, str]:
    from .batch import run

    tasks, inputs = load_spec(args.spec)
    checkpoint = args.checkpoint or args.spec.with_suffix(".checkpoint.jsonl")
    result = run(tasks, inputs, executor=args.scheduler, checkpoint=checkpoint,
                 progress=args.progress, max_workers=args.workers,
                 retry_errors=args.retry_errors, chunk_size=args.chunk_size)
    summary = result.to_dict()
    summary.pop("rows")
    summary["ran"] = sum(row["ran"] for row in result.rows)
    summary["failed"] = [{"task_id": row["task_id"], "error": row["error"]}
                         for row in result.rows if row["status"] != "ok"][:20]
    text = (f"{summary['tasks']} tasks: {summary['ok']} ok, {summary['errors']} errors, "
            f"{summary['skipped']} skipped (already in the checkpoint); "
            f"{summary['time_s']:.2f} s; checkpoint {checkpoint}")
    for failure in summary["failed"]:
        text += f"\n  {failure['task_id']}: {failure['error']}"
    return summary, text

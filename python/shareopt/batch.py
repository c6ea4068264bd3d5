"""Many solves at once: sweeps, days, seeds, on a local process pool or a Dask cluster.

A batch is a list of :class:`Task` records (problem, input key, params) and a mapping of
inputs (key -> Orders, Stations, ...). :func:`run` ships each input once per worker, runs
the tasks in chunks that share an input, and appends one row per task to a JSON-lines
checkpoint as its chunk comes back (flushed and fsynced per row). Rerunning with the same
checkpoint skips the tasks already recorded, so a crash or a kill loses at most the chunks in
flight. A task that raises is recorded with its error and traceback; the others go on.

Example
-------
>>> from shareopt import synthetic_orders
>>> from shareopt.batch import Task, run
>>> days = {f"day{s}": synthetic_orders(300, seed=s, places="xy") for s in (1, 2)}
>>> tasks = [Task("chain", day, {"vehicle_cost": c}) for day in days for c in (0, 100)]
>>> result = run(tasks, days, checkpoint="sweep.jsonl", progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as pool_wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._batch_tasks import (
    PROBLEMS,
    install_worker_inputs,
    register_problem,
    run_chunk_on_worker,
    run_chunk_with_input,
)
from .exceptions import ValidationError

__all__ = ["PROBLEMS", "BatchResult", "Task", "plan_chunks", "read_checkpoint", "register_problem",
           "run"]


def _json_default(value):
    """JSON for numpy scalars and arrays and anything else (as text)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def default_task_id(problem: str, inputs: str, params: Mapping[str, Any]) -> str:
    """A task id that depends only on problem, input key and params (sorted keys)."""
    text = json.dumps(params, sort_keys=True, default=_json_default)
    digest = hashlib.sha1(f"{problem}|{inputs}|{text}".encode()).hexdigest()[:12]
    return f"{problem}-{inputs}-{digest}"


@dataclass(frozen=True)
class Task:
    """One solve of a batch.

    Parameters
    ----------
    problem
        A name in :data:`PROBLEMS`: ``"chain"`` (``solve_trip_chains(orders, **params)``),
        ``"rebalance"`` (``rebalance(stations, params["alpha"], **rest)``), or one added
        with :func:`register_problem`.
    inputs
        The key of this task's input in the ``inputs`` mapping given to :func:`run`.
    params
        Keywords of the problem's solver. Must be JSON-able (they go into the checkpoint).
    task_id
        Unique within the batch; default derived from problem, inputs and params, so the
        same task has the same id in every run (which is what resuming relies on).
    """

    problem: str
    inputs: str
    params: Mapping[str, Any] = field(default_factory=dict)
    task_id: str = ""

    def __post_init__(self):
        object.__setattr__(self, "params", dict(self.params))
        if not self.task_id:
            object.__setattr__(self, "task_id",
                               default_task_id(self.problem, self.inputs, self.params))


@dataclass
class BatchResult:
    """What a batch did: one row per task, finished now or earlier (from the checkpoint).

    Attributes
    ----------
    rows
        One dict per task, in the tasks' order: ``task_id, problem, inputs, params, status``
        (``"ok"``, ``"error"``: the task raised, or ``"lost"``: its worker died, kept out of
        the checkpoint so that a rerun tries it again), ``summary`` (the result's ``to_dict()``), ``error``,
        ``traceback``, ``seconds``, ``result_path`` (the pickled full result, or None) and
        ``ran`` (True when this call ran it, False when the checkpoint had it).
    skipped
        Tasks not run because the checkpoint already had them.
    time_s
        Wall time of the call.
    checkpoint
        The checkpoint file, or None.
    results
        Full results of this call's tasks when there was no results folder (else load them
        with :meth:`load`).
    """

    rows: list[dict]
    skipped: int
    time_s: float
    checkpoint: str | None = None
    results: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> int:
        """Tasks that finished without an error."""
        return sum(row["status"] == "ok" for row in self.rows)

    @property
    def errors(self) -> int:
        """Tasks that raised, or whose worker was lost."""
        return sum(row["status"] != "ok" for row in self.rows)

    def load(self, task_id: str):
        """The full result of a task: in memory, or unpickled from its ``result_path``."""
        if task_id in self.results:
            return self.results[task_id]
        row = next((r for r in self.rows if r["task_id"] == task_id), None)
        if row is None or not row.get("result_path"):
            raise KeyError(f"no stored result for task {task_id!r}")
        with open(row["result_path"], "rb") as file:
            return pickle.load(file)

    def to_frame(self):
        """The rows as a pandas DataFrame (summary keys flattened as ``summary.<key>``)."""
        import pandas as pd

        return pd.json_normalize(self.rows, sep=".", max_level=1)

    def to_dict(self) -> dict:
        """JSON-safe summary with the rows."""
        return {"tasks": len(self.rows), "ok": self.ok, "errors": self.errors,
                "skipped": self.skipped, "time_s": round(self.time_s, 4),
                "checkpoint": self.checkpoint, "rows": self.rows}


def read_checkpoint(path) -> dict[str, dict]:
    """The rows of a JSON-lines checkpoint by task id (a torn or garbled line is ignored;
    for a task recorded twice, the last row counts)."""
    rows: dict[str, dict] = {}
    path = Path(path)
    if not path.exists():
        return rows
    with open(path, encoding="utf-8") as file:
        for line in file:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "task_id" in row and "status" in row:
                rows[row["task_id"]] = row
    return rows


class _CheckpointWriter:
    """Appends one JSON line per finished task, flushed and fsynced; cuts a torn last line."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            _cut_torn_tail(path)
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 -- held until close()

    def write(self, row: dict) -> None:
        self.file.write(json.dumps(row, default=_json_default) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line without its newline (a write cut by a kill), so appends stay lines."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as file:
            file.truncate(data.rfind(b"\n") + 1)


def _validate(tasks: list[Task], inputs: Mapping[str, Any]) -> None:
    seen: set[str] = set()
    for position, task in enumerate(tasks):
        if not isinstance(task, Task):
            raise ValidationError(f"task {position} is not a Task: {task!r}", "not_a_task",
                                  [position])
        if task.problem not in PROBLEMS:
            raise ValidationError(f"task {task.task_id!r}: unknown problem {task.problem!r} "
                                  f"(known: {', '.join(sorted(PROBLEMS))})", "unknown_problem",
                                  [position])
        if task.inputs not in inputs:
            raise ValidationError(f"task {task.task_id!r}: unknown input {task.inputs!r} "
                                  f"(given: {', '.join(map(str, inputs)) or 'none'})",
                                  "unknown_input", [position])
        if task.task_id in seen:
            raise ValidationError(f"duplicate task id {task.task_id!r}", "duplicate_task_id",
                                  [position])
        seen.add(task.task_id)
        try:
            json.dumps(task.params)
        except TypeError as exc:
            raise ValidationError(f"task {task.task_id!r}: params are not JSON-able ({exc})",
                                  "params_not_json", [position]) from None


def run(tasks: Iterable[Task], inputs: Mapping[str, Any], executor=None, checkpoint=None,
        progress: bool = True, results_dir=None, max_workers: int | None = None,
        retry_errors: bool = False, retries: int = 1, chunk_size: int | None = None) -> BatchResult:
    """Run a batch of tasks, resuming from a checkpoint.

    Parameters
    ----------
    tasks
        :class:`Task` records with unique ids.
    inputs
        Input key -> input object (an Orders or Stations table, ...). Each input that the
        tasks to run use is shipped once per worker, not once per task.
    executor
        None: a local process pool (forkserver start, ``max_workers`` processes, default
        the CPU count). A ``distributed.Client``, or a scheduler address string (a client is
        opened and closed here): the Dask cluster; a lost worker's tasks are rerun elsewhere.
    checkpoint
        A JSON-lines file: one row per finished task, written by this process only, flushed
        and fsynced as each task finishes. Tasks it already records are skipped.
    progress
        Show a tqdm bar over the tasks (on stderr).
    results_dir
        Where full results are pickled as ``<task_id>.pkl`` (default with a checkpoint:
        ``<checkpoint>.results``; without one, results are kept in memory on the
        :class:`BatchResult`).
    max_workers
        Processes of the local pool (ignored with Dask).
    retry_errors
        Run again the tasks that the checkpoint records with an error.
    retries
        Dask: times a task whose run fails outside the task itself is retried.
    chunk_size
        Tasks sent to a worker in one call. None (default): guided chunks, about a quarter of
        the remaining tasks per worker slot at first, shrinking to one at the end, so that
        per-call overhead is paid a few times per worker while the last tasks still spread
        over all workers. Rows are written when their chunk comes back, so a kill loses at
        most the chunks in flight; ``chunk_size=1`` sends (and records) task by task.

    Returns
    -------
    BatchResult
        One row per task in the tasks' order.

    Raises
    ------
    ValidationError
        Unknown problem or input key, duplicate task ids, params that are not JSON, or a
        chunk size below 1, before anything runs.
    """
    start = time.perf_counter()
    plan_chunks([], 1, chunk_size)  # validates chunk_size before anything runs
    tasks = list(tasks)
    _validate(tasks, inputs)
    checkpoint_path = None if checkpoint is None else Path(checkpoint)
    if results_dir is None and checkpoint_path is not None:
        results_dir = checkpoint_path.with_name(checkpoint_path.name + ".results")
    results_path = None if results_dir is None else Path(results_dir)
    if results_path is not None:
        results_path.mkdir(parents=True, exist_ok=True)

    recorded = {} if checkpoint_path is None else read_checkpoint(checkpoint_path)
    done: dict[str, dict] = {}
    for task_id, row in recorded.items():
        if row["status"] == "ok" or not retry_errors:
            done[task_id] = {**row, "ran": False}
    to_run = [task for task in tasks if task.task_id not in done]
    skipped = len(tasks) - len(to_run)

    finished: dict[str, dict] = {}
    in_memory: dict[str, Any] = {}
    writer = None if checkpoint_path is None else _CheckpointWriter(checkpoint_path)
    bar = _progress_bar(len(tasks), skipped, progress)
    try:
        def record(row: dict, result) -> None:
            if row["task_id"] in finished:  # a rerun by the cluster: the first one counts
                return
            row["result_path"] = None
            if result is not None and results_path is not None:
                target = results_path / f"{_safe_name(row['task_id'])}.pkl"
                temporary = target.with_suffix(".pkl.tmp")
                with open(temporary, "wb") as file:
                    pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, target)
                row["result_path"] = str(target)
            elif result is not None:
                in_memory[row["task_id"]] = result
            if writer is not None and row["status"] != "lost":  # a lost task is not done: rerun it
                writer.write(row)
            finished[row["task_id"]] = {**row, "ran": True}
            if bar is not None:
                bar.update(1)

        if to_run:
            used = {task.inputs: inputs[task.inputs] for task in to_run}
            if _is_dask(executor):
                _run_on_dask(to_run, used, executor, record, retries, chunk_size)
            else:
                _run_on_pool(to_run, used, max_workers, record, chunk_size)
    finally:
        if writer is not None:
            writer.close()
        if bar is not None:
            bar.close()
    rows = [finished.get(task.task_id) or done[task.task_id] for task in tasks]
    return BatchResult(rows=rows, skipped=skipped, time_s=time.perf_counter() - start,
                       checkpoint=None if checkpoint_path is None else str(checkpoint_path),
                       results=in_memory)


def _safe_name(task_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.=" else "_" for c in task_id)


def _progress_bar(total: int, initial: int, progress: bool):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc="batch", unit="task")


def _infrastructure_error(task: Task, exc: BaseException) -> dict:
    """The row of a task whose run failed outside the task (a lost process, KilledWorker)."""
    return {"task_id": task.task_id, "problem": task.problem, "inputs": task.inputs,
            "params": dict(task.params), "status": "lost", "summary": None,
            "error": f"worker failure: {type(exc).__name__}: {exc}", "traceback": None,
            "seconds": None}


def _is_dask(executor) -> bool:
    if executor is None:
        return False
    if isinstance(executor, str):
        return True
    return type(executor).__name__ == "Client" and type(executor).__module__.startswith(
        "distributed")


def _pool_context():
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # Not fork: numba's and HiGHS's threads in this process must not be copied mid-flight.
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


#: Guided chunks: each takes 1/GUIDED_SHARES of the remaining tasks per worker slot.
GUIDED_SHARES = 4


def plan_chunks(tasks: list[Task], slots: int, chunk_size: int | None = None) -> list[list[Task]]:
    """Split tasks into chunks that share problem and input, in the tasks' order by input.

    With ``chunk_size`` None, guided sizes: ceil(remaining / (4 * slots)), so the first
    chunks are large and the last ones single tasks that fill idle workers at the end.
    """
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < 1):
        raise ValidationError(f"chunk_size must be a positive integer or None, got {chunk_size!r} "
                              "(--chunk-size on the command line)", "bad_chunk_size", [])
    groups: dict[tuple[str, str], list[Task]] = {}
    for task in tasks:
        groups.setdefault((task.problem, task.inputs), []).append(task)
    ordered = [task for group in groups.values() for task in group]
    chunks: list[list[Task]] = []
    position = 0
    while position < len(ordered):
        remaining = len(ordered) - position
        size = chunk_size or max(1, -(-remaining // (GUIDED_SHARES * max(1, slots))))
        chunk = [ordered[position]]
        key = (chunk[0].problem, chunk[0].inputs)
        while len(chunk) < size and position + len(chunk) < len(ordered):
            following = ordered[position + len(chunk)]
            if (following.problem, following.inputs) != key:
                break
            chunk.append(following)
        chunks.append(chunk)
        position += len(chunk)
    return chunks


def _run_on_pool(tasks: list[Task], inputs: dict, max_workers: int | None, record,
                 chunk_size: int | None) -> None:
    workers = max(1, min(max_workers or os.cpu_count() or 1, len(tasks)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                               initializer=install_worker_inputs, initargs=(inputs, os.getpid()))
    try:
        pending = {pool.submit(run_chunk_on_worker, chunk, PROBLEMS[chunk[0].problem]): chunk
                   for chunk in plan_chunks(tasks, workers, chunk_size)}
        while pending:
            done, _ = pool_wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = pending.pop(future)
                try:
                    pairs = future.result()
                except Exception as exc:  # noqa: BLE001 -- the process died (BrokenProcessPool) or did not unpickle
                    if len(chunk) > 1 and not isinstance(exc, BrokenProcessPool):
                        # One task's failure must not take its chunk-mates: each again, alone.
                        pending.update({pool.submit(run_chunk_on_worker, [task], PROBLEMS[task.problem]): [task]
                                        for task in chunk})
                        continue
                    pairs = [(_infrastructure_error(task, exc), None) for task in chunk]
                for row, result in pairs:
                    record(row, result)
    except BaseException:
        # An interrupt or a failing checkpoint write: stop now, not after the whole batch.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class _Workers:
    """The cluster's workers and their threads, asked again at most once a second (workers
    join and leave); with none yet, one unrestricted slot (``None``)."""

    def __init__(self, client):
        self.client, self.known, self.asked = client, {}, -1.0

    def current(self) -> dict:
        if time.monotonic() - self.asked > 1.0:
            self.known, self.asked = dict(self.client.nthreads()), time.monotonic()
        return self.known or {None: 1}

    def slots(self) -> int:
        return sum(self.current().values())


def _run_on_dask(tasks: list[Task], inputs: dict, executor, record, retries: int,
                 chunk_size: int | None) -> None:
    from distributed import Client, as_completed

    client = Client(executor) if isinstance(executor, str) else executor
    # Future key -> (future, its chunk, the worker it was handed to or None): what is out.
    pending: dict[str, tuple[Any, list[Task], str | None]] = {}
    in_flight: dict[str | None, int] = {}  # chunks out per worker handed to
    try:
        # One copy of each input on every worker; tasks name the copy, nothing is resent.
        # Keys unique to this run: another batch (or client) may scatter the same names.
        run_tag = os.urandom(6).hex()
        shipped = client.scatter({f"shareopt-input-{key}-{run_tag}": value
                                  for key, value in inputs.items()}, broadcast=True, hash=False)
        scattered = {key: shipped[f"shareopt-input-{key}-{run_tag}"] for key in inputs}

        def submit(chunk: list[Task], key: str, worker: str | None = None):
            placed = {} if worker is None else {"workers": [worker], "allow_other_workers": True}
            future = client.submit(run_chunk_with_input, chunk, PROBLEMS[chunk[0].problem],
                                   scattered[chunk[0].inputs], pure=False, retries=retries,
                                   key=f"shareopt-batch-{key}-{run_tag}", **placed)
            pending[future.key] = (future, chunk, worker)
            if worker is not None:
                in_flight[worker] = in_flight.get(worker, 0) + 1
            return future

        # Chunks go to the worker that has room, two per thread in flight, and the next when
        # one comes back. Left to itself, Dask places a task that needs scattered data on a
        # worker when it is submitted: all chunks dealt out at the start, and one worker ended
        # up to 0.4 s after the other on 200 solves. (The restriction is loose: if that worker
        # dies, the chunk runs elsewhere.)
        workers = _Workers(client)
        waiting = deque(enumerate(plan_chunks(tasks, workers.slots(), chunk_size)))

        def feed() -> list:
            sent = []
            for worker, threads in workers.current().items():
                while waiting and in_flight.get(worker, 0) < 2 * threads:
                    number, chunk = waiting.popleft()
                    sent.append(submit(chunk, f"{number}-{chunk[0].task_id}", worker))
            return sent

        attempts: dict[str, int] = {}  # task id -> times it ran alone again after a loss
        # Results come with their futures, gathered in batches: one round trip per batch, not
        # per chunk (on 2 cores the driver's share of the CPU is the workers' loss).
        finished = as_completed(feed(), with_results=True, raise_errors=False)
        for future, value in finished:
            _, chunk, sender = pending.pop(future.key)
            if sender is not None:
                in_flight[sender] -= 1
            for sent in feed():
                finished.add(sent)
            if future.status == "finished":
                pairs = value
            else:
                # "error": KilledWorker after the allowed reruns, and the like; "lost" or
                # "cancelled": its result went down with a worker before it was gathered.
                error = future.exception() if future.status == "error" else None
                again = attempts.get(chunk[0].task_id, 0)
                if len(chunk) > 1 or (error is None and again < 2):
                    for task in chunk:  # each task again, alone: one bad task loses only itself
                        attempts[task.task_id] = again + 1 if len(chunk) == 1 else 0
                        finished.add(submit([task], f"again{attempts[task.task_id]}-{task.task_id}"))
                    future.release()
                    continue
                error = error or RuntimeError(f"its result was {future.status} with its worker")
                pairs = [(_infrastructure_error(chunk[0], error), None)]
            for row, result in pairs:
                record(row, result)
            future.release()
    except BaseException:
        if pending:  # an interrupt or a failing checkpoint write: free the cluster
            client.cancel([future for future, _, _ in pending.values()])
        raise
    finally:
        if isinstance(executor, str):
            client.close()


"""The worker side of :mod:`shareopt.batch`: the problem registry and the function that runs
one task where it lands (a pool process or a Dask worker).

Nothing here writes files: a worker returns its row and result object to the driver, and
only the driver writes the checkpoint, so a task is never recorded twice.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "PROBLEMS",
    "install_worker_inputs",
    "register_problem",
    "run_chunk_on_worker",
    "run_chunk_with_input",
    "run_task_with_input",
]


def _solve_chain(orders, params: Mapping[str, Any]):
    """Trip chains: ``solve_trip_chains(orders, **params)`` (cost and travel keywords)."""
    from .chaining import solve_trip_chains

    return solve_trip_chains(orders, **{"progress": False, **params})


def _solve_rebalance(stations, params: Mapping[str, Any]):
    """Bike rebalancing: ``rebalance(stations, alpha, **rest)``; ``alpha`` is required."""
    from .rebalance import rebalance

    alpha, keywords = _required(params, "alpha", "rebalance")
    return rebalance(stations, alpha, **{"progress": False, **keywords})


def _required(params: Mapping[str, Any], name: str, problem: str) -> tuple[Any, dict]:
    """``params[name]`` and the other keywords; a TypeError naming the problem when missing."""
    keywords = dict(params)
    if name not in keywords:
        raise TypeError(f"{problem} tasks need params['{name}']")
    return keywords.pop(name), keywords


def _solve_ports(data, params: Mapping[str, Any]):
    """Charging ports: ``plan_ports(data, budget, **rest)`` on a ChargingData."""
    from .charging import plan_ports

    budget, keywords = _required(params, "budget", "ports")
    return plan_ports(data, budget, **{"progress": False, **keywords})


def _solve_hexfleet(demand, params: Mapping[str, Any]):
    """Fleet distribution: ``plan_fleet(demand, fleet, **rest)`` on a HexDemand."""
    from .hexfleet import plan_fleet

    fleet, keywords = _required(params, "fleet", "hexfleet")
    return plan_fleet(demand, fleet, **{"progress": False, **keywords})


def _solve_relay(data, params: Mapping[str, Any]):
    """Scooter relays: ``solve_relays(data, **params)`` on a RelayData."""
    from .relay import solve_relays

    return solve_relays(data, **{"progress": False, **params})


#: Problem name -> ``function(input_object, params) -> result`` (the result has ``to_dict()``).
#: Add a problem with :func:`register_problem`; the function must be importable by name on the
#: workers (a module-level function of an installed module), since it travels by reference.
PROBLEMS: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
    "chain": _solve_chain,
    "rebalance": _solve_rebalance,
    "ports": _solve_ports,
    "hexfleet": _solve_hexfleet,
    "relay": _solve_relay,
}


def register_problem(name: str, solver: Callable[[Any, Mapping[str, Any]], Any]) -> None:
    """Make ``name`` a problem that batch tasks may name.

    Parameters
    ----------
    name
        The task's ``problem``.
    solver
        ``solver(input_object, params)`` returning an object with ``to_dict()``. It must be a
        module-level function that the workers can import (it is pickled by reference).
    """
    PROBLEMS[str(name)] = solver


# Inputs of this worker process, installed once per process by the pool's initializer.
_WORKER_INPUTS: dict[str, Any] = {}


def install_worker_inputs(inputs: Mapping[str, Any], driver_pid: int | None = None) -> None:
    """Process-pool initializer: keep the batch's inputs for every task this process runs,
    and end this process when the driver ``driver_pid`` is gone (killed: nobody is left to
    shut the pool down, and an orphaned worker would wait for work forever)."""
    _WORKER_INPUTS.clear()
    _WORKER_INPUTS.update(inputs)
    if driver_pid is not None and os.name == "posix":  # kill(pid, 0) is a real kill on Windows
        threading.Thread(target=_exit_with_driver, args=(driver_pid,), daemon=True,
                         name="shareopt-driver-watch").start()


def _exit_with_driver(driver_pid: int, period_s: float = 0.5) -> None:
    while _process_alive(driver_pid):
        time.sleep(period_s)
    os._exit(1)


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): the kill(0) above is all there is


def run_chunk_on_worker(tasks, solver) -> list[tuple[dict, Any]]:
    """Run a chunk of tasks that share one input on this process's installed inputs."""
    return run_chunk_with_input(tasks, solver, _WORKER_INPUTS[tasks[0].inputs])


def run_chunk_with_input(tasks, solver, input_object) -> list[tuple[dict, Any]]:
    """Run a chunk of tasks on one input, one after the other; one (row, result) per task.

    One call per chunk, not per task: on a small machine the scheduler's and the driver's
    per-call work comes out of the workers' share of the CPU.
    """
    return [run_task_with_input(task, solver, input_object) for task in tasks]


def run_task_with_input(task, solver, input_object) -> tuple[dict, Any]:
    """Run one task and never raise: the row (status, summary or error with traceback, seconds)
    and the full result (``None`` after an error)."""
    start = time.perf_counter()
    row = {"task_id": task.task_id, "problem": task.problem, "inputs": task.inputs,
           "params": dict(task.params), "status": "ok", "summary": None, "error": None,
           "traceback": None}
    result = None
    try:
        result = solver(input_object, dict(task.params))
        row["summary"] = result.to_dict() if hasattr(result, "to_dict") else {"value": repr(result)}
    except Exception as exc:  # noqa: BLE001 -- a failing task is a result, not the end of the batch
        row.update(status="error", error=f"{type(exc).__name__}: {exc}",
                   traceback=traceback.format_exc())
        result = None
    if result is not None:
        try:  # a result that cannot travel to the driver would fail (or hang Dask) later
            pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 -- any pickling failure
            row.update(status="error", error=f"the result cannot be sent back to the driver "
                       f"({type(exc).__name__}: {exc})", traceback=traceback.format_exc())
            result = None
    row["seconds"] = round(time.perf_counter() - start, 6)
    return row, result

"""Peers that cannot share our process: OR-Tools bundles its own HiGHS, which clashes with
highspy, so its min-cost flow runs in a worker process that stays up between rounds.

The worker loads an instance once (``load``), then each ``solve`` builds a fresh
SimpleMinCostFlow from the arrays and solves it, as a user of OR-Tools would; only that is
timed, not the process start or the file load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

_WORKER = r"""
import json, sys, time
import numpy as np
from ortools.graph.python import min_cost_flow
arrays = None
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "load":
        arrays = dict(np.load(argument))
        print(json.dumps({"ok": True}), flush=True)
    elif command == "solve":
        start = time.perf_counter()
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(arrays["tail"], arrays["head"],
                                                  arrays["upper"], arrays["cost"])
        nodes = np.arange(len(arrays["supply"]), dtype=np.int32)
        flow.set_nodes_supplies(nodes, arrays["supply"])
        status = flow.solve()
        print(json.dumps({"status": str(status), "cost": int(flow.optimal_cost()),
                          "seconds": time.perf_counter() - start}), flush=True)
    elif command == "quit":
        break
"""


class OrToolsFlow:
    """A SimpleMinCostFlow worker process for one instance (tail, head, upper, cost, supply)."""

    def __init__(self, folder: Path, tail, head, upper, cost, supply):
        path = Path(folder) / "ortools_instance.npz"
        np.savez(path, tail=np.asarray(tail, np.int32), head=np.asarray(head, np.int32),
                 upper=np.asarray(upper, np.int64), cost=np.asarray(cost, np.int64),
                 supply=np.asarray(supply, np.int64))
        self._process = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
        self._ask(f"load {path}")

    def _ask(self, line: str) -> dict:
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError("the OR-Tools worker died (is ortools installed? pip install "
                               "'shareopt[bench]')")
        return json.loads(answer)

    def solve(self) -> dict:
        result = self._ask("solve")
        if result["status"] != "Status.OPTIMAL":
            raise RuntimeError(f"OR-Tools: {result['status']}")
        return result

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.write("quit\n")
            self._process.stdin.flush()
            self._process.wait(timeout=30)


def pulp_port_allocation(weighted, cost, max_added, budget, time_limit=None) -> dict:
    """The port-allocation MIP of ``shareopt.allocate`` built and solved with PuLP (CBC).

    The same model: a binary y[s, k] per station s and k <= max_added[s], a row
    ``sum_k y[s, k] == 1`` per station and one row ``sum cost[s] * k * y[s, k] <= budget``;
    CBC with msg=False and a relative gap of 0, as shareopt asks of HiGHS. ``time_s`` is the
    wall time of the build and the solve (PuLP writes an MPS file and runs CBC in a process).
    """
    import time
    import warnings

    with warnings.catch_warnings():  # PuLP 3 warns about the API it still documents
        warnings.simplefilter("ignore", DeprecationWarning)
        return _pulp_port_allocation(weighted, cost, max_added, budget, time_limit, time.perf_counter())


def _pulp_port_allocation(weighted, cost, max_added, budget, time_limit, start) -> dict:
    import time

    import pulp  # benchmark-only dependency (shareopt[bench])

    weighted = np.asarray(weighted, dtype=float)
    cost = np.asarray(cost, dtype=float)
    max_added = np.asarray(max_added, dtype=np.int64)
    n = len(max_added)
    model = pulp.LpProblem("port_allocation", pulp.LpMinimize)
    y = [[pulp.LpVariable(f"y_{s}_{k}", cat=pulp.LpBinary) for k in range(int(max_added[s]) + 1)]
         for s in range(n)]
    model += pulp.LpAffineExpression([(var, float(weighted[s, k]))
                                      for s in range(n) for k, var in enumerate(y[s])])
    for s in range(n):
        model += pulp.LpAffineExpression([(var, 1.0) for var in y[s]]) == 1, f"one_k_{s}"
    spend = pulp.LpAffineExpression([(var, float(cost[s]) * k) for s in range(n)
                                     for k, var in enumerate(y[s]) if k])
    model += spend <= float(budget), "budget"
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=0.0))
    added = [max(range(len(y[s])), key=lambda k, s=s: y[s][k].value() or 0.0) for s in range(n)]
    return {"objective": float(sum(weighted[s, k] for s, k in enumerate(added))),
            "added": added, "status": pulp.LpStatus[model.status],
            "time_s": time.perf_counter() - start}

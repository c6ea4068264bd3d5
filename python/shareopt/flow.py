"""Min-cost flow: the C++ network simplex, and the same model through HiGHS as a cross-check.

Every problem that is a flow (trip chains, bike rebalancing, the time-expanded fleet networks)
solves it here. The network simplex works on integer costs, so each pivot is exact; real costs
are scaled by :func:`cost_scale` first, which bounds the error it introduces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import _core
from .exceptions import InfeasibleError, SolverError, TimeLimitError, UnboundedError
from .lp import solve_lp

__all__ = ["FlowSolution", "NetworkFlow", "min_cost_flow", "cost_scale", "incidence_matrix"]


def cost_scale(max_abs_cost: float, num_nodes: int) -> float:
    """Power of two that turns real costs into integers safe for the network simplex.

    Rounding every cost to the nearest multiple of ``1 / scale`` moves the cost of a solution
    that uses ``A`` arcs by at most ``A / (2 * scale)``, so the optimum of the rounded model is
    within ``A / scale`` of the real optimum.
    """
    return float(_core.cost_scale(float(max_abs_cost), int(num_nodes)))


@dataclass(frozen=True, eq=False)
class FlowSolution:
    """An optimal flow.

    Attributes
    ----------
    flow
        Flow on each arc, in input order.
    potentials
        Node potentials pi: the reduced cost of arc (u, v) is ``cost + pi[u] - pi[v]``, at
        least 0 on arcs below their upper bound and at most 0 on arcs above their lower bound.
    objective
        Total cost.
    method
        ``"network"`` or ``"highs"``.
    """

    flow: np.ndarray
    potentials: np.ndarray
    objective: float
    method: str

    def to_dict(self) -> dict:
        return {"objective": float(self.objective), "method": self.method,
                "arcs": int(len(self.flow)), "total_flow": float(np.abs(self.flow).sum())}


def incidence_matrix(num_nodes: int, tail, head) -> sp.csc_matrix:
    """Node-arc incidence matrix (CSC): +1 at the tail and -1 at the head of each arc."""
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    m = len(tail)
    rows = np.empty(2 * m, dtype=np.int32)
    rows[0::2] = tail
    rows[1::2] = head
    values = np.tile(np.array([1.0, -1.0]), m)
    indptr = np.arange(0, 2 * m + 1, 2, dtype=np.int32)
    return sp.csc_matrix((values, rows, indptr), shape=(num_nodes, m))


def min_cost_flow(num_nodes: int, tail, head, cost, supply, *, lower=None, upper=None,
                  method: str = "network", time_limit: float | None = None) -> FlowSolution:
    """Minimize ``cost @ flow`` subject to flow balance and ``lower <= flow <= upper``.

    Parameters
    ----------
    num_nodes
        Nodes are 0 .. num_nodes - 1.
    tail, head
        Arc end nodes.
    cost
        Cost per unit of flow. ``method="network"`` needs integers (scale real costs with
        :func:`cost_scale` and round); ``"highs"`` takes any real costs.
    supply
        Supply (> 0) or demand (< 0) of each node; must sum to zero.
    lower, upper
        Arc bounds; default 0 and unbounded.
    method
        ``"network"`` (C++ network simplex) or ``"highs"`` (the same LP through HiGHS).
    time_limit
        Seconds; :class:`~shareopt.exceptions.TimeLimitError` when it runs out.

    Raises
    ------
    InfeasibleError
        No flow meets the supplies within the bounds.
    UnboundedError
        A negative-cost cycle of unbounded arcs.
    """
    tail = np.ascontiguousarray(tail, dtype=np.int64)
    head = np.ascontiguousarray(head, dtype=np.int64)
    m = len(tail)
    if len(head) != m or len(np.asarray(cost)) != m:
        raise ValueError("tail, head and cost must have the same length")
    if num_nodes < 0 or (m and (min(tail.min(), head.min()) < 0 or
                                max(tail.max(), head.max()) >= num_nodes)):
        raise ValueError(f"arc end nodes must be in [0, {num_nodes})")
    supply = np.asarray(supply)
    if supply.shape != (num_nodes,):
        raise ValueError(f"supply must have one entry per node ({num_nodes})")
    lower = np.zeros(m) if lower is None else np.asarray(lower, dtype=np.float64)
    upper = np.full(m, np.inf) if upper is None else np.asarray(upper, dtype=np.float64)
    if method == "network":
        return _network(num_nodes, tail, head, np.asarray(cost), supply, lower, upper, time_limit)
    if method == "highs":
        return _highs(num_nodes, tail, head, np.asarray(cost, dtype=np.float64), supply, lower,
                      upper, time_limit)
    raise ValueError(f"method must be 'network' or 'highs', not {method!r}")


def _integers(values, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise ValueError(f"method='network' needs integer {name}; scale real costs with "
                         "cost_scale() and round them, or use method='highs'")
    return values.astype(np.int64)


class NetworkFlow:
    """A min-cost flow on the C++ network simplex that takes more arcs between solves.

    Lazy pricing: solve on a few candidate arcs, price the rest against :meth:`potentials`,
    add those with a negative reduced cost, solve again from the last basis.

    Parameters
    ----------
    num_nodes
        Nodes are 0 .. num_nodes - 1.
    supply
        Integer supply (> 0) or demand (< 0) of each node; must sum to zero.
    cost_bound
        Largest ``|cost|`` of any arc that will ever be added (it sizes the artificial start);
        None: the largest among the arcs present at the first solve.
    near_scans
        Once few arcs price out, let the simplex read only the arcs whose reduced cost its
        pivots can have lowered. It pays where each re-solve takes in a few arcs of a large
        model (trip chains); where pivots move large subtrees (bike rebalancing) it gains
        nothing.
    """

    INFINITY = _core.NetworkSimplex.INFINITY

    def __init__(self, num_nodes: int, supply, *, cost_bound: int | None = None,
                 near_scans: bool = False):
        self._solver = _core.NetworkSimplex(int(num_nodes))
        self._solver.set_supplies(_integers(supply, "supplies"))
        if cost_bound is not None:
            self._solver.set_cost_bound(int(cost_bound))
        self._solver.set_near_scans(bool(near_scans))

    @property
    def num_arcs(self) -> int:
        return self._solver.num_arcs

    @property
    def pivots(self) -> int:
        return self._solver.pivots

    def add_arcs(self, tail, head, cost, lower=None, upper=None) -> None:
        """Add arcs (integer costs and bounds; upper may be inf). After the first solve only
        arcs with lower bound 0 may be added."""
        tail = np.ascontiguousarray(tail, dtype=np.int32)
        m = len(tail)
        lower = np.zeros(m, dtype=np.int64) if lower is None else _integers(lower, "lower bounds")
        if upper is None:
            upper_int = np.full(m, self.INFINITY, dtype=np.int64)
        else:
            upper = np.asarray(upper, dtype=np.float64)
            upper_int = _integers(np.where(np.isinf(upper), self.INFINITY,
                                           np.minimum(upper, self.INFINITY)), "upper bounds")
        self._solver.add_arcs(tail, np.ascontiguousarray(head, dtype=np.int32), lower, upper_int,
                              _integers(cost, "costs"))

    def start_from_tree(self, parent_arc, at_upper=None, *, repair: bool = False) -> bool:
        """Start the first solve from a spanning tree of real arcs instead of the artificial start.

        ``parent_arc[u]`` is the arc to u's parent, -1 to hang u from the artificial root;
        the arcs in ``at_upper`` rest at their (finite) upper bound, the others outside the
        tree at their lower bound. False, changing nothing, unless the tree is strongly
        feasible for the supplies; with ``repair`` a tree arc whose flow would leave its
        bounds is dropped instead (its subtree hangs from the root), so the basis of an
        earlier solve (:meth:`basis`) restarts a problem whose supplies changed.
        """
        upper = None if at_upper is None else np.ascontiguousarray(at_upper, dtype=np.int64)
        return bool(self._solver.start_from_tree(np.ascontiguousarray(parent_arc, dtype=np.int64), upper,
                                                 bool(repair)))

    def basis(self) -> tuple[np.ndarray, np.ndarray]:
        """The optimal basis of the last solve: (parent_arc, at_upper) for :meth:`start_from_tree`."""
        return self._solver.basis()

    def solve(self, time_limit: float | None = None) -> None:
        """Optimize over the arcs present (from the last basis); raises on any status but optimal."""
        _raise_for(self._solver.solve(np.inf if time_limit is None else float(time_limit)))

    def flows(self) -> np.ndarray:
        return self._solver.flows()

    def potentials(self) -> np.ndarray:
        """pi with reduced cost ``cost + pi[tail] - pi[head]``, >= 0 on arcs that can carry more."""
        return self._solver.potentials()


def _network(num_nodes, tail, head, cost, supply, lower, upper, time_limit) -> FlowSolution:
    model = NetworkFlow(num_nodes, supply)
    model.add_arcs(tail, head, cost, lower, upper)
    model.solve(time_limit)
    flow = model.flows()
    return FlowSolution(flow, model.potentials(), float(np.dot(flow, cost)), "network")


def _highs(num_nodes, tail, head, cost, supply, lower, upper, time_limit) -> FlowSolution:
    supply = np.asarray(supply, dtype=np.float64)
    matrix = incidence_matrix(num_nodes, tail, head)
    result = solve_lp(cost, matrix, supply, supply, lower, upper, time_limit=time_limit)
    if not result.is_optimal:
        raise TimeLimitError(f"HiGHS stopped before optimality ({result.status})")
    # HiGHS duals y price rows: reduced cost c - A^T y = c - y[tail] + y[head], so pi = -y.
    return FlowSolution(result.x, -result.row_dual, float(result.objective), "highs")


def _raise_for(status: str) -> None:
    if status == "optimal":
        return
    if status == "infeasible":
        raise InfeasibleError("no flow meets the supplies within the arc bounds")
    if status == "unbounded":
        raise UnboundedError("a cycle of negative cost has no capacity limit")
    if status == "time_limit":
        raise TimeLimitError("the network simplex hit the time limit")
    raise SolverError(f"network simplex ended with status {status}", status)  # pragma: no cover

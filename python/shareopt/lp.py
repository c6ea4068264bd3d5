"""Bridge from array-form linear and mixed-integer programs to HiGHS.

A model is ``min/max c @ x + offset`` subject to ``row_lower <= A @ x <= row_upper``
and ``col_lower <= x <= col_upper``, with an optional integrality flag per column.
It is handed to HiGHS whole, in one ``Highs.passModel`` call on CSC arrays with int32
indices: building it variable by variable is quadratic in some HiGHS versions.

``Highs.run`` releases the GIL in highspy, so other Python threads keep running
during a solve and several solves may run in parallel threads.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ._highs import new_highs
from .exceptions import (
    InfeasibleError,
    SolverError,
    TimeLimitError,
    UnboundedError,
    ValidationError,
)

__all__ = [
    "LinearProgram",
    "LiveModel",
    "LpSolution",
    "get_threads",
    "set_threads",
    "solve_lp",
]

_MS = highspy.HighsModelStatus
_KERROR = highspy.HighsStatus.kError
_INT32_MAX = int(np.iinfo(np.int32).max)
_MAX_NAMED = 5  # offending positions quoted in a message
# Statuses where HiGHS stopped on a limit; its incumbent (if any) is still usable.
_STOPPED_EARLY = frozenset({_MS.kTimeLimit, _MS.kIterationLimit, _MS.kInterrupt,
                            _MS.kSolutionLimit, _MS.kObjectiveBound, _MS.kObjectiveTarget})
# HiGHS options that solve() sets from its own keywords.
_KEYWORD_OPTIONS = {"time_limit": "time_limit", "mip_rel_gap": "mip_gap", "output_flag": "verbose"}

# ---------------------------------------------------------------- threads
# HiGHS keeps ONE task scheduler per OS thread (a thread_local in HighsTaskExecutor),
# sized by the first run on that thread. A later run there asking another explicit
# ``threads`` fails with kError ("global scheduler has already been initialized").
# Highs.resetGlobalScheduler(True) shuts down the calling thread's scheduler only, so
# we call it before a run whose size differs from the one we started on this thread.
_process_threads: int | None = None
_scheduler_of_this_thread = threading.local()  # .threads: size we started here


def set_threads(threads: int | None) -> None:
    """Set how many threads HiGHS uses in solves that do not pass ``threads``.

    Parameters
    ----------
    threads
        A positive count, or None to let HiGHS choose (its default, about half the cores).

    Notes
    -----
    Changing the value is safe at any time: before the next solve on a given OS
    thread, its HiGHS scheduler is shut down with ``Highs.resetGlobalScheduler`` and
    restarted with the new size. Solves in flight on other threads are not affected.
    """
    global _process_threads
    _process_threads = _check_threads(threads)


def get_threads() -> int | None:
    """Return the thread count set by :func:`set_threads` (None: HiGHS default)."""
    return _process_threads


def _check_threads(threads: int | None) -> int | None:
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValidationError(f"threads must be a positive integer or None, got {threads!r}",
                              reason="invalid_threads")
    return int(threads)


def _match_scheduler_to(threads: int | None) -> int:
    """Make this OS thread's HiGHS scheduler fit ``threads``; return the option value."""
    if threads is None:
        return 0  # HiGHS accepts any running scheduler for threads=0, or starts its default
    if getattr(_scheduler_of_this_thread, "threads", None) != threads:
        highspy.Highs.resetGlobalScheduler(True)  # blocking: old workers are joined
        _scheduler_of_this_thread.threads = threads
    return threads


# ---------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class LpSolution:
    """Result of :func:`solve_lp` (arrays are read-only).

    Attributes
    ----------
    x, row_activity : ndarray
        Primal column values and ``A @ x``.
    row_dual, col_dual : ndarray or None
        Row duals and reduced costs, ``col_dual = c - A.T @ row_dual`` in the user's
        sense. None for a MIP, and for an LP stopped before HiGHS had valid duals.
    objective : float
        Objective value including the offset, in the user's sense.
    status : str
        HiGHS model status text (``"Optimal"``, ``"Time limit reached"``, ...).
    is_optimal : bool
        True when HiGHS proved optimality (within ``mip_gap`` for a MIP).
    mip_gap : float
        Relative gap from HiGHS for a MIP; 0 for an optimal LP; inf when unknown.
    dual_bound : float
        ``mip_dual_bound`` for a MIP; the objective for an optimal LP.
    time : float
        HiGHS run time in seconds.
    iterations : int
        Simplex iterations (for a MIP, summed over its LPs).
    """

    x: NDArray[np.float64]
    row_activity: NDArray[np.float64]
    row_dual: NDArray[np.float64] | None
    col_dual: NDArray[np.float64] | None
    objective: float
    status: str
    is_optimal: bool
    mip_gap: float
    dual_bound: float
    time: float
    iterations: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe summary without the arrays (non-finite numbers become None)."""
        return {
            "status": self.status,
            "objective": _finite_or_none(self.objective),
            "is_optimal": bool(self.is_optimal),
            "gap": _finite_or_none(self.mip_gap),
            "time": float(self.time),
            "iterations": int(self.iterations),
            "n_cols": int(self.x.size),
            "n_rows": int(self.row_activity.size),
        }


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def read_only(values: Any, dtype: Any = np.float64) -> NDArray[Any]:
    """A read-only copy of ``values`` (result arrays that callers must not change)."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


# ---------------------------------------------------------------- model
@dataclass(frozen=True, eq=False)
class LinearProgram:
    """A linear or mixed-integer program in array form, validated on construction.

    Parameters
    ----------
    c : array_like, shape (n,)
        Objective coefficients (finite).
    A : scipy.sparse matrix or array_like, shape (m, n)
        Constraint matrix, any sparse format or dense; stored as CSC (float64).
    row_lower, row_upper : array_like or float
        Row bounds, broadcast from scalars; use ``-inf``/``inf`` for one-sided rows.
    col_lower, col_upper : array_like or float
        Column bounds, broadcast from scalars (default ``0 <= x < inf``).
    integrality : array_like of bool or {0, 1}, shape (n,), optional
        True/1 marks an integer column. Stored as int32, or None when no column is integer.
    sense : {"min", "max"}
        Direction of optimisation.
    offset : float
        Constant added to the objective.

    Raises
    ------
    ValidationError
        (a ``ValueError``) naming the first offending rows or columns.
    """

    c: NDArray[np.float64]
    A: sp.csc_array
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]
    col_lower: NDArray[np.float64] | float = 0.0
    col_upper: NDArray[np.float64] | float = math.inf
    integrality: NDArray[np.int32] | None = None
    sense: Literal["min", "max"] = "min"
    offset: float = 0.0

    def __post_init__(self) -> None:
        if np.ndim(self.c) != 1:
            raise ValidationError(f"c must be 1-D, got shape {np.shape(self.c)}",
                                  reason="shape_mismatch")
        c = _as_vector("c", self.c, len(self.c), "columns", finite=True)
        fields: dict[str, Any] = {"c": c}
        fields["A"] = _as_csc(self.A, n_cols=c.size)
        n = {"rows": fields["A"].shape[0], "columns": c.size}
        for name, kind in (("row_lower", "rows"), ("row_upper", "rows"),
                           ("col_lower", "columns"), ("col_upper", "columns")):
            fields[name] = _as_vector(name, getattr(self, name), n[kind], kind)
        _check_bound_order("row", fields["row_lower"], fields["row_upper"], "rows")
        _check_bound_order("col", fields["col_lower"], fields["col_upper"], "columns")
        fields["integrality"] = _as_integrality(self.integrality, c.size)
        if self.sense not in ("min", "max"):
            raise ValidationError(f"sense must be 'min' or 'max', got {self.sense!r}",
                                  reason="invalid_sense")
        offset = float(self.offset)
        if not math.isfinite(offset):
            raise ValidationError(f"offset must be finite, got {offset}", reason="not_finite")
        fields["offset"] = offset
        for name, value in fields.items():
            object.__setattr__(self, name, value)  # frozen: normalise once, here

    @property
    def n_cols(self) -> int:
        """Number of columns (variables)."""
        return int(self.c.size)

    @property
    def n_rows(self) -> int:
        """Number of rows (constraints)."""
        return int(self.A.shape[0])

    @property
    def is_mip(self) -> bool:
        """True when at least one column is integer."""
        return self.integrality is not None

    def solve(self, *, time_limit: float | None = None, threads: int | None = None,
              mip_gap: float | None = None, warm_start: ArrayLike | None = None,
              options: Mapping[str, bool | int | float | str] | None = None,
              verbose: bool = False) -> LpSolution:
        """Solve with HiGHS; the keywords are those of :func:`solve_lp`."""
        threads = _check_threads(threads) if threads is not None else get_threads()
        start = None
        if warm_start is not None:
            start = _as_vector("warm_start", warm_start, self.n_cols, "columns", finite=True)
        settings = _collect_options(time_limit, mip_gap, verbose, options)

        highs = new_highs()
        _set_option(highs, "output_flag", bool(verbose))  # first, so nothing prints before
        for name, value in settings.items():
            _set_option(highs, name, value)
        _set_option(highs, "threads", _match_scheduler_to(threads))
        self._pass_to(highs)
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = start
            solution.value_valid = True
            _check_status(highs.setSolution(solution), "setSolution (warm start)")
        status = highs.run()
        if status == _KERROR:
            text = highs.modelStatusToString(highs.getModelStatus())
            raise SolverError(f"HiGHS run returned kError (model status: {text})", text)
        return self._read_result(highs, time_limit)

    def _pass_to(self, highs: highspy.Highs) -> None:
        """Hand the whole model to HiGHS in one call (CSC, int32 indices)."""
        integrality = self.integrality if self.is_mip else np.zeros(self.n_cols, dtype=np.int32)
        sense = highspy.ObjSense.kMaximize if self.sense == "max" else highspy.ObjSense.kMinimize
        status = highs.passModel(
            self.n_cols, self.n_rows, int(self.A.nnz), 1, int(sense), self.offset,  # 1: colwise
            self.c, self.col_lower, self.col_upper, self.row_lower, self.row_upper,
            self.A.indptr.astype(np.int32), self.A.indices.astype(np.int32), self.A.data,
            integrality,
        )
        _check_status(status, "passModel")

    def _read_result(self, highs: highspy.Highs, time_limit: float | None) -> LpSolution:
        status = highs.getModelStatus()
        text = highs.modelStatusToString(status)
        if status == _MS.kModelEmpty and self.n_cols == 0:
            return self._empty_solution(text, float(highs.getRunTime()))
        if status == _MS.kInfeasible:
            raise InfeasibleError(f"model is infeasible (HiGHS: {text})", text)
        if status == _MS.kUnbounded:
            raise UnboundedError(f"model is unbounded (HiGHS: {text})", text)
        if status == _MS.kUnboundedOrInfeasible:
            raise UnboundedError(f"model is unbounded or infeasible (HiGHS: {text})", text)
        info = highs.getInfo()
        has_incumbent = int(info.primal_solution_status) == int(highspy.kSolutionStatusFeasible)
        if status in _STOPPED_EARLY and not has_incumbent:
            if status == _MS.kTimeLimit:
                raise TimeLimitError(f"time limit of {time_limit} s reached before any feasible "
                                     f"solution (HiGHS: {text})", text)
            raise SolverError(f"HiGHS stopped before any feasible solution (HiGHS: {text})", text)
        if status != _MS.kOptimal and status not in _STOPPED_EARLY:
            raise SolverError(f"HiGHS failed (model status: {text})", text)

        is_optimal = status == _MS.kOptimal
        solution = highs.getSolution()
        objective = float(info.objective_function_value)
        if self.is_mip:
            gap, dual_bound = float(info.mip_gap), float(info.mip_dual_bound)
        else:
            trivial_bound = math.inf if self.sense == "max" else -math.inf
            gap, dual_bound = (0.0, objective) if is_optimal else (math.inf, trivial_bound)
        has_duals = not self.is_mip and bool(solution.dual_valid)
        return LpSolution(
            x=read_only(solution.col_value),
            row_activity=read_only(solution.row_value),
            row_dual=read_only(solution.row_dual) if has_duals else None,
            col_dual=read_only(solution.col_dual) if has_duals else None,
            objective=objective, status=text, is_optimal=is_optimal, mip_gap=gap,
            dual_bound=dual_bound, time=float(highs.getRunTime()),
            iterations=max(int(info.simplex_iteration_count), 0),  # HiGHS reports -1 when none ran
        )

    def _empty_solution(self, text: str, run_time: float) -> LpSolution:
        """No columns: every row's activity is 0, so HiGHS has nothing to decide."""
        violated = np.flatnonzero((self.row_lower > 0) | (self.row_upper < 0))
        if violated.size:
            raise InfeasibleError(f"model has no columns and rows {_first(violated)} exclude 0 "
                                  f"(HiGHS: {text})", text)
        zeros = read_only(np.zeros(self.n_rows))
        return LpSolution(x=read_only([]), row_activity=zeros, row_dual=zeros,
                          col_dual=read_only([]), objective=self.offset, status=text,
                          is_optimal=True, mip_gap=0.0, dual_bound=self.offset, time=run_time,
                          iterations=0)


class LiveModel:
    """A linear program kept in HiGHS between solves, for cutting-plane loops.

    Rows can be added and row bounds changed in place; each :meth:`solve` then starts from
    the last basis (the dual simplex repairs it), instead of a new model from scratch.

    Parameters
    ----------
    program
        The starting model (an LP: no integer columns).
    threads
        As in :meth:`LinearProgram.solve`.
    """

    def __init__(self, program: LinearProgram, *, threads: int | None = None):
        if program.is_mip:
            raise ValidationError("LiveModel takes an LP (no integer columns)", reason="invalid_live_model")
        self.program = program
        self._highs = new_highs()
        _set_option(self._highs, "output_flag", False)
        threads = _check_threads(threads) if threads is not None else get_threads()
        _set_option(self._highs, "threads", _match_scheduler_to(threads))
        program._pass_to(self._highs)

    @property
    def n_rows(self) -> int:
        return int(self._highs.getNumRow())

    def add_rows(self, lower: ArrayLike, upper: ArrayLike, matrix: Any) -> None:
        """Append rows ``lower <= matrix @ x <= upper`` (matrix: rows x columns, any sparse form)."""
        rows = sp.csr_array(matrix)
        if rows.shape[1] != self.program.n_cols:
            raise ValidationError(f"new rows need {self.program.n_cols} columns, got {rows.shape[1]}",
                                  reason="shape_mismatch")
        low = _as_vector("lower", lower, rows.shape[0], "rows")
        high = _as_vector("upper", upper, rows.shape[0], "rows")
        _check_status(self._highs.addRows(rows.shape[0], low, high, int(rows.nnz), rows.indptr[:-1].astype(np.int32),
                                          rows.indices.astype(np.int32), rows.data.astype(np.float64)), "addRows")

    def set_row_bounds(self, rows: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> None:
        """New bounds for existing rows."""
        index = np.asarray(rows, dtype=np.int32)
        low = _as_vector("lower", lower, index.size, "rows")
        high = _as_vector("upper", upper, index.size, "rows")
        _check_status(self._highs.changeRowsBounds(index.size, index, low, high), "changeRowsBounds")

    def solve(self, *, time_limit: float | None = None) -> LpSolution:
        """Solve from the last basis; statuses as :meth:`LinearProgram.solve`."""
        _set_option(self._highs, "time_limit", math.inf if time_limit is None else float(time_limit))
        started = time.perf_counter()
        status = self._highs.run()
        if status == _KERROR or self._highs.getModelStatus() == _MS.kUnknown:
            # Numerical trouble from the kept basis (seen after many added rows): once more from
            # scratch, within the time left, before calling it a failure.
            self._highs.clearSolver()
            if time_limit is not None:
                _set_option(self._highs, "time_limit", max(0.0, float(time_limit) - (time.perf_counter() - started)))
            status = self._highs.run()
        if status == _KERROR:
            text = self._highs.modelStatusToString(self._highs.getModelStatus())
            raise SolverError(f"HiGHS run returned kError (model status: {text})", text)
        return self.program._read_result(self._highs, time_limit)


def solve_lp(c: ArrayLike, A: Any, row_lower: ArrayLike | float, row_upper: ArrayLike | float,
             col_lower: ArrayLike | float = 0.0, col_upper: ArrayLike | float = math.inf, *,
             integrality: ArrayLike | None = None, sense: Literal["min", "max"] = "min",
             offset: float = 0.0, time_limit: float | None = None, threads: int | None = None,
             mip_gap: float | None = None, warm_start: ArrayLike | None = None,
             options: Mapping[str, bool | int | float | str] | None = None,
             verbose: bool = False) -> LpSolution:
    """Solve ``min/max c @ x + offset`` s.t. ``row_lower <= A @ x <= row_upper``, bounds on x.

    Parameters
    ----------
    c, A, row_lower, row_upper, col_lower, col_upper, integrality, sense, offset
        The model; see :class:`LinearProgram`.
    time_limit : float, optional
        Seconds (HiGHS option ``time_limit``).
    threads : int, optional
        HiGHS threads for this solve; default :func:`get_threads`.
    mip_gap : float, optional
        Relative gap at which a MIP counts as optimal (HiGHS ``mip_rel_gap``).
    warm_start : array_like, shape (n,), optional
        Primal start handed to ``Highs.setSolution`` (a MIP incumbent if feasible).
    options : mapping, optional
        Raw HiGHS options, set one by one with ``setOptionValue``. ``threads`` and the
        options behind the keywords above are refused here.
    verbose : bool
        Let HiGHS log to stdout; when False nothing is printed.

    Returns
    -------
    LpSolution
        Optimal, or stopped on a limit with a feasible point (``is_optimal=False``).

    Raises
    ------
    ValidationError
        Invalid model, keyword or option (a ``ValueError``).
    SolverError
        No usable answer: :class:`InfeasibleError`, :class:`UnboundedError` (also for
        "unbounded or infeasible"), :class:`TimeLimitError` (no feasible point in time),
        or the base class for HiGHS errors and other statuses.
    """
    model = LinearProgram(c, A, row_lower, row_upper, col_lower, col_upper,
                          integrality=integrality, sense=sense, offset=offset)
    return model.solve(time_limit=time_limit, threads=threads, mip_gap=mip_gap,
                       warm_start=warm_start, options=options, verbose=verbose)


# ---------------------------------------------------------------- helpers
def _first(indices: NDArray[np.intp]) -> str:
    shown = ", ".join(str(int(i)) for i in indices[:_MAX_NAMED])
    return f"[{shown}{', ...' if indices.size > _MAX_NAMED else ''}]"


def _as_vector(name: str, values: Any, size: int, kind: str,
               finite: bool = False) -> NDArray[np.float64]:
    """Copy to float64 with scalars broadcast; reject NaN (and +-inf when ``finite``)."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"{name} must be numeric: {error}", reason="not_numeric") from error
    if array.ndim == 0:
        array = np.full(size, float(array))
    elif array.shape != (size,):
        raise ValidationError(f"{name} has shape {array.shape}, expected ({size},) or a scalar",
                              reason="shape_mismatch")
    bad = np.flatnonzero(~np.isfinite(array) if finite else np.isnan(array))
    if bad.size:
        what = "NaN or infinite values" if finite else "NaN"
        raise ValidationError(f"{name} has {what} at {kind} {_first(bad)}",
                              reason="not_finite" if finite else "nan", rows=bad)
    return array


def _as_csc(matrix: Any, n_cols: int) -> sp.csc_array:
    """Convert once to canonical CSC float64 (duplicates summed, explicit zeros dropped)."""
    try:
        csc = sp.csc_array(matrix, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"A must be a 2-D matrix: {error}", reason="not_numeric") from error
    if csc.ndim != 2 or csc.shape[1] != n_cols:
        raise ValidationError(f"A has shape {csc.shape} but c has {n_cols} entries "
                              f"(A must have one column per entry of c)", reason="shape_mismatch")
    if max(csc.shape[0], n_cols, csc.nnz) > _INT32_MAX:
        raise ValidationError("model too large for HiGHS int32 indices", reason="too_large")
    csc.sum_duplicates()
    bad = np.flatnonzero(~np.isfinite(csc.data))
    if bad.size:
        columns = np.searchsorted(csc.indptr, bad[:_MAX_NAMED], side="right") - 1
        rows = csc.indices[bad[:_MAX_NAMED]]
        where = ", ".join(f"({int(r)}, {int(k)})" for r, k in zip(rows, columns))
        raise ValidationError(f"A has NaN or infinite entries at (row, column) {where}",
                              reason="not_finite", rows=np.unique(csc.indices[bad]))
    csc.eliminate_zeros()
    return csc


def _check_bound_order(prefix: str, lower: NDArray[np.float64], upper: NDArray[np.float64],
                       kind: str) -> None:
    crossed = np.flatnonzero(lower > upper)
    if crossed.size:
        i = crossed[0]
        raise ValidationError(f"{prefix}_lower > {prefix}_upper at {kind} {_first(crossed)} "
                              f"(first: {lower[i]} > {upper[i]})", reason="lower_above_upper",
                              rows=crossed)
    # +inf lower or -inf upper leaves no finite value to take
    unusable = np.flatnonzero((lower == math.inf) | (upper == -math.inf))
    if unusable.size:
        raise ValidationError(f"{prefix} bounds exclude every finite value at {kind} "
                              f"{_first(unusable)}", reason="infinite_bound", rows=unusable)


def _as_integrality(values: Any, n_cols: int) -> NDArray[np.int32] | None:
    if values is None:
        return None
    array = np.asarray(values)
    if array.shape != (n_cols,):
        raise ValidationError(f"integrality has shape {array.shape}, expected ({n_cols},)",
                              reason="shape_mismatch")
    if array.dtype != bool and not np.issubdtype(array.dtype, np.number):
        raise ValidationError("integrality must hold bools or 0/1", reason="not_numeric")
    bad = np.flatnonzero((array != 0) & (array != 1))
    if bad.size:
        raise ValidationError(f"integrality must be 0/1 or bool; other values at columns "
                              f"{_first(bad)}", reason="invalid_integrality", rows=bad)
    flags = array.astype(np.int32)
    return flags if flags.any() else None


def _collect_options(time_limit: float | None, mip_gap: float | None, verbose: bool,
                     options: Mapping[str, Any] | None) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if time_limit is not None:
        if not float(time_limit) > 0:
            raise ValidationError(f"time_limit must be positive, got {time_limit}",
                                  reason="invalid_option")
        settings["time_limit"] = float(time_limit)
    if mip_gap is not None:
        if not (math.isfinite(float(mip_gap)) and mip_gap >= 0):
            raise ValidationError(f"mip_gap must be finite and >= 0, got {mip_gap}",
                                  reason="invalid_option")
        settings["mip_rel_gap"] = float(mip_gap)
    for name, value in (options or {}).items():
        if name == "threads":  # must go through the scheduler bookkeeping above
            raise ValidationError("pass threads as threads= or set_threads(), not in options",
                                  reason="invalid_option")
        if name in _KEYWORD_OPTIONS:
            raise ValidationError(f"HiGHS option {name!r} is set by the keyword "
                                  f"{_KEYWORD_OPTIONS[name]}=, not in options",
                                  reason="invalid_option")
        settings[name] = value.item() if isinstance(value, np.generic) else value
    return settings


def _set_option(highs: highspy.Highs, name: str, value: Any) -> None:
    if highs.setOptionValue(name, value) != _KERROR:
        return
    if highs.getOptionType(name)[0] == _KERROR:
        raise ValidationError(f"unknown HiGHS option {name!r}", reason="unknown_option")
    raise ValidationError(f"invalid value {value!r} for HiGHS option {name!r}",
                          reason="invalid_option")


def _check_status(status: highspy.HighsStatus, call: str) -> None:
    """Raise on kError (kWarning is fine: e.g. a limit was reached, judged later)."""
    if status == _KERROR:
        raise SolverError(f"HiGHS {call} returned {status.name}", status.name)

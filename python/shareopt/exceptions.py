"""Exceptions raised by shareopt.

Every error a user can cause is a :class:`ShareoptError`. Input errors are also
``ValueError`` and solver failures also ``RuntimeError``, so generic handlers keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ShareoptError",
    "ValidationError",
    "FormatError",
    "SolverError",
    "InfeasibleError",
    "UnboundedError",
    "TimeLimitError",
]


class ShareoptError(Exception):
    """Base class of every error shareopt raises on purpose."""


class ValidationError(ShareoptError, ValueError):
    """Input data that breaks a rule, with the offending rows.

    Parameters
    ----------
    message
        What is wrong, naming the first offending rows.
    reason
        Short machine-readable code of the rule (``"dropoff_not_after_pickup"``, ...).
    rows
        Positions (0-based rows of the input table) of every offending row.
    """

    def __init__(self, message: str, reason: str = "invalid", rows: Sequence[int] = ()):
        super().__init__(message)
        self.reason = reason
        self.rows = tuple(int(r) for r in rows)


class FormatError(ShareoptError, ValueError):
    """A file or table whose format or columns cannot be understood."""


class SolverError(ShareoptError, RuntimeError):
    """A solver failed or stopped without a usable answer.

    Parameters
    ----------
    message
        What happened, with the solver's own status text.
    status
        The solver's status text (for HiGHS, its model status string).
    """

    def __init__(self, message: str, status: str = ""):
        super().__init__(message)
        self.status = status


class InfeasibleError(SolverError):
    """The model has no feasible solution."""


class UnboundedError(SolverError):
    """The objective can improve without limit (or the model is unbounded or infeasible)."""


class TimeLimitError(SolverError):
    """The time limit ran out before any feasible solution was found."""

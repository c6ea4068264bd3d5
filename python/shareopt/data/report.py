"""Row validation shared by every table: drop-and-report by default, raise when strict."""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..exceptions import ValidationError

__all__ = ["LoadReport", "RowChecker", "DataWarning", "later_duplicates"]

_EXAMPLES = 5


class DataWarning(UserWarning):
    """Rows were dropped while building a table (see its ``report``)."""


@dataclass
class LoadReport:
    """What happened to the rows of a table on the way in.

    Attributes
    ----------
    source
        File path, ``"DataFrame"`` or ``"arrays"``.
    format
        Detected or given format name.
    n_read
        Rows read.
    n_kept
        Rows kept.
    dropped
        Dropped rows by reason (each row counted once, under the first rule it broke).
    examples
        First offending rows per reason, as labels (``"line 17"`` for files, ``"row 16"``
        for arrays, 0-based).
    notes
        How values were derived (revenue source, time origin, ...).
    """

    source: str
    format: str
    n_read: int
    n_kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        return self.n_read - self.n_kept

    def to_dict(self) -> dict:
        """JSON-safe summary."""
        return {
            "source": self.source,
            "format": self.format,
            "rows_read": self.n_read,
            "rows_kept": self.n_kept,
            "rows_dropped": self.n_dropped,
            "dropped_by_reason": dict(self.dropped),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        lines = [
            f"{self.source} ({self.format}): read {self.n_read:,} rows, kept {self.n_kept:,}, "
            f"dropped {self.n_dropped:,}"
        ]
        for reason, count in self.dropped.items():
            example = ", ".join(self.examples.get(reason, []))
            lines.append(f"  {reason:<28} {count:>9,}   e.g. {example}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


class RowChecker:
    """Applies row rules in order; each bad row is charged to the first rule it breaks.

    Parameters
    ----------
    n
        Number of rows.
    what
        Name of the table in messages (``"orders"``).
    strict
        Make :meth:`report` raise :class:`ValidationError` naming the first offending rows
        (in row order, with the rule each breaks) instead of dropping them.
    lines
        Source line of each row (files), or None to label rows by 0-based position.
    """

    def __init__(self, n: int, what: str, strict: bool, lines: np.ndarray | None = None):
        self.n = n
        self.what = what
        self.strict = strict
        self.lines = lines
        self.bad = np.zeros(n, dtype=bool)
        self.rule_of_row = np.full(n, -1, dtype=np.int16)
        self.rules: list[tuple[str, str]] = []  # (reason, description) of rules that hit
        self.dropped: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}

    def label(self, row: int) -> str:
        return f"line {int(self.lines[row])}" if self.lines is not None else f"row {row}"

    def flag(self, reason: str, mask: np.ndarray, description: str) -> None:
        """Rows where ``mask`` holds break the rule ``reason`` ("rows that <description>")."""
        new = np.asarray(mask, dtype=bool) & ~self.bad
        rows = np.flatnonzero(new)
        if len(rows) == 0:
            return
        self.rule_of_row[rows] = len(self.rules)
        self.rules.append((reason, description))
        self.bad |= new
        self.dropped[reason] = len(rows)
        self.examples[reason] = [self.label(r) for r in rows[:_EXAMPLES]]

    @property
    def keep(self) -> np.ndarray:
        return ~self.bad

    def raise_if_strict(self) -> None:
        """In strict mode, raise naming the first offending rows, if there are any."""
        rows = np.flatnonzero(self.bad)
        if not self.strict or len(rows) == 0:
            return
        first = [f"{self.label(r)} ({self.rules[self.rule_of_row[r]][1]})" for r in rows[:_EXAMPLES]]
        more = f", and {len(rows) - _EXAMPLES:,} more" if len(rows) > _EXAMPLES else ""
        reason = self.rules[self.rule_of_row[rows[0]]][0]
        raise ValidationError(f"{len(rows):,} {self.what} rows are invalid: "
                              f"{'; '.join(first)}{more}", reason, rows)

    def report(self, source: str, format: str, notes: list[str] | None = None) -> LoadReport:
        """The report; raises when strict or empty, warns (:class:`DataWarning`) on drops."""
        self.raise_if_strict()
        n_kept = int(self.n - np.count_nonzero(self.bad))
        report = LoadReport(source, format, self.n, n_kept, dict(self.dropped),
                            dict(self.examples), list(notes or []))
        if n_kept == 0:
            detail = "; ".join(f"{k}: {v}" for k, v in self.dropped.items()) or "no rows"
            raise ValidationError(f"{self.what} table from {source} is empty after validation "
                                  f"({self.n} rows read; {detail})", "empty",
                                  np.flatnonzero(self.bad))
        if report.n_dropped:
            summary = ", ".join(f"{v:,} {k}" for k, v in self.dropped.items())
            warnings.warn(f"{source}: dropped {report.n_dropped:,} of {self.n:,} {self.what} "
                          f"rows ({summary}); see .report", DataWarning,
                          stacklevel=_caller_stacklevel())
        return report


_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


def _caller_stacklevel() -> int:
    """Stack level of the first frame outside shareopt, so warnings point at user code."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def later_duplicates(ids: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Rows whose id already appeared on an earlier kept row (the first occurrence stays)."""
    rows = np.flatnonzero(keep)
    order = rows[np.argsort(ids[rows], kind="stable")]
    sorted_ids = ids[order]
    repeat = np.zeros(len(ids), dtype=bool)
    repeat[order[1:][sorted_ids[1:] == sorted_ids[:-1]]] = True
    return repeat

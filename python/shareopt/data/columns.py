"""Column conversion, in one place for every table and source.

Arrays from files, DataFrames and callers all pass through here once. A value that cannot be
read (None, pandas NA, unparseable text) becomes NaN, and the table's row rules then drop or
reject that row by name; a column of the wrong kind altogether (date-times where seconds are
expected, a 2-d array) is a :class:`~shareopt.exceptions.FormatError`.
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ..exceptions import FormatError

__all__ = ["float_column", "id_column", "point_column", "datetime_seconds", "string_column"]

_INT_LIMIT = 2.0**63


def _one_d(values, name: str, n: int | None) -> np.ndarray:
    try:
        array = np.asarray(values)
    except ValueError as err:  # ragged nested lists
        raise FormatError(f"{name} must be a 1-d array: {err}") from None
    if array.ndim != 1 or (n is not None and len(array) != n):
        size = f" of length {n}" if n is not None else ""
        raise FormatError(f"{name} must be a 1-d array{size}, got shape {array.shape}")
    return array


def float_column(values, name: str, n: int | None = None) -> np.ndarray:
    """float64; values that cannot be read become NaN."""
    array = _one_d(values, name, n)
    kind = array.dtype.kind
    if kind in "Mm":
        raise FormatError(f"{name} holds date-times or durations; give seconds as numbers "
                          "(the TLC loaders turn date-times into seconds for you)")
    if kind in "biuf":
        return np.ascontiguousarray(array, dtype=np.float64)
    out = np.full(len(array), np.nan)
    for i, value in enumerate(array):  # object or text: one value at a time
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            pass
    return out


def id_column(values, name: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer ids, a mask of missing ones, and a mask of ones that are not integers.

    Text ids are refused (:class:`FormatError`): map them to integers first.
    """
    array = _one_d(values, name, n)
    if array.dtype.kind in "iu":
        if array.dtype.kind == "u" and len(array) and array.max() >= _INT_LIMIT:
            raise FormatError(f"{name} has ids beyond the int64 range")
        ids = array.astype(np.int64)
        return ids, ids == _core.MISSING_INT, np.zeros(n, dtype=bool)
    if array.dtype.kind in "US" or (array.dtype.kind == "O" and any(isinstance(v, str) for v in array)):
        raise FormatError(f"{name} must be integers (map other ids to integers first)")
    floats = float_column(array, name, n)
    missing = np.isnan(floats)
    with np.errstate(invalid="ignore"):
        not_integer = ~missing & ((floats != np.round(floats)) | (np.abs(floats) >= _INT_LIMIT))
    ids = np.where(missing | not_integer, 0, floats).astype(np.int64)
    return ids, missing, not_integer


def point_column(values, name: str, n: int) -> np.ndarray:
    """(n, 2) float64 coordinates; values that cannot be read become NaN."""
    try:
        array = np.asarray(values)
    except ValueError as err:
        raise FormatError(f"{name} must have shape ({n}, 2): {err}") from None
    if array.shape != (n, 2):
        raise FormatError(f"{name} must have shape ({n}, 2), got {array.shape}")
    if array.dtype.kind in "biuf":
        return np.ascontiguousarray(array, dtype=np.float64)
    return np.column_stack([float_column(array[:, 0], name, n), float_column(array[:, 1], name, n)])


def datetime_seconds(values) -> np.ndarray:
    """Seconds since 1970-01-01 of the naive wall-clock time; NaN when missing or unreadable.

    Accepts datetime64 arrays, pandas series (zoned ones keep their local reading), numbers
    (taken as seconds already) and text.
    """
    if hasattr(values, "dt") and getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    array = np.asarray(values)
    if array.dtype.kind == "M":
        seconds = array.astype("datetime64[ns]").astype(np.int64).astype(np.float64) / 1e9
        seconds[np.isnat(array)] = np.nan
        return seconds
    if array.dtype.kind in "iuf":
        return array.astype(np.float64)
    return _core.parse_datetimes([_text(v) for v in array])


def string_column(values) -> np.ndarray:
    """Object array of trimmed strings; missing values become empty strings."""
    return np.asarray([_text(v).strip() for v in np.asarray(values)], dtype=object)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    try:
        if value != value:  # pandas NA and NaT compare unequal to themselves
            return ""
    except TypeError:  # pandas NA refuses to be a bool
        return ""
    return str(value)

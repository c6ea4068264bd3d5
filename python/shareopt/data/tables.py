"""Studies read as several tables (charging ports, scooter relays): finding, reading, writing.

A study is a folder of CSV files (``name.csv``, ``name.csv.gz`` or ``name.parquet``) or a dict
mapping table names to DataFrames, dicts of columns or paths. Columns are asked for by
canonical name with aliases; ids are text (whole floats lose their ".0"); every check goes
through a :class:`~shareopt.data.report.RowChecker`, so a message names the table and its rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..exceptions import FormatError
from .report import RowChecker, later_duplicates
from .sources import Columns, ColumnSource, open_source

__all__ = ["check_ids", "first_index", "id_texts", "index_of", "read_columns", "table_sources", "write_csv"]

_SUFFIXES = (".csv", ".csv.gz", ".parquet")


def table_sources(data, names: tuple[str, ...], what: str, *, known_names_only: bool = False) -> dict:
    """Sources by table name from a folder (the first of ``name.csv``, ``.csv.gz``, ``.parquet``
    found for each of ``names``), a dict of tables, or None (no tables).

    ``known_names_only``: a dict naming another table is a :class:`FormatError`.
    """
    if data is None:
        return {}
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(names))
        if known_names_only and unknown:
            raise FormatError(f"{what} data has unknown table(s) {', '.join(unknown)} (expected {', '.join(names)})")
        return {name: open_source(value) for name, value in data.items()}
    folder = Path(data)
    if not folder.is_dir():
        raise FormatError(f"{folder}: not a folder of {what} tables")
    found = {}
    for name in names:
        for suffix in _SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                found[name] = open_source(path)
                break
    return found


def read_columns(source: ColumnSource, table: str, spec) -> tuple[dict[str, np.ndarray], Columns]:
    """The columns of ``spec`` present in ``source``, by canonical name, and what the source read
    (its ``lines`` and ``ragged`` rows, for files).

    ``spec`` holds ``(name, aliases, kind, required)``; a required column that is missing is a
    :class:`FormatError` naming ``table.name`` and the columns there are.
    """
    wanted, names = {}, {}
    for name, aliases, kind, required in spec:
        found = source.find(name, *aliases, required=required, what=f"{table}.{name}")
        if found is not None:
            wanted[found] = kind
            names[found] = name
    columns = source.read(wanted)
    return {names[found]: columns[found] for found in wanted}, columns


def id_texts(values) -> np.ndarray:
    """Ids as text, whole floats without their ".0": a DataFrame column of integer ids
    becomes float when one is missing, and "7.0" must still name station 7."""
    return np.asarray([v[:-2] if v.endswith(".0") and v[:-2].lstrip("-").isdigit() else v
                       for v in values], dtype=object)


def check_ids(check: RowChecker, values, column: str, reason: str | None = None) -> np.ndarray:
    """Ids as text (:func:`id_texts`); flags rows without one (``missing_<reason>``) and rows
    repeating an earlier one (``duplicate_<reason>``); ``reason`` defaults to ``column``."""
    ids = id_texts(values)
    reason = reason or column
    check.flag(f"missing_{reason}", ids == "", f"have no {column}")
    check.flag(f"duplicate_{reason}", later_duplicates(ids, ids != ""), f"repeat an earlier {column}")
    return ids


def first_index(ids) -> dict[str, int]:
    """Id -> row of its first occurrence."""
    known: dict[str, int] = {}
    for i, value in enumerate(ids):
        known.setdefault(value, i)
    return known


def index_of(check: RowChecker, values, known: dict[str, int], column: str, table: str, *,
             optional: bool = False) -> np.ndarray:
    """Row in ``table`` of each id (-1: blank or unknown); flags blanks (unless ``optional``) and
    ids that are not in ``known``."""
    ids = id_texts(values)
    blank = ids == ""
    if not optional:
        check.flag(f"missing_{column}", blank, f"have no {column}")
    index = np.fromiter((known.get(v, -1) for v in ids), dtype=np.int64, count=ids.size)
    check.flag(f"unknown_{column}", (index < 0) & ~blank, f"name a {column} that is not in the {table} table")
    return index


def write_csv(path: Path, columns: dict[str, np.ndarray], datetimes=()) -> None:
    """Write columns as one CSV file (the csv module quotes what needs it).

    Floats are written with ``repr``, so they read back bit for bit (NaN: an empty field);
    columns named in ``datetimes`` hold seconds since 1970 and are written as date-times.
    """
    texts = []
    for name, values in columns.items():
        values = np.asarray(values)
        if name in datetimes:
            missing = np.isnan(values)
            stamps = np.where(missing, 0, values).astype("int64").astype("datetime64[s]")
            text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").astype(object)
            text[missing] = ""
        elif values.dtype.kind == "f":
            text = np.array([repr(v) for v in values.tolist()], dtype=object)
            text[np.isnan(values)] = ""
        else:
            text = np.array([str(v) for v in values.tolist()], dtype=object)
        texts.append(text)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(columns))
        writer.writerows(zip(*texts))

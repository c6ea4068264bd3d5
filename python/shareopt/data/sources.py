"""Column sources: CSV (the C++ reader), Parquet (pyarrow) and pandas DataFrames, alike.

A source knows its column names (lower-cased, trimmed) and reads the requested ones into
typed numpy arrays (see :mod:`shareopt.data.columns`): ``float`` (float64, NaN when missing
or unreadable), ``int`` (int64, or float64 with NaN), ``datetime`` (float64 seconds since
1970-01-01 of the naive wall-clock time) and ``string`` (object array). Loaders then work on
arrays only.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import _core
from ..exceptions import FormatError
from .columns import datetime_seconds, float_column, string_column

__all__ = ["ColumnSource", "Columns", "open_source"]

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_HEAD_BYTES = 65536


@dataclass
class Columns:
    """What a source read: arrays by name, and for text files where each row came from.

    ``lines`` are the source lines of the rows; ``ragged`` marks rows whose field count
    differs from the header's (or that an unclosed quote broke): their values are not
    where the header says, so loaders drop them.
    """

    arrays: dict[str, np.ndarray]
    lines: np.ndarray | None = None
    ragged: np.ndarray | None = None

    __iter__ = None  # not a sequence: unpacking it by mistake fails loudly

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def get(self, name):
        return self.arrays.get(name)

    def ragged_rule(self) -> list[tuple[str, np.ndarray, str]]:
        """The row rule for ragged rows, to run before every other rule."""
        if self.ragged is None or not self.ragged.any():
            return []
        return [("bad_field_count", self.ragged,
                 "have more or fewer fields than the header (or an unclosed quote)")]


class ColumnSource:
    """Named columns from somewhere; see :func:`open_source`."""

    label: str          # for messages and reports
    names: list[str]    # normalized column names

    def read(self, columns: dict[str, str]) -> Columns:
        """Arrays for ``{name: kind}``."""
        raise NotImplementedError

    def find(self, *aliases: str, required: bool = True, what: str | None = None) -> str | None:
        """The first alias present among the columns."""
        for alias in aliases:
            if alias in self.names:
                return alias
        if required:
            raise FormatError(f"{self.label}: no column for {what or aliases[0]} "
                              f"(looked for {', '.join(aliases)}; columns are {', '.join(self.names)})")
        return None


class CsvSource(ColumnSource):
    """A delimited text file (optionally gzip-compressed), read by the C++ reader."""

    def __init__(self, path: Path, delimiter: str = ","):
        self.path = path
        self.label = str(path)
        self.delimiter = delimiter
        self._text = _gunzip(path) if _magic(path, 2) == _GZIP_MAGIC else None
        head = self._text[:_HEAD_BYTES] if self._text is not None else _head(path)
        self.first_record = _core.first_record(head, delimiter)
        self.header = True
        self.names = [_normalize(n) for n in self.first_record]

    def without_header(self, names: list[str]) -> CsvSource:
        """The same file read as headerless, with these column names."""
        other = object.__new__(CsvSource)
        other.__dict__.update(self.__dict__)
        other.header = False
        other.names = [_normalize(n) for n in names]
        return other

    def read(self, columns):
        positions = [self.names.index(name) for name in columns]
        kinds = list(columns.values())
        if self._text is not None:
            table = _core.parse_csv(self._text, positions, kinds, self.header, self.delimiter)
        else:
            table = _core.read_csv(str(self.path), positions, kinds, self.header, self.delimiter)
        arrays = {}
        for (name, kind), values in zip(columns.items(), table["columns"]):
            arrays[name] = np.asarray(values, dtype=object) if kind == "string" else values
        return Columns(arrays, table["line"], _ragged(table["n_fields"], len(self.names)))


class ParquetSource(ColumnSource):
    """A Parquet file, read column by column with pyarrow."""

    def __init__(self, path: Path):
        pq = _import_pyarrow_parquet()
        self.path = path
        self.label = str(path)
        try:
            self._file = pq.ParquetFile(path)
        except Exception as err:  # pyarrow raises its own error types for broken files
            raise FormatError(f"{path}: not a readable Parquet file ({err})") from None
        self._raw = list(self._file.schema_arrow.names)
        self.names = [_normalize(n) for n in self._raw]

    def read(self, columns):
        raw = [self._raw[self.names.index(name)] for name in columns]
        table = self._file.read(columns=raw)
        return Columns({name: _convert_arrow(table.column(r), kind, r)
                        for (name, kind), r in zip(columns.items(), raw)})


class FrameSource(ColumnSource):
    """A pandas DataFrame (or a dict of equal-length columns)."""

    def __init__(self, frame, label: str = "DataFrame"):
        self.label = label
        if isinstance(frame, dict):
            self._columns = {str(k): frame[k] for k in frame}
        else:
            self._columns = {str(k): frame[k] for k in frame.columns}
        lengths = {len(np.asarray(v)) for v in self._columns.values()}
        if len(lengths) > 1:
            raise FormatError(f"{label}: columns differ in length ({sorted(lengths)})")
        self._raw = list(self._columns)
        self.names = [_normalize(n) for n in self._raw]

    def read(self, columns):
        return Columns({name: _convert_values(self._columns[self._raw[self.names.index(name)]],
                                              kind, name)
                        for name, kind in columns.items()})


def open_source(data) -> ColumnSource:
    """A column source for a path (CSV, gzip CSV or Parquet), a DataFrame, a dict, or a source."""
    if isinstance(data, ColumnSource):
        return data
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise FormatError(f"{path}: no such file")
        magic = _magic(path, 4)
        if magic == _PARQUET_MAGIC:
            return ParquetSource(path)
        if not magic:
            raise FormatError(f"{path}: the file is empty")
        return CsvSource(path)
    if isinstance(data, dict) or hasattr(data, "columns"):
        return FrameSource(data)
    raise FormatError(f"cannot read a table from {type(data).__name__}: give a path, "
                      "a pandas DataFrame or a dict of columns")


def _ragged(n_fields: np.ndarray, width: int) -> np.ndarray:
    """Rows whose fields cannot be matched to the header.

    Short rows (and -1: broken by an unclosed quote) always; long rows only when they are
    not the file's typical length, since some TLC files end every row with empty fields.
    """
    if len(n_fields) == 0:
        return np.zeros(0, dtype=bool)
    typical = int(np.argmax(np.bincount(np.maximum(n_fields, 0))))
    return (n_fields < width) | ((n_fields > width) & (n_fields != typical))


def _magic(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _head(path: Path) -> bytes:
    return _magic(path, _HEAD_BYTES)


def _gunzip(path: Path) -> bytes:
    try:
        with gzip.open(path) as handle:
            return handle.read()
    except (EOFError, OSError, zlib.error) as err:
        raise FormatError(f"{path}: broken gzip file ({err})") from None


def _normalize(name) -> str:
    return str(name).strip().strip('"').strip().lower()


def _import_pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("reading Parquet needs pyarrow: pip install 'shareopt[io]'") from None
    return pq


def _convert_arrow(column, kind: str, name: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "datetime" and pa.types.is_timestamp(column.type):
        unit_seconds = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[column.type.unit]
        # Naive wall-clock time: a zoned timestamp keeps its local reading, as in CSV files.
        if column.type.tz is not None:
            column = pc.local_timestamp(column)
        ints = pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False)
        values = ints.astype(np.float64) * unit_seconds
        nulls = pc.is_null(column).to_numpy(zero_copy_only=False)
        values[nulls] = np.nan
        return values
    return _convert_values(column.to_numpy(zero_copy_only=False), kind, name)


def _convert_values(values, kind: str, name: str) -> np.ndarray:
    """Coerce one column to the array form of ``kind`` (see the module docstring)."""
    if kind == "string":
        return string_column(values)
    if kind == "datetime":
        return datetime_seconds(values)
    if kind == "int" and np.asarray(values).dtype.kind in "iu":
        return np.asarray(values, dtype=np.int64)
    return float_column(values, name)

"""Column sources: CSV (the C++ reader), Parquet (pyarrow) and pandas DataFrames, alike.

A source knows its column names (lower-cased, trimmed) and reads the requested ones into
typed numpy arrays: ``float`` (float64, NaN when missing or unparseable), ``int`` (int64 or
float64 with NaN), ``datetime`` (float64 seconds since 1970-01-01 of the naive wall-clock
time, NaN when missing) and ``string`` (object array). Loaders then work on arrays only.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from .. import _core
from ..exceptions import FormatError

__all__ = ["ColumnSource", "open_source"]

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"


class ColumnSource:
    """Named columns from somewhere; see :func:`open_source`."""

    label: str          # for messages and reports
    names: list[str]    # normalized column names
    has_lines = False   # whether rows map to source lines

    def read(self, columns: dict[str, str]) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Arrays for ``{name: kind}``, and source line numbers (or None)."""
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

    has_lines = True

    def __init__(self, path: Path, names: list[str] | None = None, delimiter: str = ","):
        self.path = path
        self.label = str(path)
        self.delimiter = delimiter
        with open(path, "rb") as handle:
            self._gzip = handle.read(2) == _GZIP_MAGIC
        self._text = gzip.open(path).read() if self._gzip else None
        head = self._text[:65536] if self._gzip else _head(path)
        self.first_record = _core.first_record(head, delimiter)
        self.header = names is None
        self.names = [_normalize(n) for n in (self.first_record if names is None else names)]

    def read(self, columns):
        positions = [self.names.index(name) for name in columns]
        kinds = list(columns.values())
        if self._text is not None:
            table = _core.parse_csv(self._text, positions, kinds, self.header, self.delimiter)
        else:
            table = _core.read_csv(str(self.path), positions, kinds, self.header, self.delimiter)
        out = {}
        for (name, kind), values in zip(columns.items(), table["columns"]):
            out[name] = np.asarray(values, dtype=object) if kind == "string" else values
        return out, table["line"]


class ParquetSource(ColumnSource):
    """A Parquet file, read column by column with pyarrow."""

    def __init__(self, path: Path):
        pq = _import_pyarrow_parquet()
        self.path = path
        self.label = str(path)
        self._file = pq.ParquetFile(path)
        self._raw = list(self._file.schema_arrow.names)
        self.names = [_normalize(n) for n in self._raw]

    def read(self, columns):
        raw = [self._raw[self.names.index(name)] for name in columns]
        table = self._file.read(columns=raw)
        out = {name: _convert_arrow(table.column(r), kind)
               for (name, kind), r in zip(columns.items(), raw)}
        return out, None


class FrameSource(ColumnSource):
    """A pandas DataFrame (or a dict of equal-length columns)."""

    def __init__(self, frame, label: str = "DataFrame"):
        self.label = label
        if isinstance(frame, dict):
            self._columns = {str(k): frame[k] for k in frame}
        else:
            self._columns = {str(k): frame[k] for k in frame.columns}
        self._raw = list(self._columns)
        self.names = [_normalize(n) for n in self._raw]

    def read(self, columns):
        out = {}
        for name, kind in columns.items():
            out[name] = _convert_values(self._columns[self._raw[self.names.index(name)]], kind)
        return out, None


def open_source(data, *, header_names: list[str] | None = None) -> ColumnSource:
    """A column source for a path (CSV, gzip CSV or Parquet), a DataFrame or a dict."""
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise FormatError(f"{path}: no such file")
        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic == _PARQUET_MAGIC:
            return ParquetSource(path)
        if not magic:
            raise FormatError(f"{path}: the file is empty")
        return CsvSource(path, header_names)
    if isinstance(data, dict) or hasattr(data, "columns"):
        return FrameSource(data)
    raise FormatError(f"cannot read a table from {type(data).__name__}: give a path, "
                      "a pandas DataFrame or a dict of columns")


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(65536)


def _normalize(name) -> str:
    return str(name).strip().strip('"').strip().lower()


def _import_pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("reading Parquet needs pyarrow: pip install 'shareopt[io]'") from None
    return pq


def _convert_arrow(column, kind: str) -> np.ndarray:
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
    return _convert_values(column.to_numpy(zero_copy_only=False), kind)


def _convert_values(values, kind: str) -> np.ndarray:
    """Coerce one column to the array form of ``kind`` (see the module docstring)."""
    array = np.asarray(values)
    if kind == "string":
        return np.asarray([("" if v is None else str(v)).strip() for v in array], dtype=object)
    if kind == "datetime":
        if array.dtype.kind == "M":
            seconds = array.astype("datetime64[ns]").astype(np.int64).astype(np.float64) / 1e9
            seconds[np.isnat(array)] = np.nan
            return seconds
        if array.dtype.kind in "iuf":
            return array.astype(np.float64)
        if hasattr(values, "dt"):  # pandas tz-aware series: keep the local wall-clock reading
            return _convert_values(values.dt.tz_localize(None).to_numpy(), kind)
        return _core.parse_datetimes([("" if v is None else str(v)) for v in array])
    if array.dtype.kind in "iub":
        return array.astype(np.int64) if kind == "int" else array.astype(np.float64)
    if array.dtype.kind == "f":
        return array.astype(np.float64)
    # Object or string columns: parse each value, unparseable ones become NaN.
    out = np.full(len(array), np.nan)
    for i, v in enumerate(array):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            pass
    return out

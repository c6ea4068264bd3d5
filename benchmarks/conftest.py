"""Benchmark fixtures. Run: ``shareopt bench`` (or ``--quick``), or by hand
``python -m pytest benchmarks --benchmark-json=bench.json && python benchmarks/report.py bench.json``.

Each benchmark sits in a group with its peer (``test_ours_*`` vs a well-known tool doing the
same job, ``test_peer_*`` or another name); benchmarks/report.py turns the JSON into the
RESULTS.md table (medians, ratios) and the time-against-size figures. Declare a case with
:func:`case`: its group, its size and unit (the figures' x axis), and whether it belongs to
the quick suite. A benchmark may set ``benchmark.extra_info["series"]`` to name its line in
the figures (default: derived from the test name).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import shareopt as so

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def day_csv(tmp_path_factory) -> Path:
    """A full synthetic NYC day, 380,000 orders, as the canonical CSV."""
    path = tmp_path_factory.mktemp("bench") / "day.csv"
    so.synthetic_orders(so.data.synthetic.NYC_DAY_ORDERS, seed=0, places="xy").to_csv(path)
    return path


@pytest.fixture(scope="session")
def tlc_csv() -> Path:
    """The real 2021-01-01 TLC slice (22,792 trips) when the shared data is there."""
    path = SHARED_DATA / "nyc" / "yellow_tripdata_2021-01-01_head.csv"
    return path if path.is_file() else DATA / "yellow_tripdata_2021-01-01_1500.csv"


def case(group: str, size: float | None = None, unit: str | None = None,
         series: str | None = None, quick: bool = False):
    """Decorator for a benchmark: its group (the table's row block), the case's size in
    ``unit`` (the figures' x axis), its ``series`` (its line in the figure: ``"shareopt"``,
    ``"OR-Tools"``, ...; default from the test name) and whether the quick suite runs it."""
    info = {key: value for key, value in (("size", size), ("unit", unit), ("series", series))
            if value is not None}
    marks = [pytest.mark.benchmark(group=group), pytest.mark.case_info(**info)]
    if quick:
        marks.append(pytest.mark.quick)

    def decorate(function):
        for mark in marks:
            function = mark(function)
        return function
    return decorate


@pytest.fixture(autouse=True)
def _record_case_info(request):
    """Copy a ``case_info`` mark into the benchmark's extra_info (the report reads it there)."""
    mark = request.node.get_closest_marker("case_info")
    if mark is not None and "benchmark" in request.fixturenames:
        request.getfixturevalue("benchmark").extra_info.update(mark.kwargs)
    yield


@pytest.fixture(autouse=True)
def _quiet_data_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        yield

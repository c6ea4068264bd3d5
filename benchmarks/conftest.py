"""Benchmark fixtures. Run: python -m pytest benchmarks --benchmark-json=bench.json

Each benchmark sits in a group with its peer (``ours`` vs a well-known tool doing the same
job); benchmarks/report.py turns the JSON into the RESULTS.md table with median ratios.
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


@pytest.fixture(autouse=True)
def _quiet_data_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        yield

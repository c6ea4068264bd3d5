"""Shared fixtures: the small real slices in tests/data, the shared data set, synthetic tables."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

import shareopt as so

DATA = Path(__file__).parent / "data"
SHARED_DATA = Path(os.environ.get("SHAREOPT_SHARED_DATA",
                                  Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: small real slices (see tests/data/README.md)."""
    return DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The project's shared data set (../shared/data beside the repo).

    CI always has it, so there a missing folder is a failure; elsewhere the test is skipped.
    """
    if not SHARED_DATA.is_dir():
        message = f"shared data not found at {SHARED_DATA} (set SHAREOPT_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def day_orders() -> so.Orders:
    """20,000 synthetic NYC-like orders (lon/lat), seed 7."""
    return so.synthetic_orders(20_000, seed=7)


@pytest.fixture(scope="session")
def tlc_2021(data_dir) -> so.Orders:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        return so.read_orders(data_dir / "yellow_tripdata_2021-01-01_1500.csv")

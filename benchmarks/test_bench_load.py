"""Loading orders: shareopt's C++ reader plus full validation against pandas reading alone."""

from __future__ import annotations

import pandas as pd
import pytest

import shareopt as so

ROUNDS = 7


@pytest.mark.benchmark(group="load: 380k canonical CSV")
def test_ours_read_and_validate_380k(benchmark, day_csv):
    orders = benchmark.pedantic(so.read_orders, args=(day_csv,), rounds=ROUNDS, iterations=1)
    assert len(orders) == 380_000


@pytest.mark.benchmark(group="load: 380k canonical CSV")
def test_peer_pandas_c_engine_read_only(benchmark, day_csv):
    frame = benchmark.pedantic(pd.read_csv, args=(day_csv,), rounds=ROUNDS, iterations=1)
    assert len(frame) == 380_000


@pytest.mark.benchmark(group="load: 380k canonical CSV")
def test_peer_pandas_pyarrow_engine_read_only(benchmark, day_csv):
    frame = benchmark.pedantic(pd.read_csv, args=(day_csv,), kwargs={"engine": "pyarrow"},
                               rounds=ROUNDS, iterations=1)
    assert len(frame) == 380_000


@pytest.mark.benchmark(group="load: 380k canonical CSV")
def test_peer_pandas_read_then_validate(benchmark, day_csv):
    """What a user would do without our reader: pandas parses, shareopt validates."""
    orders = benchmark.pedantic(lambda: so.read_orders(pd.read_csv(day_csv)), rounds=ROUNDS,
                                iterations=1)
    assert len(orders) == 380_000


@pytest.mark.benchmark(group="load: TLC 2021 zone file")
def test_ours_read_tlc(benchmark, tlc_csv):
    orders = benchmark.pedantic(so.read_orders, args=(tlc_csv,), rounds=ROUNDS, iterations=1)
    assert len(orders) > 0


@pytest.mark.benchmark(group="load: TLC 2021 zone file")
def test_peer_pandas_read_tlc_with_dates(benchmark, tlc_csv):
    columns = ["tpep_pickup_datetime", "tpep_dropoff_datetime", "trip_distance",
               "PULocationID", "DOLocationID", "fare_amount"]
    frame = benchmark.pedantic(
        pd.read_csv, args=(tlc_csv,),
        kwargs={"usecols": columns, "parse_dates": columns[:2]}, rounds=ROUNDS, iterations=1)
    assert len(frame) > 0

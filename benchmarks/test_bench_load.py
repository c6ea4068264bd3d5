"""Loading orders: shareopt's C++ reader plus full validation against pandas reading alone."""

from __future__ import annotations

import pandas as pd
import shareopt as so
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)

ROUNDS = 7


def data_rows(path) -> int:
    """Lines of a CSV file after its header: the case's size in rows."""
    with open(path, "rb") as handle:
        return sum(1 for _ in handle) - 1


@case("load: 380k canonical CSV", size=380_000, unit="rows", series="shareopt read_orders", quick=True)
def test_ours_read_and_validate_380k(benchmark, day_csv):
    orders = benchmark.pedantic(so.read_orders, args=(day_csv,), rounds=ROUNDS, iterations=1)
    assert len(orders) == 380_000


@case("load: 380k canonical CSV", size=380_000, unit="rows", series="pandas (C engine)", quick=True)
def test_peer_pandas_c_engine_read_only(benchmark, day_csv):
    frame = benchmark.pedantic(pd.read_csv, args=(day_csv,), rounds=ROUNDS, iterations=1)
    assert len(frame) == 380_000


@case("load: 380k canonical CSV", size=380_000, unit="rows", series="pandas (pyarrow engine)", quick=True)
def test_peer_pandas_pyarrow_engine_read_only(benchmark, day_csv):
    frame = benchmark.pedantic(pd.read_csv, args=(day_csv,), kwargs={"engine": "pyarrow"},
                               rounds=ROUNDS, iterations=1)
    assert len(frame) == 380_000


@case("load: 380k canonical CSV", size=380_000, unit="rows", series="pandas + shareopt validation", quick=True)
def test_peer_pandas_read_then_validate(benchmark, day_csv):
    """What a user would do without our reader: pandas parses, shareopt validates."""
    orders = benchmark.pedantic(lambda: so.read_orders(pd.read_csv(day_csv)), rounds=ROUNDS,
                                iterations=1)
    assert len(orders) == 380_000


@case("load: TLC 2021 zone file", unit="rows", series="shareopt read_orders", quick=True)
def test_ours_read_tlc(benchmark, tlc_csv):
    benchmark.extra_info["size"] = data_rows(tlc_csv)  # the shared file, or the repo's 1,500-row one
    orders = benchmark.pedantic(so.read_orders, args=(tlc_csv,), rounds=ROUNDS, iterations=1)
    assert len(orders) > 0


@case("load: TLC 2021 zone file", unit="rows", series="pandas (C engine)", quick=True)
def test_peer_pandas_read_tlc_with_dates(benchmark, tlc_csv):
    benchmark.extra_info["size"] = data_rows(tlc_csv)
    columns = ["tpep_pickup_datetime", "tpep_dropoff_datetime", "trip_distance",
               "PULocationID", "DOLocationID", "fare_amount"]
    frame = benchmark.pedantic(
        pd.read_csv, args=(tlc_csv,),
        kwargs={"usecols": columns, "parse_dates": columns[:2]}, rounds=ROUNDS, iterations=1)
    assert len(frame) > 0

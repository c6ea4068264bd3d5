"""Reading orders from files: format detection, TLC schemas, Parquet, gzip, DataFrames.

Expected values come from pandas reading the same files: an independent parser.
"""

from __future__ import annotations

import gzip
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import shareopt as so
from shareopt.data import MILE_KM, NYC_BBOX, detect_format
from shareopt.data.sources import open_source
from shareopt.exceptions import FormatError, ValidationError


def read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        return so.read_orders(path, **kwargs)


@pytest.mark.parametrize("name, expected", [
    ("yellow_tripdata_2021-01-01_1500.csv", "tlc_zone"),
    ("yellow_tripdata_2013-01_sample.csv", "tlc_lonlat"),
    ("trip_data_2013-01_sample.csv", "trip_data"),
    ("debs_2013-01_sample.csv", "debs"),
])
def test_detect_format(data_dir, name, expected):
    assert detect_format(open_source(data_dir / name)) == expected


def test_tlc_zone_file_matches_pandas(data_dir):
    path = data_dir / "yellow_tripdata_2021-01-01_1500.csv"
    frame = pd.read_csv(path, parse_dates=["tpep_pickup_datetime", "tpep_dropoff_datetime"])
    placed = set(so.ZoneTable.nyc().zone_id)
    pickup = frame["tpep_pickup_datetime"]
    dropoff = frame["tpep_dropoff_datetime"]
    keep = (frame["PULocationID"].isin(placed) & frame["DOLocationID"].isin(placed)
            & (dropoff > pickup) & (frame["fare_amount"] >= 0) & (frame["trip_distance"] > 0))
    orders = read(path)
    assert orders.report.format == "tlc_zone"
    assert orders.report.n_read == len(frame) and orders.report.n_kept == keep.sum()
    kept = frame[keep]
    midnight = pd.Timestamp("2021-01-01")
    assert orders.epoch == np.datetime64("2021-01-01T00:00:00")
    assert np.allclose(orders.pickup_time, (kept["tpep_pickup_datetime"] - midnight).dt.total_seconds())
    assert np.allclose(orders.dropoff_time, (kept["tpep_dropoff_datetime"] - midnight).dt.total_seconds())
    assert np.array_equal(orders.revenue, kept["fare_amount"].to_numpy())
    assert np.allclose(orders.distance, kept["trip_distance"].to_numpy() * MILE_KM)
    assert np.array_equal(orders.pickup_zone, kept["PULocationID"].to_numpy())
    assert np.array_equal(orders.order_id, np.flatnonzero(keep.to_numpy()))
    assert "unknown_zone" in orders.report.dropped


def test_tlc_lonlat_file_matches_pandas(data_dir):
    path = data_dir / "yellow_tripdata_2013-01_sample.csv"
    frame = pd.read_csv(path, parse_dates=["pickup_datetime", "dropoff_datetime"])
    lon_min, lat_min, lon_max, lat_max = NYC_BBOX
    inside = np.ones(len(frame), bool)
    for lon, lat in (("pickup_longitude", "pickup_latitude"), ("dropoff_longitude", "dropoff_latitude")):
        inside &= frame[lon].between(lon_min, lon_max) & frame[lat].between(lat_min, lat_max)
    keep = (inside & (frame["dropoff_datetime"] > frame["pickup_datetime"])
            & (frame["fare_amount"] >= 0) & (frame["trip_distance"] > 0))
    orders = read(path)
    assert orders.report.n_kept == keep.sum()
    assert orders.report.dropped["bad_coordinates"] > 0
    lonlat = frame.loc[keep, ["pickup_longitude", "pickup_latitude"]].to_numpy()
    assert np.allclose(orders.pickups.lonlat, lonlat, atol=1e-9)


def test_debs_and_trip_data_agree_with_the_yellow_schema(data_dir):
    """The three layouts of the same 200 trips give the same orders (revenue aside)."""
    yellow = read(data_dir / "yellow_tripdata_2013-01_sample.csv")
    debs = read(data_dir / "debs_2013-01_sample.csv")
    trip_data = read(data_dir / "trip_data_2013-01_sample.csv")
    first = yellow.take(yellow.order_id < 200)
    for other in (debs, trip_data):
        assert np.array_equal(other.order_id, first.order_id)
        assert np.array_equal(other.pickup_time, first.pickup_time)
        assert np.allclose(other.pickups.lonlat, first.pickups.lonlat)
        assert np.array_equal(other.distance, first.distance)
    assert np.array_equal(debs.revenue, first.revenue)  # fare_amount in both
    miles = trip_data.distance / MILE_KM
    assert np.allclose(trip_data.revenue, 2.5 + 2.5 * miles)
    assert any("meter" in note for note in trip_data.report.notes)


def test_revenue_choices(data_dir):
    path = data_dir / "yellow_tripdata_2021-01-01_1500.csv"
    frame = pd.read_csv(path)
    total = read(path, revenue="total")
    assert np.array_equal(total.revenue, frame["total_amount"].to_numpy()[total.order_id])
    meter = read(path, revenue="meter")
    assert np.allclose(meter.revenue, 2.5 + 2.5 * frame["trip_distance"].to_numpy()[meter.order_id])
    with pytest.raises(ValueError, match="revenue"):
        read(path, revenue="tips")
    with pytest.raises(FormatError, match="fare"):
        read(data_dir / "trip_data_2013-01_sample.csv", revenue="fare")


def test_date_window(data_dir):
    orders = read(data_dir / "yellow_tripdata_2021-01-01_1500.csv", date="2021-01-01")
    assert (orders.pickup_time >= 0).all() and (orders.pickup_time < 86400).all()
    whole = read(data_dir / "yellow_tripdata_2021-01-01_1500.csv")
    outside = (whole.pickup_time < 0) | (whole.pickup_time >= 86400)
    assert orders.report.dropped.get("other_day", 0) == outside.sum()


def test_parquet_gzip_and_dataframe_equal_csv(tmp_path, data_dir):
    path = data_dir / "yellow_tripdata_2021-01-01_1500.csv"
    csv = read(path)
    frame = pd.read_csv(path, parse_dates=["tpep_pickup_datetime", "tpep_dropoff_datetime"])
    frame.to_parquet(tmp_path / "trips.parquet")
    with open(path, "rb") as src, gzip.open(tmp_path / "trips.csv.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    for other in (read(tmp_path / "trips.parquet"), read(tmp_path / "trips.csv.gz"), read(frame),
                  read(pd.read_csv(path))):
        assert other.report.format == "tlc_zone"
        assert np.array_equal(other.order_id, csv.order_id)
        assert np.array_equal(other.pickup_time, csv.pickup_time)
        assert np.array_equal(other.revenue, csv.revenue)
        assert np.array_equal(other.dropoff_zone, csv.dropoff_zone)
    assert read(tmp_path / "trips.csv.gz").report.examples == csv.report.examples


def test_zoned_timestamps_keep_their_wall_clock(tmp_path, data_dir):
    """Zoned date-times (DataFrame, Parquet or text with an offset) read as local clock time."""
    frame = pd.read_csv(data_dir / "yellow_tripdata_2021-01-01_1500.csv", nrows=50,
                        parse_dates=["tpep_pickup_datetime", "tpep_dropoff_datetime"])
    naive = read(frame)
    zoned = frame.copy()
    for column in ("tpep_pickup_datetime", "tpep_dropoff_datetime"):
        zoned[column] = zoned[column].dt.tz_localize("America/New_York", ambiguous="NaT",
                                                       nonexistent="NaT")
    zoned.to_parquet(tmp_path / "zoned.parquet")
    as_text = zoned.astype({"tpep_pickup_datetime": str, "tpep_dropoff_datetime": str})
    for other in (read(zoned), read(tmp_path / "zoned.parquet"), read(as_text)):
        assert np.array_equal(other.pickup_time, naive.pickup_time)
        assert np.array_equal(other.order_id, naive.order_id)


def test_canonical_with_extra_and_reordered_columns(tmp_path):
    (tmp_path / "o.csv").write_text(
        "note,revenue,dropoff_y,dropoff_x,pickup_y,pickup_x,dropoff_time,pickup_time,order_id\n"
        "a,10,1,1,0,0,900,0,7\n"
        "b,12,2,2,1,1,100,200,8\n")
    with pytest.warns(so.DataWarning):
        orders = so.read_orders(tmp_path / "o.csv")
    assert list(orders.order_id) == [7]
    assert orders.report.examples == {"dropoff_not_after_pickup": ["line 3"]}
    with pytest.raises(ValidationError, match="line 3"):
        so.read_orders(tmp_path / "o.csv", strict=True)


def test_bad_files(tmp_path, data_dir):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text(
        "order_id,pickup_time,dropoff_time,pickup_x,pickup_y,dropoff_x,dropoff_y,revenue\n")
    (tmp_path / "missing.csv").write_text("order_id,pickup_time,dropoff_time,pickup_x\n1,0,1,0\n")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(FormatError, match="empty"):
        so.read_orders(tmp_path / "empty.csv")
    with pytest.raises(ValidationError, match="empty"):
        so.read_orders(tmp_path / "header.csv")
    with pytest.raises(FormatError, match="pickup_y"):
        so.read_orders(tmp_path / "missing.csv")
    with pytest.raises(FormatError, match="cannot tell"):
        so.read_orders(tmp_path / "other.csv")
    with pytest.raises(FormatError, match="no such file"):
        so.read_orders(tmp_path / "nope.csv")
    with pytest.raises(FormatError, match="unknown orders format"):
        so.read_orders(data_dir / "debs_2013-01_sample.csv", format="excel")
    with pytest.raises(FormatError, match="cannot read a table"):
        so.read_orders(42)


def test_every_nyc_trip_file_in_the_shared_data(shared_data):
    files = sorted((shared_data / "nyc").glob("yellow_tripdata_*"))
    assert len(files) >= 2
    for path in files:
        with pytest.warns(so.DataWarning, match="dropped"):
            orders = so.read_orders(path, format="auto")
        report = orders.report
        assert report.format in ("tlc_zone", "tlc_lonlat")
        assert report.n_kept > 0.9 * report.n_read
        assert sum(report.dropped.values()) == report.n_read - report.n_kept
        assert all(report.examples[reason] for reason in report.dropped)
    zones = so.ZoneTable.read(shared_data / "nyc" / "taxi_zone_centroids.csv")
    lookup = so.ZoneTable.read(shared_data / "nyc" / "taxi_zone_lookup.csv")
    assert len(zones) == 263 and lookup.placed.sum() == 0
    assert set(lookup.zone_id) - set(zones.zone_id) == {264, 265}  # "Unknown": no polygon


ROW_DAMAGE = ["none", "none", "none", "short", "long", "garbage", "backwards", "blank", "quote",
              "float_id"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.lists(st.sampled_from(ROW_DAMAGE), min_size=1, max_size=25))
@example(damage=["none", "long", "long", "quote", "none"])
@example(damage=["short", "long", "quote", "quote", "long"])
def test_malformed_csv_text_is_dropped_by_line_or_rejected(tmp_path, damage):
    """Damaged canonical files: clean rows survive with their values, damaged ones are
    reported by line, and nothing else escapes (no crash, no shifted values)."""
    lines = ["order_id,pickup_time,dropoff_time,pickup_x,pickup_y,dropoff_x,dropoff_y,revenue"]
    clean = {}  # order_id -> (line number, pickup time)
    for i, kind in enumerate(damage):
        fields = [str(i), str(60.0 * i), str(60.0 * i + 300), "0.5", "1", "2", "3.25", "12.5"]
        if kind == "short":
            fields = fields[:-1]
        elif kind == "long":
            fields.append("9")
        elif kind == "garbage":
            fields[3] = "north"
        elif kind == "backwards":
            fields[2] = str(60.0 * i - 1)
        elif kind == "quote":
            fields[4] = '"1'
        elif kind == "float_id":
            fields[0] = f"{i}.0"  # pandas writes integer ids of a float column like this
        lines.append("" if kind == "blank" else ",".join(fields))
        if kind in ("none", "float_id", "long"):
            clean[i] = (len(lines), 60.0 * i)
    # Rows longer than the header are kept when that is the file's usual length (some TLC
    # files end every row with empty fields): otherwise they are damaged.
    # An unclosed quote swallows every line after it: none of those rows has a width.
    before_quote = damage[:damage.index("quote")] if "quote" in damage else damage
    widths = [7 if k == "short" else 9 if k == "long" else 8 for k in before_quote
              if k != "blank"]
    maybe_clean = dict(clean)  # quotes blur which width is the file's usual one
    if widths and 9 != max(sorted(set(widths)), key=widths.count):
        clean = {i: v for i, v in clean.items() if damage[i] != "long"}
    path = tmp_path / "damaged.csv"
    path.write_text("\n".join(lines) + "\n")
    try:
        orders = read(path)
    except (ValidationError, FormatError):
        assert not clean or "quote" in damage
        return
    report = orders.report
    assert sum(report.dropped.values()) == report.n_read - report.n_kept
    assert (orders.dropoff_time > orders.pickup_time).all() and np.isfinite(orders.pickup_xy).all()
    assert np.allclose(orders.pickup_xy[:, 0], 0.5) and np.allclose(orders.revenue, 12.5)
    if "quote" not in damage:  # an unclosed quote may swallow the lines after it
        assert sorted(orders.order_id) == sorted(clean)
        assert np.allclose(orders.pickup_time, [clean[i][1] for i in orders.order_id])
        flagged = {int(e.split()[1]) for examples in report.examples.values() for e in examples}
        assert not flagged & {line for line, _ in clean.values()}
    else:
        assert set(orders.order_id) <= set(maybe_clean)

"""The Stations table and its loaders (GBFS, Divvy-style CSV)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import shareopt as so
from shareopt.exceptions import FormatError, ValidationError


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        return fn(*args, **kwargs)


def test_gbfs_matches_the_feeds(data_dir):
    folder = data_dir / "citibike_gbfs_2019-07-05"
    info = json.loads((folder / "station_information.json").read_text())["data"]["stations"]
    status = {s["station_id"]: s for s in
              json.loads((folder / "station_status.json").read_text())["data"]["stations"]}
    expected = [s for s in info if s["capacity"] > 0 and status[s["station_id"]]["is_installed"]
                and status[s["station_id"]]["num_bikes_available"] <= s["capacity"]]
    stations = quiet(so.read_stations, folder / "station_information.json")
    assert stations.report.format == "gbfs"
    assert len(stations) == len(expected)
    assert list(stations.station_id) == [int(s["station_id"]) for s in expected]
    assert list(stations.capacity) == [s["capacity"] for s in expected]
    assert list(stations.bikes) == [status[s["station_id"]]["num_bikes_available"] for s in expected]
    assert np.allclose(stations.locations.lonlat, [[s["lon"], s["lat"]] for s in expected])
    assert stations.report.dropped["no_capacity"] == 12
    assert stations.report.dropped["not_installed"] > 0


def test_divvy_csv(data_dir):
    frame = pd.read_csv(data_dir / "divvy_stations_2017.csv")
    stations = quiet(so.read_stations, data_dir / "divvy_stations_2017.csv")
    keep = frame["dpcapacity"] > 0
    assert len(stations) == keep.sum() and stations.bikes is None
    assert list(stations.capacity) == frame.loc[keep, "dpcapacity"].tolist()
    assert stations.report.examples["no_capacity"] == ["line 542", "line 543"]
    with pytest.raises(ValueError, match="unknown"):
        stations.fill


def test_rules_and_strict():
    ids = ["a", "b", "c", "d", "e", "b"]
    xy = np.zeros((6, 2))
    capacity = [10, 0, 10, 10, 10.5, 10]
    bikes = [3, 0, -1, 11, 2, 2]
    with pytest.warns(so.DataWarning):
        stations = so.Stations(ids, xy, capacity, bikes)
    assert stations.report.dropped == {"not_integer": 1, "no_capacity": 1, "negative_bikes": 1,
                                       "bikes_over_capacity": 1}
    assert list(stations.station_id) == ["a", "b"]  # the second "b" is first kept
    with pytest.raises(ValidationError, match=r"4 stations rows are invalid: row 1 \(have no docks") as info:
        so.Stations(ids, xy, capacity, bikes, strict=True)
    assert info.value.reason == "no_capacity" and info.value.rows == (1, 2, 3, 4)
    with pytest.raises(ValidationError, match="repeat"):
        so.Stations([1, 2, 1], np.zeros((3, 2)), [5, 5, 5], strict=True)


def test_bad_tables(tmp_path):
    with pytest.raises(ValidationError, match="empty"):
        so.Stations([], np.zeros((0, 2)), [])
    with pytest.raises(FormatError, match="shape"):
        so.Stations([1, 2], np.zeros((3, 2)), [1, 1])
    (tmp_path / "feed.json").write_text('{"data": {}}')
    with pytest.raises(FormatError, match="GBFS"):
        so.read_stations(tmp_path / "feed.json")
    (tmp_path / "s.csv").write_text("station_id,x,y\n1,0,0\n")
    with pytest.raises(FormatError, match="capacity"):
        so.read_stations(tmp_path / "s.csv")


def test_csv_round_trip(tmp_path):
    stations = so.synthetic_stations(50, seed=3)
    stations.to_csv(tmp_path / "s.csv")
    again = so.read_stations(tmp_path / "s.csv")
    assert np.array_equal(again.station_id, stations.station_id)
    assert np.array_equal(again.bikes, stations.bikes)
    assert np.allclose(again.locations.lonlat, stations.locations.lonlat, atol=1e-6)
    frame = pd.read_csv(tmp_path / "s.csv")
    assert np.array_equal(so.read_stations(frame).capacity, stations.capacity)

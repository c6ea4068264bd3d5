"""The C++ CSV reader (shareopt._core.read_csv / parse_csv), checked against pandas and numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shareopt import _core


def parse(text: str, kinds, skip_header=False):
    table = _core.parse_csv(text.encode(), list(range(len(kinds))), list(kinds), skip_header, ",")
    return table["columns"], table["line"]


@pytest.mark.parametrize("text, expected", [
    ("1.5", 1.5), (".20", 0.2), ("+3", 3.0), (" 7.25 ", 7.25), ("-1e3", -1000.0), ("0", 0.0),
])
def test_floats_parse(text, expected):
    (values,), _ = parse(text + "\n", ["float"])
    assert values[0] == expected


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "5x", "--1", "0x10"])
def test_bad_floats_are_nan(text):
    (values, second), _ = parse(f"{text},1\n", ["float", "float"])
    assert np.isnan(values[0]) and second[0] == 1.0


def test_ints_and_missing_ints():
    (values,), _ = parse("12\n-4\n3.000\n3.5\n99999999999999999999\n \nx\n1e3\n", ["int"])
    assert list(values[:3]) == [12, -4, 3]  # "3.000": whole numbers written as floats
    assert all(v == _core.MISSING_INT for v in values[3:])
    assert len(values) == 7  # the blank line is not a record


def test_quotes_newlines_crlf_bom_and_line_numbers():
    text = '\ufeffid,name,value\r\n1,"a, b",2.5\r\n\r\n2,"say ""hi""\nthere",3\r\n3,plain,\r\n'
    (ids, names, values), lines = parse(text, ["int", "string", "float"], skip_header=True)
    assert list(ids) == [1, 2, 3]
    assert names == ["a, b", 'say "hi"\nthere', "plain"]
    assert values[0] == 2.5 and values[1] == 3.0 and np.isnan(values[2])
    assert list(lines) == [2, 4, 6]


def test_short_and_long_records():
    table = _core.parse_csv(b"a,b,c\n1,2\n4,5,6,7\n", [0, 2], ["float", "float"], True, ",")
    a, c = table["columns"]
    assert list(a) == [1.0, 4.0]
    assert np.isnan(c[0]) and c[1] == 6.0
    assert list(table["n_fields"]) == [2, 4]


def test_other_delimiter_and_bad_arguments():
    table = _core.parse_csv(b"1;2\n", [1], ["float"], False, ";")
    assert table["columns"][0][0] == 2.0
    with pytest.raises(ValueError, match="kind"):
        _core.parse_csv(b"1\n", [0], ["decimal"], False, ",")
    with pytest.raises(ValueError, match="twice"):
        _core.parse_csv(b"1\n", [0, 0], ["float", "float"], False, ",")
    with pytest.raises(ValueError, match="delimiter"):
        _core.parse_csv(b"1\n", [0], ["float"], False, '"')
    with pytest.raises(RuntimeError, match="cannot open"):
        _core.read_csv("/no/such/file.csv", [0], ["float"], True, ",")


@pytest.mark.parametrize("text", [
    "2021-02-29 00:00:00", "2020-13-01 00:00:00", "2020-01-01 24:00:00", "2020-01-01 10:61",
    "2020-01-32", "20-01-01", "2020-01-01 10:00:00+1", "2020-01-01 10:00:00+01:", "2020/01/01", "",
])
def test_invalid_datetimes_are_nan(text):
    assert np.isnan(_core.parse_datetimes([text])[0])


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                    max_value=pd.Timestamp("2100-12-31").to_pydatetime()),
       st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d"]))
def test_datetimes_match_numpy(moment, style):
    moment = moment.replace(microsecond=0)
    if style == "%Y-%m-%d":
        moment = moment.replace(hour=0, minute=0, second=0)
    expected = np.datetime64(moment, "s").astype(np.int64)
    assert _core.parse_datetimes([moment.strftime(style)])[0] == expected


def test_fractional_seconds_and_short_forms():
    base = float(np.datetime64("2015-01-01T00:01:00", "s").astype(np.int64))
    got = _core.parse_datetimes(["2015-01-01 00:01:00.250", "1/1/2015 0:01", "2015-1-1 00:01Z",
                                 "2015-01-01 00:01:00-05:00", "2015-01-01T00:01:00+0530"])
    assert list(got) == [base + 0.25, base, base, base, base]  # offsets: wall clock kept


def test_real_tlc_file_matches_pandas(data_dir):
    path = data_dir / "yellow_tripdata_2021-01-01_1500.csv"
    frame = pd.read_csv(path)
    header = list(frame.columns)
    wanted = ["tpep_pickup_datetime", "tpep_dropoff_datetime", "trip_distance", "PULocationID",
              "fare_amount", "store_and_fwd_flag"]
    kinds = ["datetime", "datetime", "float", "int", "float", "string"]
    table = _core.read_csv(str(path), [header.index(w) for w in wanted], kinds, True, ",")
    pickup, dropoff, distance, zone, fare, flag = table["columns"]
    assert len(pickup) == len(frame)
    expected = pd.to_datetime(frame["tpep_pickup_datetime"]).to_numpy().astype("datetime64[s]")
    assert np.array_equal(pickup, expected.astype(np.int64).astype(float))
    expected = pd.to_datetime(frame["tpep_dropoff_datetime"]).to_numpy().astype("datetime64[s]")
    assert np.array_equal(dropoff, expected.astype(np.int64).astype(float))
    assert np.array_equal(distance, frame["trip_distance"].to_numpy(float))
    assert np.array_equal(zone, frame["PULocationID"].to_numpy(np.int64))
    assert np.array_equal(fare, frame["fare_amount"].to_numpy(float))
    assert flag == frame["store_and_fwd_flag"].tolist()
    assert list(table["line"]) == list(range(2, len(frame) + 2))


def test_blank_line_after_header_keeps_line_numbers(data_dir):
    path = data_dir / "yellow_tripdata_2013-01_sample.csv"
    table = _core.read_csv(str(path), [4], ["float"], True, ",")
    frame = pd.read_csv(path, skip_blank_lines=True)
    assert np.array_equal(table["columns"][0], frame["trip_distance"].to_numpy(float))
    assert table["line"][0] == 3  # line 2 is blank


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_arbitrary_bytes_never_crash(data, header):
    table = _core.parse_csv(data, [0, 1, 2], ["float", "datetime", "string"], header, ",")
    n = len(table["line"])
    assert all(len(c) == n for c in table["columns"])
    assert n <= data.count(b"\n") + data.count(b"\r") + 1
    assert np.all(np.diff(table["line"]) > 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64),
                                   st.none()), min_size=3, max_size=3), min_size=1, max_size=30))
def test_roundtrip_numbers(rows):
    text = "a,b,c\n" + "".join(",".join("" if v is None else repr(v) for v in row) + "\n" for row in rows)
    table = _core.parse_csv(text.encode(), [0, 1, 2], ["float"] * 3, True, ",")
    got = np.column_stack(table["columns"])
    expected = np.array([[np.nan if v is None else v for v in row] for row in rows])
    assert np.array_equal(got, expected, equal_nan=True)


def test_large_text_in_parallel_parts_keeps_order_and_lines():
    """Texts over a few MB are cut at line ends and parsed in parallel; nothing may shift."""
    rng = np.random.default_rng(0)
    values = rng.normal(size=400_000).round(6)
    rows, expected_lines, line = ["id,value,extra"], [], 1
    for i, v in enumerate(values):
        if i % 997 == 0:
            rows.append("")  # blank lines move the line numbers
            line += 1
        rows.append(f"{i},{float(v)!r},x{i}")
        line += 1
        expected_lines.append(line)
    text = "\r\n".join(rows).encode()
    assert len(text) > 2 * (4 << 20)  # two parts of 4 MB or more
    table = _core.parse_csv(text, [0, 1], ["int", "float"], True, ",")
    ids, got = table["columns"]
    assert np.array_equal(ids, np.arange(len(values)))
    assert np.array_equal(got, values)
    assert np.array_equal(table["line"], expected_lines)
    assert (table["n_fields"] == 3).all()


def test_header_after_many_blank_lines():
    text = b"\n" * (9 << 20) + b"a,b\n1,2\n3,4\n"
    table = _core.parse_csv(text, [1], ["float"], True, ",")
    assert list(table["columns"][0]) == [2.0, 4.0]
    assert list(table["line"]) == [(9 << 20) + 2, (9 << 20) + 3]


def test_text_that_is_not_utf8_is_kept_with_replacement_characters():
    table = _core.parse_csv(b"name,x\nCaf\xe9,1\n\xff\xfe,2\n", [0, 1], ["string", "float"], True, ",")
    names, x = table["columns"]
    assert names == ["Caf\ufffd", "\ufffd\ufffd"] and list(x) == [1.0, 2.0]
    assert _core.first_record(b"a\xff,b\n") == ["a\ufffd", "b"]

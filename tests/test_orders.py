"""The Orders table: validation rules, strict errors naming rows, and round trips."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shareopt as so
from shareopt.exceptions import FormatError, ValidationError


def table(n=6, **overrides):
    """A valid planar table; overrides replace columns."""
    cols = dict(order_id=np.arange(n) + 100, pickup_time=np.arange(n) * 600.0,
                dropoff_time=np.arange(n) * 600.0 + 900.0,
                pickup=np.column_stack([np.arange(n), np.zeros(n)]).astype(float),
                dropoff=np.column_stack([np.zeros(n), np.arange(n)]).astype(float) + 1.0,
                revenue=np.full(n, 10.0))
    cols.update(overrides)
    return cols


def build(strict=False, **kwargs):
    cols = table(**{k: v for k, v in kwargs.items() if k in table()})
    extra = {k: v for k, v in kwargs.items() if k not in cols}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", so.DataWarning)
        return so.Orders(cols.pop("order_id"), cols.pop("pickup_time"), cols.pop("dropoff_time"),
                         cols.pop("pickup"), cols.pop("dropoff"), cols.pop("revenue"),
                         strict=strict, **extra)


def test_valid_table():
    orders = build()
    assert len(orders) == 6 and orders.report.n_dropped == 0
    assert np.array_equal(orders.duration, np.full(6, 900.0))
    assert orders.pickups.xy.shape == (6, 2) and orders.pickup_zone is None


def test_rules_and_counts():
    t = table()
    t["pickup_time"][0] = np.nan                       # missing
    t["dropoff_time"][1] = t["pickup_time"][1]         # not after pickup
    t["revenue"][2] = -1.0                             # negative revenue
    t["order_id"][4] = t["order_id"][3]                # duplicate: row 4 repeats row 3
    t["revenue"][5] = np.nan                           # missing
    with pytest.warns(so.DataWarning, match="dropped 5 of 6"):
        orders = so.Orders(t["order_id"], t["pickup_time"], t["dropoff_time"], t["pickup"],
                           t["dropoff"], t["revenue"])
    assert orders.report.dropped == {"missing": 2, "dropoff_not_after_pickup": 1,
                                     "negative_revenue": 1, "duplicate_id": 1}
    assert orders.report.examples["missing"] == ["row 0", "row 5"]
    assert list(orders.order_id) == [103]


def test_each_row_is_charged_to_its_first_rule():
    t = table()
    t["pickup_time"][0] = np.nan
    t["revenue"][0] = -5.0  # also broken, but "missing" comes first
    t["dropoff_time"][1] = 0.0
    t["order_id"][4] = t["order_id"][3]
    orders = build(**t)
    assert orders.report.dropped == {"missing": 1, "dropoff_not_after_pickup": 1, "duplicate_id": 1}
    assert orders.report.examples["duplicate_id"] == ["row 4"]
    assert list(orders.order_id) == [102, 103, 105]
    assert sum(orders.report.dropped.values()) == orders.report.n_read - orders.report.n_kept


@pytest.mark.parametrize("change, reason, rows", [
    (lambda t: t["dropoff_time"].__setitem__(2, 0.0), "dropoff_not_after_pickup", (2,)),
    (lambda t: t["pickup"].__setitem__((3, 0), np.nan), "missing", (3,)),
    (lambda t: t["revenue"].__setitem__(slice(4, 6), -1.0), "negative_revenue", (4, 5)),
    (lambda t: t["order_id"].__setitem__(5, 100), "duplicate_id", (5,)),
])
def test_strict_names_rows(change, reason, rows):
    t = table()
    change(t)
    with pytest.raises(ValidationError) as info:
        build(strict=True, **t)
    assert info.value.reason == reason
    assert info.value.rows == rows
    assert f"row {rows[0]}" in str(info.value)


def test_distance_and_duration_rules():
    t = table()
    distance = np.array([1.0, 0.0, -2.0, 3.0, 3.0, 3.0])
    t["dropoff_time"][3] = t["pickup_time"][3] + 10 * 3600
    orders = build(**t, distance=distance, max_duration=4 * 3600)
    assert orders.report.dropped == {"nonpositive_distance": 2, "too_long": 1}


def test_lonlat_rules_and_bbox():
    lonlat = np.tile([-73.98, 40.75], (6, 1))
    pickup, dropoff = lonlat.copy(), lonlat + 0.01
    pickup[1] = [0.0, 0.0]
    dropoff[2] = [-73.98, 0.0]
    pickup[3] = [-71.0, 40.75]  # Rhode Island: a real place, outside the NYC box
    pickup[4] = [-200.0, 40.0]
    orders = build(pickup=pickup, dropoff=dropoff, crs="lonlat", bbox=so.data.NYC_BBOX)
    assert orders.report.dropped == {"bad_coordinates": 3, "outside_area": 1}
    assert orders.projection is not None
    assert np.allclose(orders.pickups.lonlat, lonlat[[0, 5]])


def test_zone_places_use_centroids_and_flag_unknown_zones():
    zones = so.ZoneTable.nyc()
    orders = build(pickup=np.array([1, 161, 264, 43, 0, 500]), dropoff=np.array([230, 236, 1, 43, 1, 1]),
                   crs="zone")
    assert orders.report.dropped == {"unknown_zone": 3}
    lonlat, found = zones.centroids([1, 161, 43])
    assert found.all()
    assert np.allclose(orders.pickups.lonlat, lonlat, atol=1e-9)
    assert list(orders.pickup_zone) == [1, 161, 43]


def test_bad_shapes_and_types():
    t = table()
    with pytest.raises(FormatError, match="shape"):
        build(pickup=t["pickup"][:, :1])
    with pytest.raises(FormatError, match="length 6"):
        build(revenue=np.ones(5))
    with pytest.raises(FormatError, match="integers"):
        build(order_id=np.array(["a", "b", "c", "d", "e", "f"]))
    orders = build(order_id=np.array([1.0, 2.0, 2.5, 3.0, 4.0, np.nan]))
    assert orders.report.dropped == {"missing": 1, "bad_id": 1}
    with pytest.raises(ValidationError, match=r"row 2 \(have an order_id that is not an integer\)"):
        build(order_id=np.array([1.0, 2.0, 2.5, 3.0, 4.0, 5.0]), strict=True)
    with pytest.raises(FormatError, match="date-times"):
        build(pickup_time=np.arange(6).astype("datetime64[s]"))
    with pytest.raises(ValueError, match="crs"):
        build(crs="utm")


def test_empty_and_all_dropped():
    with pytest.raises(ValidationError, match="empty"):
        so.Orders([], [], [], np.zeros((0, 2)), np.zeros((0, 2)), [])
    with pytest.raises(ValidationError, match="empty after validation") as info:
        build(revenue=np.full(6, -1.0))
    assert info.value.reason == "empty" and len(info.value.rows) == 6


def test_take_sort_and_round_trips(tmp_path):
    orders = build()
    reversed_ = orders.take(np.arange(len(orders))[::-1])
    assert list(reversed_.sorted_by_pickup().order_id) == list(orders.order_id)
    orders.to_csv(tmp_path / "o.csv")
    again = so.read_orders(tmp_path / "o.csv")
    for name in ("order_id", "pickup_time", "dropoff_time", "pickup_xy", "dropoff_xy", "revenue"):
        assert np.allclose(getattr(again, name), getattr(orders, name)), name
    frame = orders.to_dataframe()
    assert np.allclose(so.read_orders(frame).pickup_xy, orders.pickup_xy)
    summary = orders.to_dict()
    assert summary["orders"] == 6 and summary["load_report"]["rows_kept"] == 6


def test_lonlat_csv_round_trip(tmp_path, day_orders):
    small = day_orders.take(np.arange(500))
    small.to_csv(tmp_path / "ll.csv", places="lonlat")
    again = so.read_orders(tmp_path / "ll.csv")
    assert again.report.format == "canonical_lonlat"
    assert np.allclose(again.pickups.lonlat, small.pickups.lonlat, atol=1e-6)
    assert np.allclose(again.distance, small.distance, atol=1e-4)


# ---------------------------------------------------------------- property tests
CORRUPTIONS = ["nan_time", "nan_place", "inf_revenue", "backwards", "negative_revenue",
               "duplicate_id", "zero_distance"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 40), data=st.data())
def test_malformed_tables_drop_exactly_the_bad_rows(n, data):
    """Random corruptions: drop mode keeps exactly the clean rows, strict names a bad row."""
    t = table(n)
    distance = np.full(n, 2.0)
    broken = set()
    for row in data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)):
        kind = data.draw(st.sampled_from(CORRUPTIONS))
        if kind == "duplicate_id":
            t["order_id"][row] = t["order_id"][data.draw(st.integers(0, n - 1))]
            continue  # whether it is a repeat is decided below, in row order
        broken.add(row)
        if kind == "nan_time":
            t["pickup_time"][row] = np.nan
        elif kind == "nan_place":
            t["dropoff"][row, 1] = np.nan
        elif kind == "inf_revenue":
            t["revenue"][row] = np.inf
        elif kind == "backwards":
            t["dropoff_time"][row] = t["pickup_time"][row] - 1.0
        elif kind == "negative_revenue":
            t["revenue"][row] = -0.01
        elif kind == "zero_distance":
            distance[row] = 0.0
    # Reference: walk the rows in order; a clean row repeating a kept id is a duplicate.
    kept, seen = [], set()
    for row in range(n):
        if row not in broken and t["order_id"][row] not in seen:
            kept.append(row)
            seen.add(t["order_id"][row])
    if not kept:
        with pytest.raises(ValidationError):
            build(**t, distance=distance)
        return
    orders = build(**t, distance=distance)
    assert list(orders.order_id) == [t["order_id"][r] for r in kept]
    assert orders.report.n_kept == len(kept)
    assert sum(orders.report.dropped.values()) == n - len(kept)
    if len(kept) < n:
        with pytest.raises(ValidationError) as info:
            build(strict=True, **t, distance=distance)
        assert info.value.rows and not set(info.value.rows) & set(kept)
    else:
        assert len(build(strict=True, **t, distance=distance)) == n


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*[st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none())] * 8),
                min_size=0, max_size=20))
def test_arbitrary_numbers_never_crash(rows):
    values = np.array([[np.nan if v is None else v for v in row] for row in rows]).reshape(-1, 8)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", so.DataWarning)
            orders = so.Orders(values[:, 0], values[:, 1], values[:, 2], values[:, 3:5],
                               values[:, 5:7], values[:, 7])
    except (ValidationError, FormatError):
        return
    assert np.isfinite(orders.pickup_time).all() and (orders.dropoff_time > orders.pickup_time).all()
    assert (orders.revenue >= 0).all() and len(np.unique(orders.order_id)) == len(orders)

"""Projection and great-circle distance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shareopt.geo import EARTH_RADIUS_KM, LocalProjection, Locations, haversine_km


def law_of_cosines_km(a, b):
    """Great-circle distance by the spherical law of cosines: independent of the haversine."""
    lon1, lat1, lon2, lat2 = map(np.radians, (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    cos_angle = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    return EARTH_RADIUS_KM * np.arccos(np.clip(cos_angle, -1, 1))


def test_one_degree_of_latitude():
    assert haversine_km([[0.0, 0.0]], [[0.0, 1.0]])[0] == pytest.approx(EARTH_RADIUS_KM * np.pi / 180)


def test_haversine_matches_law_of_cosines():
    rng = np.random.default_rng(3)
    a = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-80, 80, 500)])
    b = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-80, 80, 500)])
    assert np.allclose(haversine_km(a, b), law_of_cosines_km(a, b), rtol=1e-9, atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.floats(-170, 170), st.floats(-70, 70), st.floats(-0.3, 0.3), st.floats(-0.3, 0.3))
def test_projection_round_trip_and_city_scale_accuracy(lon0, lat0, dlon, dlat):
    projection = LocalProjection(lon0, lat0)
    lonlat = np.array([[lon0 + dlon, lat0 + dlat], [lon0, lat0]])
    xy = projection.to_xy(lonlat)
    assert np.allclose(projection.to_lonlat(xy), lonlat, atol=1e-9)
    assert np.allclose(xy[1], 0.0)
    planar = np.hypot(*(xy[0] - xy[1]))
    great_circle = haversine_km(lonlat[:1], lonlat[1:])[0]
    # Within ~30 km of the center the local plane is good to well under 1 %.
    assert planar == pytest.approx(great_circle, rel=0.01, abs=1e-6)


def test_projection_around_ignores_bad_points_and_rejects_none():
    lonlat = np.array([[-74.0, 40.7], [0.0, 0.0], [np.nan, 40.0], [-73.9, 40.8]])
    projection = LocalProjection.around(lonlat)
    assert projection.lon0 == pytest.approx(-73.95) and projection.lat0 == pytest.approx(40.75)
    with pytest.raises(ValueError, match="no valid"):
        LocalProjection.around(np.array([[0.0, 0.0]]))
    with pytest.raises(ValueError):
        LocalProjection(200.0, 10.0)


def test_locations_shapes_and_lonlat():
    places = Locations.from_lonlat([[-74.0, 40.7], [-73.9, 40.8]])
    assert np.allclose(places.lonlat, [[-74.0, 40.7], [-73.9, 40.8]])
    assert len(places.take([1])) == 1
    with pytest.raises(ValueError, match="planar"):
        Locations(np.zeros((2, 2))).lonlat
    with pytest.raises(ValueError, match="shape"):
        Locations(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="zone"):
        Locations(np.zeros((2, 2)), zone=[1, 2, 3])

"""Geodesic distances between areas' edges, including the antimeridian and the poles."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import (
    WGS84,
    Area,
    bounding_boxes,
    circle_ring,
    edge_distance_m,
    geodesic_m,
    geojson_area,
    point_area,
)

lats = st.floats(min_value=-89.9, max_value=89.9, allow_nan=False)
lons = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)
radii = st.floats(min_value=0, max_value=2000, allow_nan=False)


def circle(lon: float, lat: float, r: float = 0.0) -> Area:
    return Area("Point", ((lon, lat),), r)


def square(lon: float, lat: float, half_deg: float) -> Area:
    ring = (
        (lon - half_deg, lat - half_deg),
        (lon + half_deg, lat - half_deg),
        (lon + half_deg, lat + half_deg),
        (lon - half_deg, lat + half_deg),
        (lon - half_deg, lat - half_deg),
    )
    return Area("Polygon", ring, 0.0)


@given(lons, lats, radii, st.floats(min_value=0, max_value=360), st.floats(min_value=0, max_value=50_000), radii)
@settings(max_examples=200, deadline=None)
def test_distance_is_symmetric(lon: float, lat: float, r1: float, az: float, dist: float, r2: float) -> None:
    lon2, lat2, _ = WGS84.fwd(lon, lat, az, dist)
    a, b = circle(lon, lat, r1), circle(lon2, lat2, r2)
    assert edge_distance_m(a, b) == pytest.approx(edge_distance_m(b, a), abs=1e-6)


@given(lons, lats, st.floats(min_value=10, max_value=2000), st.floats(min_value=0, max_value=360))
@settings(max_examples=200, deadline=None)
def test_overlapping_circles_are_zero_apart(lon: float, lat: float, r: float, az: float) -> None:
    lon2, lat2, _ = WGS84.fwd(lon, lat, az, r * 1.5)
    assert edge_distance_m(circle(lon, lat, r), circle(lon2, lat2, r)) == 0.0


@given(lons, lats, st.floats(min_value=0, max_value=360), st.floats(min_value=100, max_value=50_000))
@settings(max_examples=200, deadline=None)
def test_polygon_distance_is_within_half_a_percent_of_geodesic(lon: float, lat: float, az: float, dist: float) -> None:
    """A tiny square behaves like its centre point: the planar search must not distort."""
    lon2, lat2, _ = WGS84.fwd(lon, lat, az, dist)
    tiny = 1e-6
    poly = square(lon2, lat2, tiny)
    truth = geodesic_m((lon, lat), (lon2, lat2))
    assert edge_distance_m(circle(lon, lat), poly) == pytest.approx(truth, rel=0.005, abs=1.0)


def test_across_the_antimeridian_points_are_near() -> None:
    a, b = circle(179.9995, 10.0), circle(-179.9995, 10.0)
    assert edge_distance_m(a, b) == pytest.approx(109.6, abs=1.0)


def test_polygon_straddling_the_antimeridian_contains_a_point_on_it() -> None:
    poly = geojson_area(
        {
            "type": "Polygon",
            "coordinates": [[[179.99, -17.0], [-179.99, -17.0], [-179.99, -16.99], [179.99, -16.99], [179.99, -17.0]]],
        },
        0,
    )
    assert edge_distance_m(poly, circle(180.0, -16.995)) == 0.0
    assert edge_distance_m(poly, circle(-179.98, -16.995)) == pytest.approx(1066, rel=0.01)


def test_near_the_pole_longitude_hardly_matters() -> None:
    a, b = circle(0.0, 89.999), circle(180.0, 89.999)
    assert edge_distance_m(a, b) == pytest.approx(223.4, abs=1.0)
    route = Area("LineString", ((-90.0, 89.998), (90.0, 89.998)), 0.0)
    assert edge_distance_m(route, circle(0.0, 89.9999)) < 20


def test_line_with_buffer_measures_from_the_nearest_segment() -> None:
    route = Area("LineString", ((-93.30, 44.97), (-93.20, 44.97)), 50.0)
    lon2, lat2, _ = WGS84.fwd(-93.25, 44.97, 0, 1000)
    assert edge_distance_m(route, circle(lon2, lat2)) == pytest.approx(950, rel=0.005)


@given(
    lons,
    lats,
    st.floats(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=360),
    st.floats(min_value=0, max_value=0.999),
)
@settings(max_examples=300, deadline=None)
def test_bounding_boxes_cover_the_widened_area(lon: float, lat: float, margin: float, az: float, frac: float) -> None:
    area = circle(lon, lat, 200)
    inside_lon, inside_lat, _ = WGS84.fwd(lon, lat, az, (200 + margin) * frac)
    boxes = bounding_boxes(area, margin)
    assert any(b.min_lon <= inside_lon <= b.max_lon and b.min_lat <= inside_lat <= b.max_lat for b in boxes)


def test_bounding_boxes_split_at_the_antimeridian_and_open_at_the_pole() -> None:
    assert len(bounding_boxes(circle(179.999, 0.0, 500))) == 2
    polar = bounding_boxes(circle(10.0, 89.998, 500))
    assert polar[0].min_lon == -180.0 and polar[0].max_lon == 180.0 and polar[0].max_lat == 90.0


@pytest.mark.parametrize(
    ("geometry", "field"),
    [
        ({"type": "Point", "coordinates": [200, 0]}, "geometry.coordinates.lon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "geometry.coordinates.0"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]]},
            "geometry.coordinates",
        ),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "geometry.coordinates"),
        ({"type": "Circle", "coordinates": [0, 0]}, "geometry.type"),
        ({"type": "LineString", "coordinates": [[0, 0], [5, 0]]}, "geometry"),
    ],
)
def test_bad_geometries_name_the_field(geometry: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        geojson_area(geometry, 0)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("lat", "lon", "radius", "field"),
    [
        (91, 0, 0, "location.lat"),
        (0, -181, 0, "location.lon"),
        (0, 0, -1, "location.radius_m"),
        (0, 0, 60_000, "location.radius_m"),
        (math.nan, 0, 0, "location.lat"),
        ("x", 0, 0, "location.lat"),
    ],
)
def test_bad_points_name_the_field(lat: object, lon: object, radius: object, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        point_area(lat, lon, radius)
    assert caught.value.field == field


@pytest.mark.parametrize("centre", [(-93.09, 44.95), (179.9995, 10.0), (-180.0, -45.0), (12.0, 89.9995), (0.0, -90.0)])
def test_a_circle_ring_is_its_radius_from_the_centre_everywhere(centre: tuple[float, float]) -> None:
    ring = circle_ring(centre, 250.0)
    assert ring[0] == ring[-1] and len(ring) == 65
    assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring)
    assert all(abs(geodesic_m(centre, p) - 250.0) < 0.01 for p in ring)

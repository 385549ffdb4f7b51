"""The geodesic size of an area with its buffer, which the size limits are measured in."""

from __future__ import annotations

import math

import pytest

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area, area_km2, geojson_area, point_area


def test_a_circle_counts_pi_r_squared() -> None:
    assert area_km2(point_area(45.0, -93.0, 10_000)) == pytest.approx(math.pi * 100, rel=1e-9)


def test_a_one_degree_square_at_the_equator_is_about_12300_km2() -> None:
    square = Area("Polygon", ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)))
    assert 12_200 < area_km2(square) < 12_400
    reversed_square = Area("Polygon", tuple(reversed(square.coordinates)))
    assert area_km2(reversed_square) == pytest.approx(area_km2(square))  # winding does not matter


def test_a_route_counts_its_swept_band_and_round_ends() -> None:
    route = Area("LineString", ((-93.0, 45.0), (-93.0, 46.0)), 1_000.0)
    length_km = 111.1
    assert area_km2(route) == pytest.approx(2 * length_km * 1 + math.pi, rel=0.01)


def test_the_limit_names_the_field_that_made_the_area_large() -> None:
    with pytest.raises(InvalidInput) as refused:
        point_area(45.0, -93.0, 10_000, max_km2=300.0)
    assert refused.value.field == "location.radius_m"
    line = {"type": "LineString", "coordinates": [[-93.0, 45.0], [-93.0, 46.0]]}
    with pytest.raises(InvalidInput) as refused:
        geojson_area(line, 2_000, max_km2=300.0)
    assert refused.value.field == "geometry"
    assert geojson_area(line, 1_000, max_km2=300.0).radius_m == 1_000.0

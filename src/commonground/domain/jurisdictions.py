"""Jurisdictions from GeoJSON (RFC 7946): polygons with their holes, validated feature by feature.

A county that excludes its incorporated cities is a polygon with city-shaped holes; an
operation inside a hole, clear of its edge, is not in the county's jurisdiction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shapely.geometry import Polygon

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area, LonLat, area_km2, core_distance_m, geojson_area

Ring = tuple[LonLat, ...]
# The widest a jurisdiction may be across (a large state); its size is limited separately.
MAX_JURISDICTION_EXTENT_M = 3_000_000.0


@dataclass(frozen=True, slots=True)
class Region:
    """Outer rings, one per polygon, and each polygon's holes at the same index."""

    rings: tuple[Ring, ...]
    holes: tuple[tuple[Ring, ...], ...]


def reaches(area: Area, rings: Sequence[Ring], holes: Sequence[Sequence[Ring]] = ()) -> bool:
    """Tell whether ``area`` (with its radius) reaches into a polygon's land, not only into its holes."""
    for i, ring in enumerate(rings):
        if core_distance_m(area, Area("Polygon", tuple(ring), 0.0)) > area.radius_m:
            continue
        inside_a_hole = any(
            core_distance_m(area, Area("Polygon", tuple(hole), 0.0)) == 0.0
            and core_distance_m(area, Area("LineString", tuple(hole), 0.0)) > area.radius_m
            for hole in (holes[i] if i < len(holes) else ())
        )
        if not inside_a_hole:
            return True
    return False


def _geometries(raw: Mapping[str, object], field: str) -> list[tuple[str, object]]:
    """The geometries a GeoJSON object holds, each with the field path naming it."""
    kind = raw.get("type")
    if kind == "Feature":
        geometry = raw.get("geometry")
        if not isinstance(geometry, Mapping):
            raise InvalidInput(f"{field}.geometry", "must be a GeoJSON Polygon or MultiPolygon")
        return _geometries(geometry, f"{field}.geometry")
    if kind == "FeatureCollection":
        features = raw.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidInput(f"{field}.features", "must be a non-empty list of Features")
        found: list[tuple[str, object]] = []
        for i, feature in enumerate(features):
            if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
                raise InvalidInput(f"{field}.features.{i}", "must be a GeoJSON Feature")
            found.extend(_geometries(feature, f"{field}.features.{i}"))
        return found
    if kind in ("Polygon", "MultiPolygon"):
        return [(field, raw)]
    raise InvalidInput(f"{field}.type", "must be Polygon, MultiPolygon, Feature or FeatureCollection")


def _polygons(field: str, geometry: object) -> list[tuple[str, object]]:
    """Each polygon of a geometry with the path its rings are named under (``….coordinates[.i]``)."""
    assert isinstance(geometry, Mapping)
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise InvalidInput(f"{field}.coordinates", "must be a non-empty list")
    if geometry.get("type") == "Polygon":
        return [(f"{field}.coordinates", coords)]
    return [(f"{field}.coordinates.{i}", poly) for i, poly in enumerate(coords)]


def _ring(raw: object, field: str, budget: int) -> Ring:
    if budget < 4:
        raise InvalidInput(field, "too many positions in all")
    polygon = {"type": "Polygon", "coordinates": [raw]}
    try:
        found = geojson_area(polygon, 0, field, MAX_JURISDICTION_EXTENT_M, max_vertices=budget, max_km2=math.inf)
    except InvalidInput as refused:  # geojson_area names the ring ``<field>.coordinates.0``: name it ``<field>``
        message = refused.message.partition(": ")[2] or refused.message
        raise InvalidInput(field, message) from None
    return found.coordinates


def _polygon(raw: object, field: str, budget: int) -> tuple[Ring, tuple[Ring, ...]]:
    """One polygon's outer ring and holes: closed, not crossing themselves, holes inside and apart."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(field, "must be a list of rings, the outer one first")
    rings: list[Ring] = []
    for j, raw_ring in enumerate(raw):
        rings.append(_ring(raw_ring, f"{field}.{j}", budget - sum(len(r) for r in rings)))
    outer, holes = rings[0], tuple(rings[1:])
    if holes and not Polygon(outer, list(holes)).is_valid:
        raise InvalidInput(field, "a hole must lie inside the outer ring and apart from the other holes")
    return outer, holes


def parse_region(raw: object, field: str, max_vertices: int, max_km2: float) -> Region | None:
    """Read a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection; keep every hole."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidInput(field, "must be a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection")
    rings: list[Ring] = []
    holes: list[tuple[Ring, ...]] = []
    used = 0
    for where, geometry in _geometries(raw, field):
        for sub, poly in _polygons(where, geometry):
            outer, inner = _polygon(poly, sub, max_vertices - used)
            rings.append(outer)
            holes.append(inner)
            used += len(outer) + sum(len(h) for h in inner)
            if used > max_vertices:
                raise InvalidInput(field, f"at most {max_vertices} positions in all")
    size = sum(area_km2(Area("Polygon", ring)) for ring in rings)
    if not size <= max_km2:
        raise InvalidInput(field, f"covers about {size:,.0f} km²; at most {max_km2:,.0f} km² in all")
    return Region(tuple(rings), tuple(holes) if any(holes) else ())  # no holes anywhere: stored as none


def to_geojson(rings: Sequence[Ring], holes: Sequence[Sequence[Ring]]) -> dict[str, object]:
    """The region as a GeoJSON MultiPolygon, each polygon's holes after its outer ring."""
    polygons = []
    for i, ring in enumerate(rings):
        inner = holes[i] if i < len(holes) else ()
        polygons.append([[list(p) for p in r] for r in (ring, *inner)])
    return {"type": "MultiPolygon", "coordinates": polygons}

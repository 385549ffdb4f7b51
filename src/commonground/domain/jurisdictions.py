"""Where an agency is the host agency: GeoJSON (RFC 7946) polygons with their holes, validated."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import (
    Area,
    Box,
    LonLat,
    area_km2,
    bounding_boxes,
    geojson_area,
    intersects_polygon,
    polygon_problem,
)
from commonground.domain.model import Agency

Ring = tuple[LonLat, ...]
# A jurisdiction may be a whole state (Alaska is 1.7 million km²); COMMONGROUND_MAX_JURISDICTION_KM2.
MAX_JURISDICTION_KM2 = 2_500_000.0
# A state's outline spans far more than any operation area.
MAX_JURISDICTION_EXTENT_M = 3_000_000.0
# A county's surveyed outline runs to tens of thousands of positions; COMMONGROUND_MAX_JURISDICTION_VERTICES.
MAX_JURISDICTION_VERTICES = 50_000


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """Outer rings, and for each the holes cut out of it (incorporated cities a county does not cover)."""

    rings: tuple[Ring, ...]
    holes: tuple[tuple[Ring, ...], ...]


def serves(agency: Agency, area: Area) -> bool:
    """Say whether ``area`` reaches into ``agency``'s service area (its jurisdiction, holes cut out).

    An agency without a jurisdiction has no bounds set, so it serves everywhere."""
    return agency.jurisdiction is None or intersects_polygon(area, agency.jurisdiction, agency.jurisdiction_holes)


def service_boxes(agency: Agency) -> list[Box]:
    """Lon/lat boxes covering ``agency``'s jurisdiction, for an index to choose candidates; none without one."""
    return [box for ring in agency.jurisdiction or () for box in bounding_boxes(Area("Polygon", tuple(ring), 0.0))]


def parse_jurisdiction(
    raw: object,
    field: str = "jurisdiction",
    max_vertices: int = MAX_JURISDICTION_VERTICES,
    max_km2: float = MAX_JURISDICTION_KM2,
) -> Jurisdiction | None:
    """Accept a Polygon, MultiPolygon, Feature or FeatureCollection; keep holes; refuse naming the place."""
    if raw is None:
        return None
    rings: list[Ring] = []
    holes: list[tuple[Ring, ...]] = []
    for path, coords in _polygons(raw, field):
        budget = max_vertices - sum(len(r) for r in rings) - sum(len(h) for hs in holes for h in hs)
        outer, cut = _polygon(coords, path, budget)
        rings.append(outer)
        holes.append(cut)
        if sum(len(r) for r in rings) + sum(len(h) for hs in holes for h in hs) > max_vertices:
            raise InvalidInput(field, f"at most {max_vertices} positions in all")
    if not rings:
        raise InvalidInput(field, "must hold at least one polygon")
    size = sum(area_km2(Area("Polygon", ring)) for ring in rings)
    if not size <= max_km2:
        raise InvalidInput(field, f"covers about {size:,.0f} km²; at most {max_km2:,.0f} km² in all")
    return Jurisdiction(tuple(rings), tuple(holes) if any(holes) else ())


def _polygons(raw: object, field: str) -> list[tuple[str, object]]:
    """Each polygon's coordinates with the field path that names it (a feature by its index)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(field, "must be a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection")
    kind = raw.get("type")
    if kind == "FeatureCollection":
        features = raw.get("features")
        if not isinstance(features, list):
            raise InvalidInput(f"{field}.features", "must be a list of Features")
        return [p for i, feature in enumerate(features) for p in _feature(feature, f"{field}.features.{i}")]
    if kind == "Feature":
        return _feature(raw, field)
    return _geometry(raw, field)


def _feature(raw: object, field: str) -> list[tuple[str, object]]:
    if not isinstance(raw, Mapping) or raw.get("type") != "Feature":
        raise InvalidInput(f"{field}.type", "must be Feature")
    return _geometry(raw.get("geometry"), f"{field}.geometry")


def _geometry(raw: object, field: str) -> list[tuple[str, object]]:
    if not isinstance(raw, Mapping):
        raise InvalidInput(field, "must be a GeoJSON Polygon or MultiPolygon")
    kind, coords = raw.get("type"), raw.get("coordinates")
    if kind == "Polygon":
        return [(field, coords)]
    if kind == "MultiPolygon" and isinstance(coords, list):
        return [(f"{field}.coordinates.{i}", poly) for i, poly in enumerate(coords)]
    raise InvalidInput(f"{field}.type", "must be Polygon or MultiPolygon")


def _polygon(coords: object, field: str, max_vertices: int) -> tuple[Ring, tuple[Ring, ...]]:
    """The outer ring and holes of one polygon, each ring closed and the whole valid (shapely)."""
    if max_vertices < 4:
        raise InvalidInput(field, "too many positions in all")
    if not isinstance(coords, Sequence) or isinstance(coords, str) or not coords:
        raise InvalidInput(f"{field}.coordinates", "must be a list of rings")
    area = {"type": "Polygon", "coordinates": coords[:1]}
    outer = geojson_area(
        area, 0, field, max_extent_m=MAX_JURISDICTION_EXTENT_M, max_vertices=max_vertices, max_km2=math.inf
    ).coordinates
    cut: list[Ring] = []
    for k, hole in enumerate(coords[1:], start=1):
        budget = max_vertices - len(outer) - sum(len(h) for h in cut)
        cut.append(_hole(hole, field, k, budget))
    problem = polygon_problem(outer, cut) if cut else None
    if problem is not None:
        raise InvalidInput(f"{field}.coordinates", f"the polygon is not valid: {problem}")
    return outer, tuple(cut)


def _hole(raw: object, field: str, k: int, max_vertices: int) -> Ring:
    """One hole, checked as a ring of its own and named by its index in the polygon."""
    ring = {"type": "Polygon", "coordinates": [raw]}
    try:
        found = geojson_area(
            ring, 0, field, max_extent_m=MAX_JURISDICTION_EXTENT_M, max_vertices=max(max_vertices, 0), max_km2=math.inf
        )
    except InvalidInput as refused:
        where = refused.field.replace(f"{field}.coordinates.0", f"{field}.coordinates.{k}", 1)
        if where == f"{field}.coordinates":
            where = f"{field}.coordinates.{k}"
        raise InvalidInput(where, refused.details[0]["message"]) from None
    return found.coordinates

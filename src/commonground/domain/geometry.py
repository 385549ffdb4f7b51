"""Areas where operations happen, and the geodesic distance between their edges.

Distances are measured on the WGS84 ellipsoid (Karney's algorithm through pyproj's
``Geod``). For areas other than two circles the nearest points are first found in a
spherical azimuthal-equidistant plane centred between the areas, which has no seam at
the antimeridian and no singularity at the poles; the final metres are then geodesic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import nearest_points

from commonground.domain.errors import InvalidInput

WGS84 = Geod(ellps="WGS84")
EARTH_RADIUS_M = 6_371_008.8
MAX_RADIUS_M = 50_000.0
MAX_EXTENT_M = 200_000.0
# Every later check near an area walks its vertices; a bound keeps one submission from slowing
# every nearby one (the setting COMMONGROUND_MAX_AREA_VERTICES chooses it, this is its default).
MAX_VERTICES = 10_000
# An operation covers a block, a site or a route, not a region; COMMONGROUND_MAX_AREA_KM2 chooses it.
MAX_AREA_KM2 = 10_000.0

AreaKind = Literal["Point", "Polygon", "LineString"]
LonLat = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Area:
    """A point, polygon or route line (lon/lat, WGS84) widened by ``radius_m``."""

    kind: AreaKind
    coordinates: tuple[LonLat, ...]
    radius_m: float = 0.0

    @property
    def is_point(self) -> bool:
        return self.kind == "Point"

    def to_geojson(self) -> dict[str, object]:
        coords: object
        if self.kind == "Point":
            coords = list(self.coordinates[0])
        elif self.kind == "LineString":
            coords = [list(c) for c in self.coordinates]
        else:
            coords = [[list(c) for c in self.coordinates]]
        return {"type": self.kind, "coordinates": coords, "radius_m": self.radius_m}


def _check_lonlat(lon: object, lat: object, field: str) -> LonLat:
    if isinstance(lon, bool) or not isinstance(lon, int | float):
        raise InvalidInput(f"{field}.lon", "must be a number")
    if isinstance(lat, bool) or not isinstance(lat, int | float):
        raise InvalidInput(f"{field}.lat", "must be a number")
    if not math.isfinite(lat) or not -90.0 <= lat <= 90.0:
        raise InvalidInput(f"{field}.lat", "must be between -90 and 90")
    if not math.isfinite(lon) or not -180.0 <= lon <= 180.0:
        raise InvalidInput(f"{field}.lon", "must be between -180 and 180")
    return (float(lon), float(lat))


def _check_radius(radius: object, field: str) -> float:
    if radius is None:
        return 0.0
    if isinstance(radius, bool) or not isinstance(radius, int | float):
        raise InvalidInput(field, "must be a number of metres")
    if not math.isfinite(radius) or radius < 0 or radius > MAX_RADIUS_M:
        raise InvalidInput(field, f"must be between 0 and {MAX_RADIUS_M:.0f} metres")
    return float(radius)


def point_area(
    lat: object, lon: object, radius_m: object, field: str = "location", max_km2: float = MAX_AREA_KM2
) -> Area:
    """Build a circle; ``field`` prefixes error paths."""
    lonlat = _check_lonlat(lon, lat, field)
    area = Area("Point", (lonlat,), _check_radius(radius_m, f"{field}.radius_m"))
    _check_size(area, f"{field}.radius_m", max_km2)
    return area


def _positions(raw: object, field: str, max_vertices: int = MAX_VERTICES) -> tuple[LonLat, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InvalidInput(field, "must be a list of [lon, lat] positions")
    if len(raw) > max_vertices:
        raise InvalidInput(field, f"at most {max_vertices} positions")
    out: list[LonLat] = []
    for i, pos in enumerate(raw):
        if not isinstance(pos, Sequence) or isinstance(pos, str) or len(pos) < 2:
            raise InvalidInput(f"{field}.{i}", "must be a [lon, lat] position")
        out.append(_check_lonlat(pos[0], pos[1], f"{field}.{i}"))
    return tuple(out)


def geojson_area(
    geometry: object,
    radius_m: object,
    field: str = "geometry",
    max_extent_m: float = MAX_EXTENT_M,
    max_vertices: int = MAX_VERTICES,
    max_km2: float = MAX_AREA_KM2,
) -> Area:
    """Build an area from a GeoJSON Point, Polygon (outer ring) or LineString, at most ``max_km2`` widened."""
    if not isinstance(geometry, dict):
        raise InvalidInput(field, "must be a GeoJSON object")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    radius = _check_radius(radius_m if radius_m is not None else geometry.get("radius_m"), f"{field}.radius_m")
    if kind == "Point":
        if not isinstance(coords, Sequence) or isinstance(coords, str) or len(coords) < 2:
            raise InvalidInput(f"{field}.coordinates", "must be a [lon, lat] position")
        return Area("Point", (_check_lonlat(coords[0], coords[1], f"{field}.coordinates"),), radius)
    if kind == "LineString":
        line = _positions(coords, f"{field}.coordinates", max_vertices)
        if len(line) < 2:
            raise InvalidInput(f"{field}.coordinates", "a route needs at least two positions")
        area = Area("LineString", line, radius)
    elif kind == "Polygon":
        if not isinstance(coords, Sequence) or isinstance(coords, str) or not coords:
            raise InvalidInput(f"{field}.coordinates", "must be a list of rings")
        ring = _positions(coords[0], f"{field}.coordinates.0", max_vertices)
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise InvalidInput(f"{field}.coordinates.0", "a ring needs four or more positions, first equal to last")
        area = Area("Polygon", ring, radius)
        if not _planar(area, _centre(area)).is_valid:
            raise InvalidInput(f"{field}.coordinates", "the polygon crosses itself")
    else:
        raise InvalidInput(f"{field}.type", "must be Point, Polygon or LineString")
    if extent_m(area) > max_extent_m:
        raise InvalidInput(field, f"the area must fit within {max_extent_m / 1000:.0f} km")
    _check_size(area, field, max_km2)
    return area


def area_km2(area: Area) -> float:
    """Return the geodesic size of ``area`` widened by its radius, never less than the truth.

    Shape plus its outline swept by the radius plus one disc (Steiner's bound): exact for a
    convex polygon, generous for a concave one; a route counts as a polygon of twice its length.
    """
    r = area.radius_m
    lons = [lon for lon, _ in area.coordinates]
    lats = [lat for _, lat in area.coordinates]
    if area.kind == "Polygon":
        shape_m2, outline_m = WGS84.polygon_area_perimeter(lons, lats)
    elif area.kind == "LineString":
        shape_m2, outline_m = 0.0, 2.0 * WGS84.line_length(lons, lats)
    else:
        shape_m2, outline_m = 0.0, 0.0
    return (abs(shape_m2) + outline_m * r + math.pi * r * r) / 1e6


def _check_size(area: Area, field: str, max_km2: float) -> None:
    size = area_km2(area)
    if not size <= max_km2:
        raise InvalidInput(field, f"covers about {size:,.0f} km² with its buffer; at most {max_km2:,.0f} km²")


# --- local projection -------------------------------------------------------------------


def _unit(lon: float, lat: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))


def _centre(*areas: Area) -> LonLat:
    """Mean direction of all vertices: a centre with no seam at ±180°."""
    x = y = z = 0.0
    for area in areas:
        for lon, lat in area.coordinates:
            ux, uy, uz = _unit(lon, lat)
            x, y, z = x + ux, y + uy, z + uz
    norm = math.sqrt(x * x + y * y + z * z)
    if norm < 1e-12:
        return areas[0].coordinates[0]
    return (math.degrees(math.atan2(y, x)), math.degrees(math.asin(max(-1.0, min(1.0, z / norm)))))


def centroid(area: Area) -> LonLat:
    """The area's point, or the mean direction of its vertices: where "at the operation" is."""
    return _centre(area)


def _forward(centre: LonLat, lon: float, lat: float) -> tuple[float, float]:
    lon0, lat0 = math.radians(centre[0]), math.radians(centre[1])
    la, dlo = math.radians(lat), math.radians(lon) - lon0
    cos_c = math.sin(lat0) * math.sin(la) + math.cos(lat0) * math.cos(la) * math.cos(dlo)
    c = math.acos(max(-1.0, min(1.0, cos_c)))
    k = 1.0 if c < 1e-12 else c / math.sin(c)
    x = k * math.cos(la) * math.sin(dlo)
    y = k * (math.cos(lat0) * math.sin(la) - math.sin(lat0) * math.cos(la) * math.cos(dlo))
    return (x * EARTH_RADIUS_M, y * EARTH_RADIUS_M)


def _inverse(centre: LonLat, x: float, y: float) -> LonLat:
    lon0, lat0 = math.radians(centre[0]), math.radians(centre[1])
    rho = math.hypot(x, y) / EARTH_RADIUS_M
    if rho < 1e-15:
        return centre
    sin_c, cos_c = math.sin(rho), math.cos(rho)
    lat = math.asin(max(-1.0, min(1.0, cos_c * math.sin(lat0) + y / EARTH_RADIUS_M * sin_c * math.cos(lat0) / rho)))
    lon = lon0 + math.atan2(
        x / EARTH_RADIUS_M * sin_c,
        rho * math.cos(lat0) * cos_c - y / EARTH_RADIUS_M * math.sin(lat0) * sin_c,
    )
    lon_deg = (math.degrees(lon) + 540.0) % 360.0 - 180.0
    return (lon_deg, math.degrees(lat))


def _planar(area: Area, centre: LonLat) -> shapely.Geometry:
    pts = [_forward(centre, lon, lat) for lon, lat in area.coordinates]
    if area.kind == "Point":
        return Point(pts[0])
    if area.kind == "LineString":
        return LineString(pts)
    return Polygon(pts)


def _planar_with_holes(outer: Sequence[LonLat], holes: Sequence[Sequence[LonLat]], centre: LonLat) -> Polygon:
    return Polygon(
        [_forward(centre, lon, lat) for lon, lat in outer],
        [[_forward(centre, lon, lat) for lon, lat in hole] for hole in holes],
    )


# --- distances ------------------------------------------------------------------------


def circle_ring(centre: LonLat, radius_m: float, sides: int = 64) -> list[LonLat]:
    """The closed ring of points ``radius_m`` from ``centre`` along geodesics, for maps that draw no buffers.

    Longitudes are left as the ellipsoid gives them (within -180..180), so a ring that crosses the
    antimeridian jumps; KML and GeoJSON readers that care split it themselves."""
    lons, lats, _ = WGS84.fwd(
        [centre[0]] * sides, [centre[1]] * sides, [360.0 * i / sides for i in range(sides)], [radius_m] * sides
    )
    ring = [(float(lon), float(lat)) for lon, lat in zip(lons, lats, strict=True)]
    return [*ring, ring[0]]


def geodesic_m(a: LonLat, b: LonLat) -> float:
    """Return the ellipsoidal distance between two lon/lat points."""
    _, _, dist = WGS84.inv(a[0], a[1], b[0], b[1])
    return float(dist)


def core_distance_m(a: Area, b: Area) -> float:
    """Return the distance between the areas' unbuffered geometries (0 when they meet)."""
    if a.is_point and b.is_point:
        return geodesic_m(a.coordinates[0], b.coordinates[0])
    centre = _centre(a, b)
    ga, gb = _planar(a, centre), _planar(b, centre)
    if ga.intersects(gb):
        return 0.0
    pa, pb = nearest_points(ga, gb)
    return geodesic_m(_inverse(centre, pa.x, pa.y), _inverse(centre, pb.x, pb.y))


def edge_distance_m(a: Area, b: Area) -> float:
    """Return the geodesic distance between the areas' edges, 0 when they overlap."""
    return max(0.0, core_distance_m(a, b) - a.radius_m - b.radius_m)


def extent_m(area: Area) -> float:
    """Return the largest distance from the area's first vertex to any other vertex."""
    first = area.coordinates[0]
    return max((geodesic_m(first, c) for c in area.coordinates[1:]), default=0.0)


# A polygon with more positions than this is projected once, about its own centre, and kept: a
# county drawn with 50,000 positions costs ~190 ms to project in Python, on every submission near it.
LARGE_POLYGON = 2_000


def _frozen(ring: Sequence[LonLat]) -> tuple[LonLat, ...]:
    """The ring as a tuple of tuples (a cache key); an agency's rings already are, and are kept as they are."""
    return ring if isinstance(ring, tuple) else tuple((float(p[0]), float(p[1])) for p in ring)


@lru_cache(maxsize=32)
def _projected(outer: tuple[LonLat, ...], cut: tuple[tuple[LonLat, ...], ...]) -> tuple[LonLat, Polygon]:
    """A large polygon (with its holes) in the azimuthal equidistant plane about its own centre."""
    centre = _centre(Area("Polygon", outer, 0.0))
    return centre, _planar_with_holes(outer, cut, centre)


def intersects_polygon(
    area: Area, rings: Sequence[Sequence[LonLat]], holes: Sequence[Sequence[Sequence[LonLat]]] = ()
) -> bool:
    """Tell whether ``area`` (with its radius) reaches into any of the polygons, minus their holes.

    ``holes[i]`` are the holes of the polygon whose outer ring is ``rings[i]`` (a county without its cities).
    A large polygon is measured in a plane about its own centre, projected once (``LARGE_POLYGON``)."""
    for i, ring in enumerate(rings):
        outer = Area("Polygon", tuple(ring), 0.0)
        cut = holes[i] if i < len(holes) else ()
        if len(ring) + sum(len(h) for h in cut) > LARGE_POLYGON:
            centre, shape = _projected(_frozen(ring), tuple(_frozen(h) for h in cut))
        elif not cut:
            if core_distance_m(area, outer) <= area.radius_m:
                return True
            continue
        else:
            centre = _centre(area, outer)
            shape = _planar_with_holes(ring, cut, centre)
        mine = _planar(area, centre)
        if mine.intersects(shape):
            return True
        pa, pb = nearest_points(mine, shape)
        if geodesic_m(_inverse(centre, pa.x, pa.y), _inverse(centre, pb.x, pb.y)) <= area.radius_m:
            return True
    return False


# --- bounding boxes for the candidate index --------------------------------------------

# Metres per degree of latitude never fall below this (the meridian at the equator).
_MIN_M_PER_DEG_LAT = 110_574.0


@dataclass(frozen=True, slots=True)
class Box:
    min_lon: float
    max_lon: float
    min_lat: float
    max_lat: float


def bounding_boxes(area: Area, margin_m: float = 0.0) -> list[Box]:
    """Return lon/lat boxes covering ``area`` widened by its radius and ``margin_m``.

    Two boxes when the area straddles the antimeridian; a full band of longitude
    when it reaches a pole. Boxes err on the large side: they only choose candidates.
    """
    grow_m = area.radius_m + margin_m
    centre = _centre(area)
    lats = [lat for _, lat in area.coordinates]
    # Longitudes relative to the centre, so a shape across ±180° stays contiguous.
    rel = [((lon - centre[0] + 540.0) % 360.0) - 180.0 for lon, _ in area.coordinates]
    dlat = grow_m / _MIN_M_PER_DEG_LAT * 1.001 + 1e-7
    min_lat, max_lat = min(lats) - dlat, max(lats) + dlat
    if max_lat >= 89.999 or min_lat <= -89.999:
        return [Box(-180.0, 180.0, max(min_lat, -90.0), min(max_lat, 90.0))]
    worst_cos = min(math.cos(math.radians(min_lat)), math.cos(math.radians(max_lat)))
    dlon = dlat / worst_cos
    lo, hi = centre[0] + min(rel) - dlon, centre[0] + max(rel) + dlon
    if hi - lo >= 360.0:
        return [Box(-180.0, 180.0, min_lat, max_lat)]
    if lo < -180.0:
        return [Box(lo + 360.0, 180.0, min_lat, max_lat), Box(-180.0, hi, min_lat, max_lat)]
    if hi > 180.0:
        return [Box(lo, 180.0, min_lat, max_lat), Box(-180.0, hi - 360.0, min_lat, max_lat)]
    return [Box(lo, hi, min_lat, max_lat)]


def polygon_problem(outer: Sequence[LonLat], holes: Sequence[Sequence[LonLat]]) -> str | None:
    """Say what makes a polygon with holes invalid (a hole outside it, rings crossing), or None."""
    shape = _planar_with_holes(outer, holes, _centre(Area("Polygon", tuple(outer), 0.0)))
    if shape.is_valid:
        return None
    return str(shapely.is_valid_reason(shape))

"""Look-ups spread over a grid: the pattern of someone mapping where operations are.

A dispatcher asks about the places calls come from; someone mapping operations asks about one
place after another, cell by cell. The rule counts the distinct grid cells of one user's (or one
agency's) recent look-ups and says when the latest one takes the count past the limit, so a sweep
raises one alert as it crosses, not one for every look-up after.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from commonground.domain.geometry import Area, LonLat

M_PER_DEG_LAT = 111_320.0
MIN_COS = 0.01  # near the poles a cell is never wider than a hundred times its height in degrees

Cell = tuple[int, int]


def cell_of(place: LonLat, cell_m: float) -> Cell:
    """Return the grid cell of ``place``: rows ``cell_m`` tall, columns ``cell_m`` wide at the row's centre."""
    lon, lat = place
    row = math.floor(lat * M_PER_DEG_LAT / cell_m)
    centre = (row + 0.5) * cell_m / M_PER_DEG_LAT
    width_deg = cell_m / (M_PER_DEG_LAT * max(math.cos(math.radians(centre)), MIN_COS))
    return (row, math.floor(lon / width_deg))


def cell_key(cell: Cell) -> str:
    """A cell as the store keeps it: ``row:column``."""
    return f"{cell[0]}:{cell[1]}"


def cells(places: Sequence[LonLat], cell_m: float) -> int:
    """Count the distinct cells ``places`` fall in."""
    return len({cell_of(p, cell_m) for p in places})


def crosses(before: int, seen: bool, max_cells: int) -> bool:
    """Say whether a look-up takes a scope past ``max_cells`` distinct cells (0: never).

    ``before``: the distinct cells of the scope's earlier look-ups in the window; ``seen``: the
    latest look-up's cell is one of them. True only for the look-up that crosses, not those after."""
    return max_cells > 0 and before == max_cells and not seen


def swept_area(places: Sequence[LonLat], radius_m: float) -> Area:
    """Return the area the look-ups covered: the hull of their places widened by the largest radius."""
    hull = MultiPoint([Point(p) for p in places]).convex_hull
    if isinstance(hull, Polygon):
        return Area("Polygon", tuple((float(x), float(y)) for x, y in hull.exterior.coords), radius_m)
    if isinstance(hull, LineString):
        return Area("LineString", tuple((float(x), float(y)) for x, y in hull.coords), radius_m)
    point = shapely.get_coordinates(hull)[0]
    return Area("Point", ((float(point[0]), float(point[1])),), radius_m)

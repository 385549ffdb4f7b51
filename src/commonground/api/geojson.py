"""Lists as GeoJSON (RFC 7946) FeatureCollections for GIS tools that ask with ``Accept: application/geo+json``.

Each feature's properties are the very item the JSON answer holds (already cut to the level the
caller may see); the geometry is that item's area, so nothing is shown that the JSON list would not show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

MEDIA_TYPE = "application/geo+json"
# The OpenAPI entry of a list that can answer as GeoJSON.
GEOJSON_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "object", "description": "A GeoJSON FeatureCollection."}}}}
}


def wants_geojson(request: Request) -> bool:
    return MEDIA_TYPE in request.headers.get("accept", "").lower()


def _geometry(area: Any) -> dict[str, Any] | None:
    if not isinstance(area, dict) or "type" not in area:
        return None
    return {"type": area["type"], "coordinates": area["coordinates"]}


def feature_collection(
    items: Sequence[dict[str, Any]],
    area_of: Callable[[dict[str, Any]], Any],
    next_cursor: str | None,
    members: dict[str, Any] | None = None,
) -> JSONResponse:
    """Answer ``items`` (the JSON list's own dicts) as a FeatureCollection; ``next`` pages as in JSON.

    ``members``: the JSON answer's other keys (a look-up's ``at``), kept as RFC 7946 foreign members."""
    features = [{"type": "Feature", "geometry": _geometry(area_of(item)), "properties": item} for item in items]
    body: dict[str, Any] = {"type": "FeatureCollection", "features": features, "next": next_cursor, **(members or {})}
    return JSONResponse(body, media_type=MEDIA_TYPE)

"""Lists as KML 2.2 for map tools (Google Earth, ATAK's importer, GIS) that ask with
``Accept: application/vnd.google-earth.kml+xml``.

Like the GeoJSON answer, each placemark holds exactly the JSON item the caller may see (its
fields as ``ExtendedData``); the geometry is that item's area, a point's buffer drawn as a ring.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import Request
from fastapi.responses import Response

from commonground.domain.geometry import circle_ring

MEDIA_TYPE = "application/vnd.google-earth.kml+xml"
NAMESPACE = "http://www.opengis.net/kml/2.2"
KML_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "description": "A KML 2.2 document."}}}}
}


def wants_kml(request: Request) -> bool:
    return MEDIA_TYPE in request.headers.get("accept", "").lower()


def _coordinates(parent: ET.Element, points: Sequence[Sequence[float]]) -> None:
    ET.SubElement(parent, "coordinates").text = " ".join(f"{p[0]},{p[1]}" for p in points)


def _ring(parent: ET.Element, boundary: str, points: Sequence[Sequence[float]]) -> None:
    ring = ET.SubElement(ET.SubElement(parent, boundary), "LinearRing")
    _coordinates(ring, points)


def _geometry(placemark: ET.Element, area: dict[str, Any]) -> None:
    kind, coords, radius = area.get("type"), area.get("coordinates"), float(area.get("radius_m") or 0.0)
    if kind == "Point" and isinstance(coords, list):
        both = ET.SubElement(placemark, "MultiGeometry")
        _coordinates(ET.SubElement(both, "Point"), [coords])
        if radius > 0:
            _ring(ET.SubElement(both, "Polygon"), "outerBoundaryIs", circle_ring((coords[0], coords[1]), radius))
    elif kind == "LineString" and isinstance(coords, list):
        _coordinates(ET.SubElement(placemark, "LineString"), coords)
    elif kind == "Polygon" and isinstance(coords, list) and coords:
        polygon = ET.SubElement(placemark, "Polygon")
        _ring(polygon, "outerBoundaryIs", coords[0])
        for hole in coords[1:]:
            _ring(polygon, "innerBoundaryIs", hole)


def _data(placemark: ET.Element, item: dict[str, Any]) -> None:
    extended = ET.SubElement(placemark, "ExtendedData")
    for name, value in item.items():
        data = ET.SubElement(extended, "Data", name=name)
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        ET.SubElement(data, "value").text = text


def _name(item: dict[str, Any]) -> str:
    agency = item.get("agency") or {}
    label = item.get("title") or item.get("type") or "operation"
    return f"{agency.get('name', '')}: {label}".strip(": ")


def document(items: Sequence[dict[str, Any]], title: str, next_cursor: str | None) -> Response:
    """Answer ``items`` (the JSON list's own dicts, each with ``area`` and ``window``) as one KML document."""
    root = ET.Element("kml", xmlns=NAMESPACE)
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = title
    if next_cursor is not None:  # a KML reader cannot page; say where the next page starts
        ET.SubElement(doc, "description").text = f"More: repeat the request with cursor={next_cursor}"
    for item in items:
        placemark = ET.SubElement(doc, "Placemark", id=str(item.get("id", "")))
        ET.SubElement(placemark, "name").text = _name(item)
        window = item.get("window") or {}
        if window:
            span = ET.SubElement(placemark, "TimeSpan")
            ET.SubElement(span, "begin").text = window.get("starts_at")
            ET.SubElement(span, "end").text = window.get("ends_at")
        _data(placemark, item)
        _geometry(placemark, item.get("area") or {})
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    headers = {} if next_cursor is None else {"X-Next-Cursor": next_cursor}
    return Response(body, media_type=MEDIA_TYPE, headers=headers)

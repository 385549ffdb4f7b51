"""`GET /operations` as KML for map tools: the JSON list's own items, read back with xml.etree (issue 15, item 5)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import httpx

from commonground.domain.geometry import geodesic_m
from tests.conftest import World, bearer, operation_data

KML = {"Accept": "application/vnd.google-earth.kml+xml"}
NS = {"k": "http://www.opengis.net/kml/2.2"}
SQUARE = [[-93.30, 44.95], [-93.20, 44.95], [-93.20, 45.00], [-93.30, 45.00], [-93.30, 44.95]]


def _pairs(text: str | None) -> list[tuple[float, float]]:
    assert text is not None
    return [(float(lon), float(lat)) for lon, lat in (p.split(",") for p in text.split())]


def _extended(placemark: ET.Element) -> dict[str, Any]:
    """The placemark's ExtendedData back as the JSON item it was made from."""
    out: dict[str, Any] = {}
    for data in placemark.findall("k:ExtendedData/k:Data", NS):
        text = data.findtext("k:value", default="", namespaces=NS)
        name = data.get("name")
        assert name is not None
        try:
            out[name] = json.loads(text)
        except ValueError:
            out[name] = text
    return out


def test_operations_answer_kml_with_the_json_items_and_their_areas(http: httpx.Client, world: World) -> None:
    agency = world.agency("local", name="St. Paul PD <Central>")  # a name XML must escape
    token = world.token(world.person(agency))
    point = operation_data(44.9537, -93.0900, radius_m=250, notes="entry at 06:05 & <rear>")
    shaped = operation_data(geometry={"type": "Polygon", "coordinates": [SQUARE]})
    shaped.pop("location")
    for body in (point, shaped):
        made = http.post("/api/v1/operations", json=body, headers=bearer(token))
        assert made.status_code == 201, made.text

    as_json = http.get("/api/v1/operations", headers=bearer(token)).json()["items"]
    answer = http.get("/api/v1/operations", headers=bearer(token) | KML)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    root = ET.fromstring(answer.content)
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    placemarks = root.findall("k:Document/k:Placemark", NS)
    assert [p.get("id") for p in placemarks] == [item["id"] for item in as_json]
    by_id = {p.get("id"): p for p in placemarks}
    for item in as_json:
        placemark = by_id[item["id"]]
        assert _extended(placemark) == item  # exactly what the JSON list discloses, nothing more
        assert placemark.findtext("k:TimeSpan/k:begin", namespaces=NS) == item["window"]["starts_at"]
        assert "St. Paul PD <Central>" in (placemark.findtext("k:name", namespaces=NS) or "")

    point_item = next(i for i in as_json if i["area"]["type"] == "Point")
    geometry = by_id[point_item["id"]].find("k:MultiGeometry", NS)
    assert geometry is not None
    [(lon, lat)] = _pairs(geometry.findtext("k:Point/k:coordinates", namespaces=NS))
    assert (lon, lat) == (-93.09, 44.9537)
    ring = _pairs(geometry.findtext("k:Polygon/k:outerBoundaryIs/k:LinearRing/k:coordinates", namespaces=NS))
    assert ring[0] == ring[-1] and len(ring) > 16
    assert all(abs(geodesic_m((lon, lat), p) - 250) < 0.5 for p in ring)  # the buffer, drawn geodesically

    polygon_item = next(i for i in as_json if i["area"]["type"] == "Polygon")
    outer = by_id[polygon_item["id"]].findtext("k:Polygon/k:outerBoundaryIs/k:LinearRing/k:coordinates", namespaces=NS)
    assert _pairs(outer) == [tuple(c) for c in polygon_item["area"]["coordinates"][0]]


def test_kml_pages_like_json_and_shows_nothing_to_a_stranger(http: httpx.Client, world: World) -> None:
    agency = world.agency("local", name="Ramsey County SO")
    token = world.token(world.person(agency))
    for i in range(3):
        made = http.post("/api/v1/operations", json=operation_data(44.0 + i * 0.2, -93.0), headers=bearer(token))
        assert made.status_code == 201, made.text
    first = http.get("/api/v1/operations", params={"limit": 2}, headers=bearer(token) | KML)
    assert first.status_code == 200
    cursor = first.headers["X-Next-Cursor"]
    assert len(ET.fromstring(first.content).findall("k:Document/k:Placemark", NS)) == 2
    rest = http.get("/api/v1/operations", params={"limit": 2, "cursor": cursor}, headers=bearer(token) | KML)
    assert len(ET.fromstring(rest.content).findall("k:Document/k:Placemark", NS)) == 1
    assert "X-Next-Cursor" not in rest.headers

    stranger = world.token(world.person(world.agency("federal", name="FBI Minneapolis")))
    theirs = http.get("/api/v1/operations", headers=bearer(stranger) | KML)
    assert theirs.status_code == 200
    assert ET.fromstring(theirs.content).findall("k:Document/k:Placemark", NS) == []
    bad = http.get("/api/v1/operations", params={"bbox": "1,2,3"}, headers=bearer(token) | KML)
    assert bad.status_code == 422 and "bbox" in bad.text  # errors stay JSON

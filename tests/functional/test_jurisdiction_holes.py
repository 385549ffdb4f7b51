"""A county whose jurisdiction excludes a city (a hole) hears nothing of operations inside the city."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import World, bearer, operation_data

COUNTY_OUTER = [[-93.60, 44.70], [-92.90, 44.70], [-92.90, 45.20], [-93.60, 45.20], [-93.60, 44.70]]
CITY_HOLE = [[-93.35, 44.92], [-93.35, 45.05], [-93.18, 45.05], [-93.18, 44.92], [-93.35, 44.92]]
IN_THE_HOLE = (44.9778, -93.2650)
JUST_OUTSIDE_THE_HOLE = (44.9778, -93.17)  # ~800 m east of the city's edge, still in the county


def _county_and_agent(http: httpx.Client, world: World) -> tuple[str, str, str]:
    county = world.agency("local", name="County Sheriff")
    county_admin = world.token(world.person(county, "agency_admin", "supervisor"))
    polygon = {"type": "Polygon", "coordinates": [COUNTY_OUTER, CITY_HOLE]}
    put = http.put(f"/api/v1/agencies/{county.id}/jurisdiction", json=polygon, headers=bearer(county_admin))
    assert put.status_code == 200, put.text
    agent = world.token(world.person(world.agency("federal", name="Field Office")))
    return county.id, county_admin, agent


def test_an_operation_in_the_hole_sends_no_notice_and_one_just_outside_does(http: httpx.Client, world: World) -> None:
    _, county, agent = _county_and_agent(http, world)
    inside = http.post("/api/v1/operations", json=operation_data(*IN_THE_HOLE), headers=bearer(agent))
    assert inside.status_code == 201, inside.text
    outside = http.post("/api/v1/operations", json=operation_data(*JUST_OUTSIDE_THE_HOLE), headers=bearer(agent))
    assert outside.status_code == 201, outside.text
    notices = http.get("/api/v1/notices", headers=bearer(county))
    assert notices.status_code == 200, notices.text
    told = [n["operation"]["id"] for n in notices.json()["items"]]
    assert told == [outside.json()["id"]]


def test_the_hole_is_kept_when_the_jurisdiction_is_read_back(http: httpx.Client, world: World) -> None:
    county_id, county, _ = _county_and_agent(http, world)
    me = http.get(f"/api/v1/agencies/{county_id}", headers=bearer(county))
    assert me.status_code == 200, me.text
    shape = me.json()["jurisdiction"]
    assert shape["type"] == "MultiPolygon"
    assert shape["coordinates"] == [[COUNTY_OUTER, CITY_HOLE]]


def _feature(coordinates: object, kind: str = "Polygon") -> dict[str, object]:
    return {"type": "Feature", "properties": {}, "geometry": {"type": kind, "coordinates": coordinates}}


def test_a_feature_collection_keeps_its_holes_and_a_bad_feature_is_named_by_index(
    http: httpx.Client, world: World
) -> None:
    county = world.agency("local", name="County Sheriff")
    admin = bearer(world.token(world.person(county, "agency_admin")))
    path = f"/api/v1/agencies/{county.id}/jurisdiction"
    east = [[-92.80, 44.70], [-92.50, 44.70], [-92.50, 45.00], [-92.80, 45.00], [-92.80, 44.70]]
    good = {"type": "FeatureCollection", "features": [_feature([COUNTY_OUTER, CITY_HOLE]), _feature([east])]}
    put = http.put(path, json=good, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["jurisdiction"]["coordinates"] == [[COUNTY_OUTER, CITY_HOLE], [east]]
    open_ring = [p for p in east[:-1]] + [[-92.81, 44.70]]
    bowtie = [[-93.30, 44.95], [-93.20, 45.00], [-93.20, 44.95], [-93.30, 45.00], [-93.30, 44.95]]
    outside_hole = [[-91.0, 44.0], [-90.9, 44.0], [-90.9, 44.1], [-91.0, 44.1], [-91.0, 44.0]]
    cases = {
        "jurisdiction.features.1.geometry.coordinates.0": [_feature([east]), _feature([open_ring])],
        "jurisdiction.features.2.geometry.coordinates": [_feature([east]), _feature([east]), _feature([bowtie])],
        "jurisdiction.features.0.geometry.coordinates": [_feature([COUNTY_OUTER, outside_hole])],
        "jurisdiction.features.1.geometry.type": [_feature([east]), _feature([-93.0, 45.0], "Point")],
        "jurisdiction.features.0.geometry.coordinates.1": [_feature([COUNTY_OUTER, CITY_HOLE[:3]])],
    }
    for field, features in cases.items():
        refused = http.put(path, json={"type": "FeatureCollection", "features": features}, headers=admin)
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["error"]["details"][0]["field"] == field, refused.text
    kept = http.get(path.removesuffix("/jurisdiction"), headers=admin).json()["jurisdiction"]
    assert kept["coordinates"] == [[COUNTY_OUTER, CITY_HOLE], [east]]  # nothing changed by a refusal


def test_lists_answer_geojson_with_the_json_items_as_properties(http: httpx.Client, world: World) -> None:
    _, county, agent = _county_and_agent(http, world)
    made = http.post("/api/v1/operations", json=operation_data(*JUST_OUTSIDE_THE_HOLE), headers=bearer(agent))
    assert made.status_code == 201, made.text
    geo = {"Accept": "application/geo+json"}
    for token, path in ((agent, "/api/v1/operations"), (county, "/api/v1/notices")):
        as_json = http.get(path, headers=bearer(token)).json()
        as_geojson = http.get(path, headers=bearer(token) | geo)
        assert as_geojson.status_code == 200, as_geojson.text
        assert as_geojson.headers["content-type"].startswith("application/geo+json")
        collection = as_geojson.json()
        assert collection["type"] == "FeatureCollection"
        assert [f["properties"] for f in collection["features"]] == as_json["items"]  # the same disclosure
        [feature] = collection["features"]
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        assert feature["geometry"]["coordinates"] == [JUST_OUTSIDE_THE_HOLE[1], JUST_OUTSIDE_THE_HOLE[0]]
    [notice] = http.get("/api/v1/notices", headers=bearer(county) | geo).json()["features"]
    assert notice["properties"]["operation"]["level_disclosed"] == "safety"
    assert "notes" not in notice["properties"]["operation"]


def test_a_lookup_answers_geojson_with_the_same_items(http: httpx.Client, world: World) -> None:
    county_id, _, agent = _county_and_agent(http, world)
    now = datetime.now(UTC).replace(microsecond=0)
    body = operation_data(*JUST_OUTSIDE_THE_HOLE, starts=now - timedelta(minutes=5))
    assert http.post("/api/v1/operations", json=body, headers=bearer(agent)).status_code == 201
    with world.services.store.read() as tx:
        county = tx.agencies.get(county_id)
    assert county is not None
    desk = world.token(world.person(county, "dispatcher"))
    at = (now + timedelta(minutes=1)).isoformat()
    params: dict[str, str | float] = {"lat": JUST_OUTSIDE_THE_HOLE[0], "lon": JUST_OUTSIDE_THE_HOLE[1], "at": at}
    as_json = http.get("/api/v1/lookup", params=params, headers=bearer(desk)).json()
    r = http.get("/api/v1/lookup", params=params, headers=bearer(desk) | {"Accept": "application/geo+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json"), r.text
    collection = r.json()
    assert [f["properties"] for f in collection["features"]] == as_json["operations"] and as_json["operations"]
    assert collection["at"] == as_json["at"] and collection["federation"] == as_json["federation"]
    assert collection["features"][0]["properties"]["level_disclosed"] == "safety"


def _circle(n: int, lat: float = 45.0, lon: float = -93.3) -> list[list[float]]:
    ring = [[lon + 0.3 * math.cos(2 * math.pi * i / n), lat + 0.2 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return [*ring, ring[0]]


def test_a_county_outline_of_50000_positions_is_kept_and_one_more_is_named(http: httpx.Client, world: World) -> None:
    county = world.agency("local", name="Surveyed County")
    admin = bearer(world.token(world.person(county, "agency_admin")))
    path = f"/api/v1/agencies/{county.id}/jurisdiction"
    r = http.put(path, json={"type": "Polygon", "coordinates": [_circle(49_999)]}, headers=admin)
    assert r.status_code == 200, r.text[:300]  # 50,000 positions with the closing one
    r = http.put(path, json={"type": "Polygon", "coordinates": [_circle(50_001)]}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"].startswith("jurisdiction"), r.text[:300]
    kept = http.get(f"/api/v1/agencies/{county.id}", headers=admin).json()["jurisdiction"]
    outer = kept["coordinates"][0][0] if kept["type"] == "MultiPolygon" else kept["coordinates"][0]
    assert len(outer) == 50_000  # the refusal changed nothing
    # Notices still work against it: an operation inside is noticed, one outside is not.
    agent = world.token(world.person(world.agency("federal", name="Field Office")))
    inside = http.post("/api/v1/operations", json=operation_data(45.0, -93.3), headers=bearer(agent))
    outside = http.post("/api/v1/operations", json=operation_data(45.5, -93.3), headers=bearer(agent))
    assert inside.status_code == outside.status_code == 201
    told = {n["operation"]["id"] for n in http.get("/api/v1/notices", headers=admin).json()["items"]}
    assert told == {inside.json()["id"]}

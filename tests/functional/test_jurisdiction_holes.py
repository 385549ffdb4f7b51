"""Jurisdictions keep their holes: a county that excludes a city hears nothing of operations inside the city."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World, bearer, operation_data

WEST, EAST, SOUTH, NORTH = -93.6, -93.0, 44.7, 45.2  # the county
CITY_WEST, CITY_EAST, CITY_SOUTH, CITY_NORTH = -93.35, -93.2, 44.9, 45.05  # the city, a hole in it


def _box(w: float, s: float, e: float, n: float) -> list[list[float]]:
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


COUNTY_WITH_CITY_HOLE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [_box(WEST, SOUTH, EAST, NORTH), _box(CITY_WEST, CITY_SOUTH, CITY_EAST, CITY_NORTH)[::-1]],
}


def _noticed(http: httpx.Client, token: str) -> set[str]:
    r = http.get("/api/v1/notices", headers=bearer(token))
    assert r.status_code == 200, r.text
    return {n["operation"]["id"] for n in r.json()["items"]}


def _submit(http: httpx.Client, token: str, lat: float, lon: float, radius_m: float = 100) -> str:
    r = http.post("/api/v1/operations", json=operation_data(lat, lon, radius_m=radius_m), headers=bearer(token))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_county_with_a_city_shaped_hole_hears_of_operations_outside_the_city_only(
    http: httpx.Client, world: World
) -> None:
    county = world.agency("local", name="Hennepin County")
    county_admin = world.token(world.person(county, "agency_admin"))
    county_watch = world.token(world.person(county, "supervisor"))
    r = http.put(f"/api/v1/agencies/{county.id}/jurisdiction", json=COUNTY_WITH_CITY_HOLE, headers=bearer(county_admin))
    assert r.status_code == 200, r.text
    assert len(r.json()["jurisdiction"]["coordinates"][0]) == 2  # the outer ring and the hole, both kept
    state = world.token(world.person(world.agency("state"), "supervisor"))
    in_the_city = _submit(http, state, 44.975, -93.275)
    just_outside_the_city = _submit(http, state, 44.975, -93.19)  # ~800 m east of the city line
    over_the_city_line = _submit(http, state, 44.975, -93.2005, radius_m=100)  # 40 m inside, reaching 60 m out
    assert _noticed(http, county_watch) == {just_outside_the_city, over_the_city_line}
    assert in_the_city not in _noticed(http, county_watch)


def _feature(geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": "part"}, "geometry": geometry}


def test_a_feature_collection_keeps_its_holes_and_invalid_geojson_names_the_feature(
    http: httpx.Client, world: World
) -> None:
    county = world.agency()
    admin = world.token(world.person(county, "agency_admin"))
    url = f"/api/v1/agencies/{county.id}/jurisdiction"
    east = {"type": "Polygon", "coordinates": [_box(-92.9, 44.7, -92.5, 45.2)]}
    collection = {"type": "FeatureCollection", "features": [_feature(COUNTY_WITH_CITY_HOLE), _feature(east)]}
    r = http.put(url, json=collection, headers=bearer(admin))
    assert r.status_code == 200, r.text
    assert [len(p) for p in r.json()["jurisdiction"]["coordinates"]] == [2, 1]
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[-92.9, 44.7], [-92.5, 45.2], [-92.5, 44.7], [-92.9, 45.2], [-92.9, 44.7]]],
    }
    open_ring = {"type": "Polygon", "coordinates": [[[-92.9, 44.7], [-92.5, 44.7], [-92.5, 45.2], [-92.9, 45.2]]]}
    hole_outside = {"type": "Polygon", "coordinates": [_box(-92.9, 44.7, -92.5, 45.2), _box(-91.0, 44.0, -90.9, 44.1)]}
    for bad, field in (
        (bowtie, "jurisdiction.features.1.geometry.coordinates.0"),  # the ring that crosses itself
        (open_ring, "jurisdiction.features.1.geometry.coordinates.0"),
        (hole_outside, "jurisdiction.features.1.geometry.coordinates"),
        ({"type": "Point", "coordinates": [-92.9, 44.7]}, "jurisdiction.features.1.geometry.type"),
    ):
        refused = http.put(url, json={**collection, "features": [_feature(east), _feature(bad)]}, headers=bearer(admin))
        assert refused.status_code == 422, refused.text
        assert [d["field"] for d in refused.json()["error"]["details"]] == [field], refused.text
    after = http.get(f"/api/v1/agencies/{county.id}", headers=bearer(admin))
    assert [len(p) for p in after.json()["jurisdiction"]["coordinates"]] == [2, 1]  # nothing changed

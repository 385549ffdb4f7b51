"""Sensitive places over HTTP (issue 14, item 5): an agency loads them; an operation near one is told so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import World, bearer, operation_data
from tests.functional.test_policy_sharing import call
from tests.functional.test_watch_entry import audited, first_field

SCHOOL = (-93.2650, 44.9790)  # about 133 m north of operation_data's default point
NOW = datetime.now(UTC).replace(microsecond=0)


def _feature(lonlat: tuple[float, float], category: str, name: str | None = None, **props: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"category": category, **props}
    if name:
        properties["name"] = name
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(lonlat)}, "properties": properties}


def _collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def test_an_operation_near_a_sensitive_place_is_told_so(world: World, http: httpx.Client) -> None:
    county = world.agency("local", name="Hennepin County")
    admin = world.token(world.person(county, "agency_admin"))
    hospital = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [-93.2700, 44.9770],
                    [-93.2690, 44.9770],
                    [-93.2690, 44.9780],
                    [-93.2700, 44.9780],
                    [-93.2700, 44.9770],
                ]
            ],
        },
        "properties": {"category": "hospital", "name": "HCMC"},
    }
    later = {
        "starts_at": (NOW + timedelta(days=30)).isoformat(),
        "ends_at": (NOW + timedelta(days=30, hours=4)).isoformat(),
    }
    places = _collection(
        _feature(SCHOOL, "school", "Central Elementary"),
        hospital,
        _feature((-93.2650, 44.9800), "public_event", "Parade", window=later),  # not on during the operation
        _feature((-93.30, 45.05), "courthouse", "Far Courthouse"),
    )
    assert call(http, admin, "PUT", f"/agencies/{county.id}/sensitive-places", places) == {
        "agency_id": county.id,
        "places": 4,
    }
    (entry,) = audited(world, "admin:sensitive-places:update")
    assert entry.object_id == county.id and entry.details == {"places": 4}

    # Another agency's operation near the county's school and hospital is told of both, nearest first.
    city = world.agency("local", name="Minneapolis PD")
    officer = world.token(world.person(city, "officer"))
    made = call(http, officer, "POST", "/operations", operation_data(radius_m=50), 201)
    assert [(p["name"], p["category"]) for p in made["sensitive_places"]] == [
        ("Central Elementary", "school"),
        ("HCMC", "hospital"),
    ]
    assert 70 <= made["sensitive_places"][0]["distance_m"] <= 90  # 133 m less the 50 m radius
    assert call(http, officer, "GET", f"/operations/{made['id']}")["sensitive_places"] == made["sensitive_places"]
    far = call(http, officer, "POST", "/operations", operation_data(45.5, -94.0), 201)
    assert "sensitive_places" not in far
    # Clearing the set clears the flag.
    call(http, admin, "PUT", f"/agencies/{county.id}/sensitive-places", _collection())
    assert "sensitive_places" not in call(http, officer, "GET", f"/operations/{made['id']}")


def test_sensitive_place_refusals(world: World, http: httpx.Client) -> None:
    county, city = world.agency("local", name="Hennepin County"), world.agency("local", name="Minneapolis PD")
    admin = world.token(world.person(county, "agency_admin"))
    path = f"/api/v1/agencies/{county.id}/sensitive-places"
    good = _collection(_feature(SCHOOL, "school"))
    for bad, field in (
        ({"type": "Feature"}, "type"),
        (_collection(_feature(SCHOOL, "bakery")), "features.0.properties.category"),
        (
            _collection(
                good["features"][0],
                {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, "properties": {}},
            ),
            "features.1.geometry",
        ),
        (_collection(_feature((-200.0, 44.0), "school")), "features.0.geometry.coordinates.lon"),
        (
            _collection(_feature(SCHOOL, "public_event", window={"starts_at": "2026-12-01T10:00:00"})),
            "features.0.properties.window.starts_at",
        ),
    ):
        r = http.put(path, json=bad, headers=bearer(admin))
        assert r.status_code == 422 and first_field(r) == field, (field, r.text)
    for token in (
        world.token(world.person(county, "officer")),
        world.token(world.person(county, "supervisor")),
        world.token(world.person(city, "agency_admin")),  # another agency's administrator
        world.token(world.person(world.agency("state"), "watch")),
    ):
        assert http.put(path, json=good, headers=bearer(token)).status_code == 403
    assert http.put(path, json=good).status_code == 401
    assert audited(world, "admin:sensitive-places:update") == []


def test_the_host_agencys_notice_names_the_sensitive_places_first(world: World, http: httpx.Client) -> None:
    """A host agency whose jurisdiction holds the operation is told of the places near it, first."""
    county = world.agency("local", name="Hennepin County", policy={"receive_notices": True})
    admin = world.token(world.person(county, "agency_admin"))
    square = {
        "type": "Polygon",
        "coordinates": [[[-93.40, 44.90], [-93.10, 44.90], [-93.10, 45.05], [-93.40, 45.05], [-93.40, 44.90]]],
    }
    call(http, admin, "PUT", f"/agencies/{county.id}/jurisdiction", square)
    call(
        http,
        admin,
        "PUT",
        f"/agencies/{county.id}/sensitive-places",
        _collection(_feature(SCHOOL, "school", "Central")),
    )
    feds = world.agency("federal", name="FBI Minneapolis")
    near = call(http, world.token(world.person(feds)), "POST", "/operations", operation_data(notice="at_submit"), 201)
    far = call(http, world.token(world.person(feds)), "POST", "/operations", operation_data(44.95, -93.35), 201)
    host = world.token(world.person(county, "supervisor"))
    notices = {n["operation"]["id"]: n for n in call(http, host, "GET", "/notices")["items"]}
    told = notices[near["id"]]
    assert next(iter(told)) == "sensitive_places"  # the first thing the host reads
    assert [(p["name"], p["category"]) for p in told["sensitive_places"]] == [("Central", "school")]
    assert "sensitive_places" not in notices[far["id"]]

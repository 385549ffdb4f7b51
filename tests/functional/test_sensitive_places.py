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


def test_the_watch_loads_an_installation_wide_set_matched_like_an_agencys(world: World, http: httpx.Client) -> None:
    watch_center = world.agency("state", name="Watch Center")
    analyst = world.token(world.person(watch_center, "watch"))
    places = _collection(
        _feature(SCHOOL, "polling_place", "Ward 3 poll"),
        _feature((-93.30, 45.05), "shelter"),  # unnamed, far
    )
    assert call(http, analyst, "GET", "/sensitive-places") == {"type": "FeatureCollection", "features": []}
    assert call(http, analyst, "PUT", "/sensitive-places", places) == {"places": 2}
    (entry,) = audited(world, "watch:sensitive-places:update")
    assert entry.object_type == "installation" and entry.object_id == "installation"
    assert entry.details == {"places": 2}
    assert audited(world, "admin:sensitive-places:update") == []

    loaded = call(http, analyst, "GET", "/sensitive-places")
    assert sorted((f["properties"].get("name", ""), f["geometry"]["coordinates"]) for f in loaded["features"]) == [
        ("", [-93.30, 45.05]),
        ("Ward 3 poll", list(SCHOOL)),
    ]
    assert all(f["type"] == "Feature" and f["id"] for f in loaded["features"])
    # Read back, the collection loads again as it is: what the watch checks is what it loaded.
    assert call(http, analyst, "PUT", "/sensitive-places", loaded) == {"places": 2}

    city = world.agency("local", name="Minneapolis PD")
    made = call(http, world.token(world.person(city, "officer")), "POST", "/operations", operation_data(), 201)
    assert [(p["name"], p["category"]) for p in made["sensitive_places"]] == [("Ward 3 poll", "polling_place")]
    # An agency's own set and the installation's are apart: replacing one leaves the other.
    admin = world.token(world.person(city, "agency_admin"))
    before = call(http, analyst, "GET", "/sensitive-places")
    call(http, admin, "PUT", f"/agencies/{city.id}/sensitive-places", _collection(_feature(SCHOOL, "school", "Own")))
    assert call(http, analyst, "GET", "/sensitive-places") == before and len(before["features"]) == 2
    own = call(http, admin, "GET", f"/agencies/{city.id}/sensitive-places")
    assert [f["properties"] for f in own["features"]] == [{"category": "school", "name": "Own"}]
    again = call(http, world.token(world.person(city, "officer")), "GET", f"/operations/{made['id']}")
    assert {p["name"] for p in again["sensitive_places"]} == {"Ward 3 poll", "Own"}
    call(http, analyst, "PUT", "/sensitive-places", _collection())
    again = call(http, world.token(world.person(city, "officer")), "GET", f"/operations/{made['id']}")
    assert [p["name"] for p in again["sensitive_places"]] == ["Own"]
    assert len(call(http, admin, "GET", f"/agencies/{city.id}/sensitive-places")["features"]) == 1


def test_installation_wide_set_refusals(world: World, http: httpx.Client) -> None:
    watch_center, city = world.agency("state"), world.agency("local")
    analyst = world.token(world.person(watch_center, "watch"))
    path = "/api/v1/sensitive-places"
    r = http.put(path, json=_collection(_feature(SCHOOL, "bakery")), headers=bearer(analyst))
    assert r.status_code == 422 and first_field(r) == "features.0.properties.category"
    good = _collection(_feature(SCHOOL, "school"))
    for role in ("officer", "supervisor", "agency_admin", "dispatcher", "auditor", "admin"):
        token = world.token(world.person(city if role != "admin" else watch_center, role))
        assert http.put(path, json=good, headers=bearer(token)).status_code == 403, role
        assert http.get(path, headers=bearer(token)).status_code == 403, role
    assert http.put(path, json=good).status_code == 401 and http.get(path).status_code == 401
    assert audited(world, "watch:sensitive-places:update") == []
    # An agency's set is read by its own administrator only.
    other_admin = world.token(world.person(world.agency("local"), "agency_admin"))
    own = f"/api/v1/agencies/{city.id}/sensitive-places"
    assert http.get(own, headers=bearer(other_admin)).status_code == 403
    assert http.get(own, headers=bearer(analyst)).status_code == 403
    assert http.get(own, headers=bearer(world.token(world.person(city, "officer")))).status_code == 403

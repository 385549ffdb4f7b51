"""Refusals an attacker with a valid account meets over HTTP: role grants, input limits, look-up limits."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx

from commonground.service.ports import OperationFilter
from tests.conftest import World, bearer, operation_data

API = "/api/v1"


def test_an_agency_admin_cannot_grant_installation_roles_over_http(http: httpx.Client, world: World) -> None:
    """The measured attack: a federal agency admin grants itself ``watch`` or ``auditor``; 403, nothing stored."""
    agency = world.agency("federal")
    token = world.token(world.person(agency, "agency_admin"))
    for role in ("watch", "auditor", "admin"):
        body = {"agency_id": agency.id, "username": f"mole-{role}", "display_name": "Mole", "roles": [role]}
        answer = http.post(f"{API}/users", headers=bearer(token), json=body)
        assert answer.status_code == 403, answer.text
        with world.services.store.read() as tx:
            assert tx.people.by_username(f"mole-{role}") is None
    answer = http.post(
        f"{API}/users",
        headers=bearer(token),
        json={"agency_id": agency.id, "username": "new-dispatcher", "display_name": "D", "roles": ["dispatcher"]},
    )
    assert answer.status_code in (200, 201), answer.text


def _send(http: httpx.Client, method: str, path: str, token: str, body: Any, **headers: str) -> httpx.Response:
    # json.dumps escapes a lone surrogate as \ud800, as a hostile client would send it. The bodies reach
    # 2 MB; the timeout is generous because this asserts refusals, not speed (a CI run under load timed out).
    return http.request(
        method,
        API + path,
        content=json.dumps(body),
        headers={**bearer(token), "Content-Type": "application/json", **headers},
        timeout=60,
    )


def _refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, answer.text[:300]
    named = [d["field"] for d in answer.json()["error"]["details"]]
    assert any(n == field or n.startswith(field + ".") for n in named), answer.text[:300]


def _ring(n: int, lon: float = -93.265, lat: float = 44.9778, r: float = 0.01) -> list[list[float]]:
    """A closed convex ring of ``n`` distinct vertices around (lon, lat)."""
    points = [[lon + r * math.cos(2 * math.pi * i / n), lat + r * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return [*points, points[0]]


BAD_TIMES = ["9999-12-31T20:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:00:00-06:00", "1899-12-31T23:00:00Z"]
SURROGATE = "\ud800"
TEXT_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"title": f"Warrant {SURROGATE}"}, "title"),
    ({"notes": f"entry {SURROGATE}"}, "notes"),
    ({"case_number": f"C-{SURROGATE}"}, "case_number"),
    ({"location": {"lat": 44.9778, "lon": -93.265, "address": f"1 {SURROGATE} St"}}, "location.address"),
    ({"contact": {"name": f"Sgt {SURROGATE}", "phone": "+1 612 555 0100"}}, "contact.name"),
    ({"contact": {"name": "Sgt", "phone": "+1 612 555 0100", "radio": SURROGATE}}, "contact.radio"),
    ({"team": {"vehicles": f"van {SURROGATE}"}}, "team.vehicles"),
    ({"subjects": [{"kind": "person", "last_name": f"Smith{SURROGATE}"}]}, "subjects.0.last_name"),
    ({"subjects": [{"kind": "address", "line1": f"1 Main {SURROGATE}", "city": "X"}]}, "subjects.0.line1"),
    ({"subjects": [{"kind": "other", "id_kind": SURROGATE, "value": "AB12"}]}, "subjects.0.id_kind"),
]


def _officer(world: World) -> tuple[str, Any]:
    agency = world.agency()
    return world.token(world.person(agency, "supervisor")), agency


def _stored(world: World, agency: Any) -> list[Any]:
    with world.services.store.read() as tx:
        return list(tx.operations.page(OperationFilter(agency.id), 100, None).items)


def test_years_outside_1900_to_2200_are_refused_on_post_and_patch(http: httpx.Client, world: World) -> None:
    """Year 9999 and 0001 were a 500 on POST (the candidate query overflowed) and 9999 was accepted by PATCH."""
    token, agency = _officer(world)
    for bad in BAD_TIMES:
        _refused(_send(http, "POST", "/operations", token, operation_data(starts_at=bad)), "starts_at")
        _refused(_send(http, "POST", "/operations", token, operation_data(ends_at=bad)), "ends_at")
    assert _stored(world, agency) == []
    made = _send(http, "POST", "/operations", token, operation_data())
    assert made.status_code == 201, made.text
    op_id = made.json()["operation"]["id"] if "operation" in made.json() else made.json()["id"]
    for bad in BAD_TIMES:
        answer = _send(http, "PATCH", f"/operations/{op_id}", token, {"ends_at": bad}, **{"If-Match": "1"})
        _refused(answer, "ends_at")
    [op] = _stored(world, agency)
    assert op.version == 1


def test_lone_surrogates_are_refused_in_every_text_field(http: httpx.Client, world: World) -> None:
    """A lone surrogate cannot be stored or rendered; each is a 422 naming its field, on POST and on PATCH."""
    token, agency = _officer(world)
    for change, field in TEXT_FIELDS:
        _refused(_send(http, "POST", "/operations", token, operation_data(**change)), field)
    assert _stored(world, agency) == []
    made = _send(http, "POST", "/operations", token, operation_data())
    op_id = made.json()["id"] if "id" in made.json() else made.json()["operation"]["id"]
    for change, field in TEXT_FIELDS:
        _refused(_send(http, "PATCH", f"/operations/{op_id}", token, change, **{"If-Match": "1"}), field)
    [op] = _stored(world, agency)
    assert op.version == 1
    body = {"agency_id": agency.id, "username": "someone", "display_name": f"X{SURROGATE}", "roles": ["officer"]}
    _refused(_send(http, "POST", "/users", world.token(world.admin), body), "display_name")


def test_areas_are_limited_in_vertices_and_size(http: httpx.Client, world: World) -> None:
    """An operation area of more than 10,000 vertices, or a jurisdiction of more than 50,000 (issue 15: a
    county's surveyed outline), is refused before any work on it; so is a too large area."""
    token, agency = _officer(world)
    huge = {"type": "Polygon", "coordinates": [_ring(10_001)]}
    body = operation_data(geometry=huge)
    body.pop("location")
    _refused(_send(http, "POST", "/operations", token, body), "geometry.coordinates.0")
    wide = {"type": "Polygon", "coordinates": [_ring(8, r=3.0)]}
    body = operation_data(geometry=wide)
    body.pop("location")
    _refused(_send(http, "POST", "/operations", token, body), "geometry")
    assert _stored(world, agency) == []
    made = _send(http, "POST", "/operations", token, operation_data())
    op_id = made.json()["id"] if "id" in made.json() else made.json()["operation"]["id"]
    answer = _send(http, "PATCH", f"/operations/{op_id}", token, {"geometry": huge}, **{"If-Match": "1"})
    _refused(answer, "geometry.coordinates.0")
    admin = world.token(world.person(agency, "agency_admin"))
    too_detailed = {"type": "Polygon", "coordinates": [_ring(50_001)]}
    _refused(
        _send(http, "PUT", f"/agencies/{agency.id}/jurisdiction", admin, too_detailed), "jurisdiction.coordinates.0"
    )
    multi = {"type": "MultiPolygon", "coordinates": [[_ring(26_000)], [_ring(26_000, lon=-93.0)]]}
    _refused(_send(http, "PUT", f"/agencies/{agency.id}/jurisdiction", admin, multi), "jurisdiction")
    _refused(
        _send(http, "PUT", f"/agencies/{agency.id}/jurisdiction", admin, wide | {"coordinates": [_ring(8, r=40.0)]}),
        "jurisdiction",
    )
    assert world.services.accounts.get_agency(agency.id).jurisdiction is None


def test_lookup_times_are_bounded(http: httpx.Client, world: World) -> None:
    """A look-up ``at`` year 9999 or 0001 was a 500; it is a 422 naming ``at``."""
    token = world.token(world.person(world.agency(), "dispatcher"))
    for bad in BAD_TIMES:
        answer = http.get(f"{API}/lookup", params={"lat": 44.97, "lon": -93.26, "at": bad}, headers=bearer(token))
        _refused(answer, "at")

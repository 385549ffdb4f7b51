"""Scoped bearer tokens over real HTTP, on both stores: a token reaches only its scopes, never past its roles."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from commonground.audit.tags import Action
from commonground.domain.permissions import Permission
from commonground.domain.scopes import NEEDS, Scope, needed
from commonground.http.app import create_app
from tests.conftest import World, bearer, operation_data
from tests.functional.test_route_permissions import api_routes, declared
from tests.unit.service.helpers import audit_of

API = "/api/v1"
POINT = {"lat": 44.9778, "lon": -93.2650}


def unmapped(needs: Mapping[Permission, Scope | None]) -> list[str]:
    """The routes whose declared permission has no row in ``needs``."""
    routes = api_routes(create_app().routes)
    return [path for path, route in routes for dep in declared(route) if dep.permission not in needs]


def test_every_route_is_mapped_to_a_scope() -> None:
    """Each route's permission has a row saying which scope it needs (or that any token will do)."""
    assert set(NEEDS) == set(Permission)
    assert unmapped(NEEDS) == []
    scoped = {needed(dep.permission) for path, route in api_routes(create_app().routes) for dep in declared(route)}
    assert scoped - {None} == set(Scope)  # every scope reaches at least one route


def test_the_walk_would_see_a_route_with_no_scope() -> None:
    without_lookup: dict[Permission, Scope | None] = {p: s for p, s in NEEDS.items() if p is not Permission.LOOKUP}
    assert unmapped(without_lookup) == [f"{API}/lookup", f"{API}/cad/alerts", "/lookup"]


def test_a_lookup_token_looks_up_and_is_refused_on_operations(world: World, http: httpx.Client) -> None:
    agency = world.agency()
    both = world.person(agency, "dispatcher", "officer")  # roles that allow look-ups and operations
    cad = bearer(world.token(both, "lookup"))
    assert http.get(f"{API}/lookup", params=POINT, headers=cad).status_code == 200
    r = http.post(f"{API}/operations", json=operation_data(), headers=cad)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "insufficient_scope"
    assert r.json()["error"]["details"] == {"scope": "operations"}
    assert http.get(f"{API}/operations", headers=cad).json()["error"]["details"] == {"scope": "operations"}
    assert http.get(f"{API}/agencies", headers=cad).status_code == 200  # the directory: any token

    unscoped = bearer(world.token(both))  # v1 meaning: everything the roles allow
    assert http.post(f"{API}/operations", json=operation_data(), headers=unscoped).status_code == 201
    assert http.get(f"{API}/lookup", params=POINT, headers=unscoped).status_code == 200


def test_scopes_never_add_to_what_roles_allow(world: World, http: httpx.Client) -> None:
    agency = world.agency()
    dispatcher = world.person(agency, "dispatcher")
    wide = bearer(world.token(dispatcher, "lookup", "notices"))
    r = http.post(f"{API}/operations", json=operation_data(), headers=wide)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"  # the roles refuse first
    admin = bearer(world.token(world.admin))
    asked = {"user_id": dispatcher.user.id, "name": "CAD", "scopes": ["lookup", "operations"]}
    r = http.post(f"{API}/tokens", json=asked, headers=admin)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "scopes"
    assert "operations" in r.json()["error"]["details"][0]["message"]


def test_an_admin_makes_a_scoped_token_and_it_is_listed_and_audited(world: World, http: httpx.Client) -> None:
    agency = world.agency()
    dispatcher = world.person(agency, "dispatcher")
    admin = bearer(world.token(world.admin))
    body = {"user_id": dispatcher.user.id, "name": "CAD link", "scopes": ["notices", "lookup", "lookup"]}
    r = http.post(f"{API}/tokens", json=body, headers=admin)
    assert r.status_code == 201 and r.json()["scopes"] == ["lookup", "notices"]
    cad = bearer(r.json()["token"])
    assert http.get(f"{API}/notices", headers=cad).status_code == 200
    assert http.get(f"{API}/lookup", params=POINT, headers=cad).status_code == 200
    listed = {t["name"]: t["scopes"] for t in http.get(f"{API}/tokens", headers=admin).json()["items"]}
    assert listed["CAD link"] == ["lookup", "notices"] and listed["test"] is None
    created = [e for e in audit_of(world.services, Action.AUTH_TOKEN_CREATE) if e.actor_user_id == world.admin.user.id]
    assert (created[-1].details or {})["scopes"] == ["lookup", "notices"]

    plain = http.post(f"{API}/tokens", json={"user_id": dispatcher.user.id, "name": "script"}, headers=admin)
    assert plain.status_code == 201 and plain.json()["scopes"] is None


def test_a_bad_scope_list_is_refused_naming_the_field_and_makes_nothing(world: World, http: httpx.Client) -> None:
    dispatcher = world.person(world.agency(), "dispatcher")
    admin = bearer(world.token(world.admin))
    count = len(http.get(f"{API}/tokens", headers=admin).json()["items"])
    for scopes, field in ((["lookups"], "scopes.0"), ([], "scopes"), ("lookup", "scopes")):
        body = {"user_id": dispatcher.user.id, "name": "CAD", "scopes": scopes}
        r = http.post(f"{API}/tokens", json=body, headers=admin)
        assert r.status_code == 422, scopes
        assert r.json()["error"]["details"][0]["field"] == field
    assert len(http.get(f"{API}/tokens", headers=admin).json()["items"]) == count


def test_the_openapi_document_lists_the_scopes_as_an_enum(http: httpx.Client) -> None:
    doc = http.get(f"{API}/openapi.json").json()
    assert doc["components"]["schemas"]["Scope"]["enum"] == [s.value for s in Scope]
    create = doc["components"]["schemas"]["TokenCreate"]["properties"]["scopes"]
    assert {"$ref": "#/components/schemas/Scope"} in [o.get("items") for o in create["anyOf"]]


def test_an_admin_token_limited_to_operations_cannot_administer(world: World, http: httpx.Client) -> None:
    agency = world.agency()
    boss = world.person(agency, "agency_admin")
    ops_only = bearer(world.token(boss, "operations"))
    assert http.get(f"{API}/operations", headers=ops_only).status_code == 200
    r = http.get(f"{API}/users", headers=ops_only)
    assert r.status_code == 403 and r.json()["error"] == {
        "code": "insufficient_scope",
        "message": "this token's scopes do not include admin",
        "details": {"scope": "admin"},
    }
    assert http.get(f"{API}/users", headers=bearer(world.token(boss))).status_code == 200

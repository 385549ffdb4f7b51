"""A client written from API.md alone, against a real server on loopback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pyotp
import pytest

from tests.conftest import World, bearer, operation_data

API = "/api/v1"


class Client:
    """Only what API.md documents: paths, fields and status codes."""

    def __init__(self, http: httpx.Client, token: str) -> None:
        self.http, self.headers = http, bearer(token)

    def post(self, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        r = self.http.post(API + path, json=body, headers={**self.headers, **kw.pop("headers", {})}, **kw)
        assert r.status_code == status, r.text
        return r.json()

    def get(self, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.http.get(API + path, headers=self.headers, **kw)
        assert r.status_code == status, r.text
        return r.json()


@pytest.fixture
def admin(http: httpx.Client, world: World) -> Client:
    return Client(http, world.token(world.admin))


def make_agency(admin: Client, ori: str, name: str, level: str) -> Any:
    return admin.post(
        "/agencies",
        {"ori": ori, "name": name, "level": level, "duty_phone": "+1 612 555 0000", "timezone": "America/Chicago"},
        status=201,
    )


def make_member(admin: Client, http: httpx.Client, agency: dict[str, Any], username: str, roles: list[str]) -> Client:
    user = admin.post(
        "/users",
        {
            "agency_id": agency["id"],
            "username": username,
            "display_name": username.title(),
            "roles": roles,
            "password": "correct horse battery",
        },
        status=201,
    )
    token = admin.post("/tokens", {"user_id": user["id"], "name": "contract test"}, status=201)["token"]
    return Client(http, token)


def test_the_documented_flow_from_agencies_to_conflicts(admin: Client, http: httpx.Client, world: World) -> None:
    city = make_agency(admin, "MN0271100", "Minneapolis Police Department", "local")
    feds = make_agency(admin, "MNICE0100", "ICE ERO St. Paul", "federal")
    sgt = make_member(admin, http, city, "sgt.moore", ["supervisor"])
    agent = make_member(admin, http, feds, "sdo.whitfield", ["supervisor"])

    mine = sgt.post("/operations", operation_data(), status=201)
    assert mine["status"] == "planned" and mine["version"] == 1 and mine["conflicts"] == []
    theirs = agent.post(
        "/operations",
        operation_data(44.9790, -93.2620, purpose="civil_immigration", type="immigration_enforcement"),
        status=201,
    )
    [conflict] = theirs["conflicts"]
    assert conflict["kind"] == "proximity" and conflict["your_operation_id"] == theirs["id"]
    assert conflict["counterpart"]["agency"] == {
        "name": "Minneapolis Police Department",
        "ori": "MN0271100",
        "level": "local",
    }
    assert 0 < conflict["distance_m"] < 500

    seen_by_city = sgt.get("/conflicts", params={"status": "open"})
    assert seen_by_city["next"] is None and [c["id"] for c in seen_by_city["items"]] == [conflict["id"]]
    from_city = seen_by_city["items"][0]
    assert from_city["your_operation_id"] == mine["id"]
    assert from_city["counterpart"]["level_disclosed"] == "safety"
    assert "title" not in from_city["counterpart"] and "type" not in from_city["counterpart"]

    acked = sgt.post(f"/conflicts/{conflict['id']}/ack")
    assert acked["acknowledged"]["yours"] is not None
    assert agent.post(f"/conflicts/{conflict['id']}/ack")["status"] == "acknowledged"
    assert (
        agent.post(f"/conflicts/{conflict['id']}/resolve", {"note": "spoke to Sgt. Moore; we go at 09:00"})["status"]
        == "resolved"
    )

    # Login with a password and a TOTP code, as API.md documents; without an authenticator, 403.
    login = {"username": "sgt.moore", "password": "correct horse battery"}
    refused = http.post(API + "/auth/login", json=login)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mfa_enrolment_required"
    totp = pyotp.TOTP(world.enrol(world.principal("sgt.moore")))
    r = http.post(API + "/auth/login", json={**login, "otp": totp.now()})
    assert r.status_code == 200 and r.json()["token"].startswith("cg_")
    assert http.get(API + "/conflicts", headers=bearer(r.json()["token"])).status_code == 200


def test_status_codes_where_the_contract_says(admin: Client, http: httpx.Client) -> None:
    a = make_agency(admin, "AAAAAAAA1", "Agency A", "local")
    b = make_agency(admin, "BBBBBBBB1", "Agency B", "state")
    officer_a = make_member(admin, http, a, "officer.a", ["officer"])
    officer_b = make_member(admin, http, b, "officer.b", ["officer"])
    dispatcher = make_member(admin, http, a, "dispatch.a", ["dispatcher"])
    op = officer_a.post("/operations", operation_data(10.0, 10.0), status=201)

    assert http.get(API + "/operations").status_code == 401
    assert http.get(API + "/operations", headers=bearer("cg_not-a-token")).status_code == 401
    assert http.post(API + "/auth/login", json={"username": "officer.a", "password": "wrong"}).status_code == 401
    denied = dispatcher.post("/operations", operation_data(), status=403)
    assert denied["error"]["code"] == "forbidden"
    officer_a.post(
        "/agencies",
        {"ori": "CCCCCCCC1", "name": "C", "level": "local", "duty_phone": "1", "timezone": "UTC"},
        status=403,
    )
    hidden = officer_b.get(f"/operations/{op['id']}", status=404)
    assert hidden["error"]["code"] == "not_found"
    officer_b.post(f"/operations/{op['id']}/cancel", status=404)
    officer_b.get("/conflicts/00000000-0000-7000-8000-000000000000", status=404)
    r = http.patch(API + f"/operations/{op['id']}", json={"title": "x"}, headers={**officer_a.headers, "If-Match": "7"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_version"
    r = http.patch(
        API + f"/operations/{op['id']}", json={"title": "renamed"}, headers={**officer_a.headers, "If-Match": "1"}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.get(API + "/openapi.json").json()["paths"]["/api/v1/operations"]


INVALID = [
    ({"starts_at": "2026-12-01T06:00:00"}, "starts_at"),
    ({"ends_at": "2020-01-01T00:00:00Z"}, "ends_at"),
    ({"location": {"lat": 91, "lon": 0}}, "location.lat"),
    ({"location": {"lat": 0, "lon": 181}}, "location.lon"),
    ({"location": {"lat": 0, "lon": 0, "radius_m": -5}}, "location.radius_m"),
    ({"location": None}, "location"),
    ({"type": "drive_by"}, "type"),
    ({"purpose": "revenge"}, "purpose"),
    ({"risk": "extreme"}, "risk"),
    ({"title": "   "}, "title"),
    ({"contact": {"name": "Sgt", "phone": "call me"}}, "contact.phone"),
    ({"contact": {"phone": "+1 612 555 0100"}}, "contact.name"),
    ({"team": {"personnel": 0}}, "team.personnel"),
    ({"team": {"attire": "pyjamas"}}, "team.attire"),
    ({"notice": "never"}, "notice"),
    ({"subjects": "Bob"}, "subjects"),
    ({"geometry": {"type": "LineString", "coordinates": [[0, 0]]}, "location": None}, "geometry.coordinates"),
    ({"unexpected": 1}, "unexpected"),
]


@pytest.mark.parametrize(("change", "field"), INVALID, ids=[f for _, f in INVALID])
def test_every_invalid_field_is_named_and_nothing_is_stored(
    admin: Client, http: httpx.Client, change: dict[str, Any], field: str
) -> None:
    officer = make_member(admin, http, make_agency(admin, "DDDDDDDD1", "Agency D", "local"), "officer.d", ["officer"])
    body = operation_data(**{k: v for k, v in change.items() if v is not None})
    for key, value in change.items():
        if value is None:
            body.pop(key)
    error = officer.post("/operations", body, status=422)["error"]
    assert error["code"] == "invalid_input"
    assert field in [d["field"] for d in error["details"]], error
    assert officer.get("/operations")["items"] == []


def test_an_administrator_lists_and_revokes_tokens(admin: Client, http: httpx.Client) -> None:
    agency = make_agency(admin, "EEEEEEEE1", "Agency E", "local")
    other = make_agency(admin, "FFFFFFFF1", "Agency F", "state")
    officer = make_member(admin, http, agency, "officer.e", ["officer"])
    boss = make_member(admin, http, agency, "admin.e", ["agency_admin"])
    stranger = make_member(admin, http, other, "admin.f", ["agency_admin"])
    assert officer.get("/operations")["items"] == []

    listed = boss.get("/tokens")["items"]
    mine = [t for t in listed if t["username"] == "officer.e"]
    assert len(mine) == 1 and mine[0]["revoked_at"] is None
    assert officer.headers["Authorization"].split()[1] not in json.dumps(listed)  # values never listed
    assert all(t["username"].endswith(".e") for t in listed)  # only the agency's own

    stranger.post(f"/tokens/{mine[0]['id']}/revoke", status=404)
    r = http.post(API + f"/tokens/{mine[0]['id']}/revoke", headers=boss.headers)
    assert r.status_code == 204
    assert http.get(API + "/operations", headers=officer.headers).status_code == 401
    again = http.post(API + f"/tokens/{mine[0]['id']}/revoke", headers=boss.headers)
    assert again.status_code == 409
    assert [t["revoked_at"] is not None for t in boss.get("/tokens")["items"] if t["id"] == mine[0]["id"]] == [True]

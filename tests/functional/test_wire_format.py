"""Every API route's response, byte for byte as recorded: a refactor must not change the wire.

The app runs on a fixed clock with fixed ids, so a recording is exact; only bearer tokens
(random by design) are replaced by a placeholder. Re-record deliberately, after a wanted
change, with ``COMMONGROUND_RECORD_WIRE=1``.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.http.app import create_app
from commonground.service import clock as clock_module
from commonground.service.clock import ManualClock
from commonground.service.signin_ports import Credential
from tests.functional.test_route_permissions import api_routes

RECORDED = Path(__file__).parent / "recorded" / "wire_format.json"
API = "/api/v1"
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TOKEN = re.compile(r"^cg_[A-Za-z0-9_-]{20,}$")
NOT_DRIVEN = {"GET /api/v1/stream"}  # an endless text/event-stream; tests/functional/test_notify_stream.py


class FixedIds:
    """Stand-ins for the ``time`` and ``os`` modules ``new_id`` reads: one millisecond per id."""

    def __init__(self) -> None:
        self.n = 0

    def time_ns(self) -> int:
        self.n += 1
        return int(START.timestamp() * 1000 + self.n) * 1_000_000

    def urandom(self, size: int) -> bytes:
        return self.n.to_bytes(size, "big")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    fixed = FixedIds()
    monkeypatch.setattr(clock_module, "time", fixed)
    monkeypatch.setattr(clock_module, "os", fixed)
    key_file = tmp_path / "federation.key"
    key_file.write_text(base64.b64encode(bytes(range(32))).decode() + "\n")  # a fixed key: an exact recording
    audit_key = tmp_path / "audit.key"
    audit_key.write_text(base64.b64encode(bytes(range(32, 64))).decode() + "\n")  # fixed: keyed hashes recorded
    settings = Settings(
        database_url=sqlite_url,
        federation_name="county-wire",
        public_url="https://cg.county-wire.example.gov",
        federation_key_file=str(key_file),
        audit_key_file=str(audit_key),
        notify_worker=False,  # the drive fans out itself, at a fixed point, so the deliveries shown are exact
    )
    services = build_services(settings, clock=ManualClock(START))
    try:
        with TestClient(create_app(services=services)) as http:
            yield http
    finally:
        services.close()


def scrub(value: Any) -> Any:
    """Replace what is random by design (bearer tokens) with a placeholder."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str) and TOKEN.match(value):
        return "<token>"
    return value


class Recorder:
    """Drives the API and keeps each exchange under its route, in call order."""

    def __init__(self, http: TestClient, admin_token: str) -> None:
        self.http = http
        self.admin = admin_token
        self.exchanges: list[dict[str, Any]] = []
        self.routes: set[str] = set()

    def call(
        self,
        method: str,
        route: str,
        token: str | None,
        body: Any = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        **path: str,
    ) -> Any:
        url = API + route.format(**path)
        sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        r = self.http.request(method, url, json=body, headers=sent, params=params)
        assert r.status_code == status, (method, url, r.status_code, r.text)
        data = r.json() if r.content else None
        self.routes.add(f"{method} {API}{route}")
        self.exchanges.append({"call": f"{method} {route}", "params": params, "status": r.status_code, "body": data})
        return data


def operation(lat: float, lon: float, **extra: Any) -> dict[str, Any]:
    return {
        "type": "search_warrant",
        "purpose": "criminal",
        "title": "Warrant service, 4th floor",
        "case_number": f"CASE-{lat}",
        "starts_at": "2026-12-01T06:00:00-06:00",
        "ends_at": "2026-12-01T09:00:00-06:00",
        "location": {"lat": lat, "lon": lon, "radius_m": 100, "address": "1 Test Plaza"},
        "contact": {"name": "Sgt. Test", "phone": "+1 612 555 0100", "radio": "TAC 2"},
        "team": {"personnel": 6, "attire": "plain_clothes", "vehicles": "2 grey SUVs"},
        "risk": "high",
        "notes": "entry at 06:05",
        "subjects": [{"kind": "vehicle", "plate": "ABC123", "state": "MN"}],
        **extra,
    }


JURISDICTION = {
    "type": "Polygon",
    "coordinates": [[[-93.33, 44.89], [-93.19, 44.89], [-93.19, 45.05], [-93.33, 45.05], [-93.33, 44.89]]],
}


def drive(rec: Recorder) -> None:
    """Call every API route at least once, in the order an installation would."""
    admin = rec.admin
    call = rec.call
    city = call("POST", "/agencies", admin, {
        "ori": "MN0271100", "name": "Minneapolis Police Department", "level": "local",
        "duty_phone": "+1 612 555 0000", "timezone": "America/Chicago",
    }, status=201)  # fmt: skip
    feds = call("POST", "/agencies", admin, {
        "ori": "MNICE0100", "name": "ICE ERO St. Paul", "level": "federal",
        "duty_phone": "+1 651 555 0000", "timezone": "America/Chicago", "jurisdiction": None,
    }, status=201)  # fmt: skip

    def member(agency: dict[str, Any], username: str, roles: list[str]) -> tuple[dict[str, Any], str]:
        user = call("POST", "/users", admin, {
            "agency_id": agency["id"], "username": username, "display_name": username.title(),
            "roles": roles, "password": "correct horse battery", "phone": "+1 612 555 0101",
        }, status=201)  # fmt: skip
        token = call("POST", "/tokens", admin, {"user_id": user["id"], "name": "wire"}, status=201)["token"]
        return user, str(token)

    _, city_admin = member(city, "admin.city", ["agency_admin"])
    sgt_user, sgt = member(city, "sgt.moore", ["supervisor"])
    officer_user, officer = member(city, "officer.lee", ["officer"])
    agent_user, agent = member(feds, "sdo.whitfield", ["supervisor"])
    _, dispatcher = member(city, "dispatch.kim", ["dispatcher"])
    _, auditor = member(city, "auditor.ng", ["auditor"])
    watch_agency = call("POST", "/agencies", admin, {
        "ori": "MNWATCH00", "name": "Regional Watch", "level": "state",
        "duty_phone": "+1 651 555 0001", "timezone": "America/Chicago",
    }, status=201)  # fmt: skip
    _, watch = member(watch_agency, "watch.ray", ["watch"])

    # No authenticator enrolled: COMMONGROUND_REQUIRE_MFA refuses the password alone.
    call("POST", "/auth/login", None, {"username": "sgt.moore", "password": "correct horse battery"}, status=403)
    services = rec.http.app.state.services  # type: ignore[attr-defined]
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a fixed authenticator: the code at the fixed clock is known
    with services.store.write() as tx:
        tx.signin.put_credential(Credential(sgt_user["id"], totp_secret=secret, enrolled_at=START))
    code = pyotp.TOTP(secret).at(START)
    call("POST", "/auth/login", None, {"username": "sgt.moore", "password": "correct horse battery", "otp": code})
    call("GET", "/tokens", city_admin)
    tokens = call("GET", "/tokens", admin)["items"]
    spare = call("POST", "/tokens", city_admin, {
        "user_id": officer_user["id"], "name": "spare", "expires_at": "2027-01-01T00:00:00Z",
    }, status=201)  # fmt: skip
    assert spare["token"]
    spare_id = next(t["id"] for t in call("GET", "/tokens", city_admin)["items"] if t["name"] == "spare")
    call("POST", "/tokens/{token_id}/revoke", city_admin, status=204, token_id=spare_id)
    assert tokens

    call("GET", "/agencies", sgt)
    call("GET", "/agencies", sgt, params={"limit": 2})
    call("GET", "/agencies/{agency_id}", sgt, agency_id=city["id"])
    call("GET", "/agencies/{agency_id}", sgt, agency_id=feds["id"])
    call("GET", "/agencies/{agency_id}/policy", city_admin, agency_id=city["id"])
    call("PUT", "/agencies/{agency_id}/policy", city_admin, {
        "disclose": {"federal": "safety", "state": "operational", "local": "full", "tribal": "operational",
                     "watch": "full"},
        "restricted_purposes": ["civil_immigration"], "receive_notices": True, "default_notice": "at_submit",
        "proximity_m": 500, "time_buffer_min": 60,
    }, agency_id=city["id"])  # fmt: skip
    call("PUT", "/agencies/{agency_id}/jurisdiction", city_admin, JURISDICTION, agency_id=city["id"])
    call("PUT", "/agencies/{agency_id}/missions", admin, {"missions": ["criminal"]}, agency_id=feds["id"])

    mine = call("POST", "/operations", officer, operation(44.9778, -93.2650), status=201)
    theirs = call("POST", "/operations", agent, operation(
        44.9790, -93.2620, purpose="civil_immigration", type="immigration_enforcement", notice="at_submit",
        subjects=[{"kind": "vehicle", "plate": "ABC123", "state": "MN"}],
        team={"personnel": 6, "attire": "plain_clothes", "vehicles": "2 grey SUVs",
              "members": [{"name": "SDO R. Whitfield", "badge_number": "4471", "role": "team leader"}],
              "vehicles_detail": [{"description": "grey sedan", "plate": "fed-101", "state": "MN", "marked": False}],
              "talkgroup": "MN STAT 2", "recognition": "blue ball cap", "visible_identification": True},
    ), status=201)  # fmt: skip
    near = call("POST", "/operations", sgt, operation(
        44.9781, -93.2655, case_number="CASE-OTHER", geometry=None, team=None, notes=None,
    ), status=201)  # fmt: skip
    route = call("POST", "/operations", agent, operation(
        44.95, -93.25, location=None,
        geometry={"type": "LineString", "coordinates": [[-93.25, 44.95], [-93.24, 44.96]], "radius_m": 50},
    ), status=201)  # fmt: skip

    call("GET", "/operations", officer)
    call("GET", "/operations", sgt, params={"status": "planned", "limit": 1})
    call("GET", "/operations", sgt, params={"active_at": "2026-12-01T13:00:00Z", "bbox": "-94,44,-93,45"})
    call("GET", "/operations/{operation_id}", officer, operation_id=mine["id"])
    call("GET", "/operations/{operation_id}", sgt, operation_id=theirs["id"])
    call("GET", "/operations/{operation_id}", agent, operation_id=mine["id"])
    call("GET", "/operations/{operation_id}", watch, operation_id=mine["id"])
    moved = call("PATCH", "/operations/{operation_id}", officer, {
        "location": {"lat": 44.9779, "lon": -93.2651, "radius_m": 120, "address": "1 Test Plaza"},
        "notes": "entry at 06:10",
    }, headers={"If-Match": str(mine["version"])}, operation_id=mine["id"])  # fmt: skip
    call("PATCH", "/operations/{operation_id}", officer, {"title": "Renamed"},
         headers={"If-Match": str(moved["version"])}, operation_id=mine["id"])  # fmt: skip

    call("GET", "/conflicts", sgt)
    call("GET", "/conflicts", officer, params={"status": "open"})
    call("GET", "/conflicts", agent)
    call("GET", "/conflicts", watch)
    conflicts = call("GET", "/conflicts", sgt)["items"]
    for c in conflicts:
        call("GET", "/conflicts/{conflict_id}", sgt, conflict_id=c["id"])
        call("GET", "/conflicts/{conflict_id}", watch, conflict_id=c["id"])
    first, *rest = conflicts
    call("POST", "/conflicts/{conflict_id}/ack", officer, None, conflict_id=first["id"])
    call("POST", "/conflicts/{conflict_id}/ack", agent, {"operation_id": first["counterpart"]["id"]},
         conflict_id=first["id"])  # fmt: skip
    call("POST", "/conflicts/{conflict_id}/resolve", sgt, {"note": "spoke on TAC 2"}, conflict_id=first["id"])
    if rest:
        call("POST", "/conflicts/{conflict_id}/dismiss", watch, {"note": "same team"}, conflict_id=rest[0]["id"])

    noticed = call("GET", "/notices", sgt)["items"]
    call("POST", "/notices/{notice_id}/response", sgt, {
        "response": "aware_not_assisting", "note": "City policy: no assistance; patrol told for officer safety.",
    }, notice_id=noticed[0]["id"])  # fmt: skip
    call("POST", "/notices/{notice_id}/response", agent, {"response": "assisting"}, status=403,
         notice_id=noticed[0]["id"])  # fmt: skip
    call("GET", "/notices", dispatcher, params={"limit": 1})
    call("GET", "/operations/{operation_id}", agent, operation_id=noticed[0]["operation"]["id"])
    # A look-up asks about now, give or take two hours: the clock moves to the operations' morning.
    rec.http.app.state.services.clock.advance(timedelta(hours=24, minutes=30))  # type: ignore[attr-defined]
    call("GET", "/lookup", dispatcher, params={"lat": 44.978, "lon": -93.264, "at": "2026-12-01T13:00:00Z"})
    call("GET", "/lookup", dispatcher, params={"lat": 44.978, "lon": -93.264, "at": "2026-12-03T13:00:00Z"},
         status=422)  # fmt: skip
    call("GET", "/lookup", dispatcher, params={"lat": 44.978, "lon": -93.264, "radius_m": 5000})
    # The CAD feed (appended): the alerts due in the city's jurisdiction, and a bbox outside it (none).
    call("GET", "/cad/alerts", dispatcher)
    call("GET", "/cad/alerts", dispatcher, params={"bbox": "10,10,11,11"})
    call("GET", "/cad/alerts", dispatcher, params={"bbox": "10,10"}, status=422)
    call("GET", "/lookup", dispatcher, params={"lat": 40.0, "lon": -100.0}, status=403)  # outside the service area
    call("GET", "/verify", officer, params={"lat": 44.978, "lon": -93.264})
    call("GET", "/verify", officer, params={"lat": 44.978, "lon": -93.264, "radius_m": 5000}, status=422)
    call("GET", "/verify/plate", officer, params={"plate": "fed-101"})
    call("GET", "/verify/plate", officer, params={"plate": "NOPE1", "state": "WI"})

    call("POST", "/operations/{operation_id}/complete", agent, operation_id=route["id"])
    call("POST", "/operations/{operation_id}/cancel", sgt, operation_id=near["id"])

    call("GET", "/agencies/{agency_id}/channels", city_admin, agency_id=city["id"])
    call("POST", "/agencies/{agency_id}/channels/test", city_admin, agency_id=city["id"])  # no webhooks yet
    call("PUT", "/agencies/{agency_id}/channels", city_admin, {
        "webhooks": [{"url": "https://cad.example.org/hook", "events": ["conflict.created"],
                      "secret": "s" * 32}],
        "emails": [{"address": "duty@example.org", "events": []}],
    }, agency_id=city["id"])  # fmt: skip
    call("GET", "/agencies/{agency_id}/channels", city_admin, agency_id=city["id"])
    call("GET", "/watch/channels", admin)
    call("PUT", "/watch/channels", admin, {"emails": [{"address": "watch@example.org"}]})

    call("GET", "/reports/transparency", auditor)
    call("GET", "/audit", auditor, params={"action": "ops:operation:read-other"})
    call("GET", "/audit", auditor, params={"limit": 5})

    call("GET", "/federation/identity", officer)
    peer_key = base64.b64encode(bytes(range(1, 33))).decode()
    peer = call("POST", "/federation/peers", admin, {
        "name": "city-east", "url": "https://cg.city-east.example.gov", "public_key": peer_key,
    }, status=201)  # fmt: skip
    call("GET", "/federation/peers", admin)
    call("POST", "/federation/peers", admin, {
        "name": "city-east", "url": "https://cg.other.example.gov", "public_key": peer_key,
    }, status=409)  # fmt: skip
    call("POST", "/federation/peers", admin, {
        "name": "city-west", "url": "http://cg.city-west.example.gov", "public_key": "c2hvcnQ=",
    }, status=422)  # fmt: skip
    call("DELETE", "/federation/peers/{peer_id}", admin, status=204, peer_id=peer["id"])

    # The error envelope, once per status the API documents.
    call("GET", "/operations", None, status=401)
    call("GET", "/operations", "cg_not-a-real-token-at-all-0000000000", status=401)
    call("GET", "/audit", sgt, status=403)
    call("GET", "/operations/{operation_id}", dispatcher, status=403, operation_id=mine["id"])
    call("GET", "/conflicts/{conflict_id}", agent, status=404, conflict_id="nope")
    call("POST", "/operations/{operation_id}/cancel", sgt, status=409, operation_id=near["id"])
    call("PATCH", "/operations/{operation_id}", officer, {"notes": "x"}, headers={"If-Match": "1"},
         status=409, operation_id=mine["id"])  # fmt: skip
    call("POST", "/operations", officer, {**operation(44.9, -93.2), "risk": "extreme"}, status=422)
    call("POST", "/operations", officer, {**operation(44.9, -93.2), "starts_at": "2026-12-02T06:00:00Z"},
         status=422)  # fmt: skip
    call("GET", "/operations", sgt, params={"bbox": "1,2"}, status=422)

    # Account lifecycle (appended last, so the exchanges above keep their ids and times).
    call("GET", "/users", city_admin)
    call("GET", "/users", admin, params={"role": "supervisor", "disabled": False, "limit": 1})
    call("GET", "/users", admin, params={"username": "sgt"})
    call("PATCH", "/users/{user_id}", city_admin, {"display_name": "Ofc. J. Lee", "roles": ["officer", "dispatcher"]},
         user_id=officer_user["id"])  # fmt: skip
    reset = call("POST", "/users/{user_id}/reset-password", city_admin, status=201, user_id=officer_user["id"])
    call("POST", "/auth/set-password", None, {"token": reset["token"], "password": "a new long passphrase"},
         status=204)  # fmt: skip
    call("POST", "/auth/set-password", None, {"token": reset["token"], "password": "a new long passphrase"},
         status=422)  # fmt: skip
    call("POST", "/users/{user_id}/reset-mfa", city_admin, user_id=officer_user["id"])
    call("POST", "/users/{user_id}/disable", city_admin, user_id=officer_user["id"])
    call("GET", "/operations", officer, status=401)
    call("POST", "/users/{user_id}/enable", city_admin, user_id=officer_user["id"])
    call("POST", "/users/{user_id}/disable", city_admin, status=404, user_id=agent_user["id"])

    # Audit checkpoints (appended last): refusals only, so the background signer's timing cannot show.
    call("GET", "/audit/checkpoints", sgt, status=403)
    call("GET", "/audit/checkpoints", auditor, params={"cursor": "x"}, status=422)

    # Failed deliveries (appended last): none fail here, so the lists are empty and redelivery finds nothing.
    call("GET", "/agencies/{agency_id}/deliveries", city_admin, params={"status": "failed"}, agency_id=city["id"])
    call("GET", "/agencies/{agency_id}/deliveries", city_admin, params={"status": "lost"}, status=422,
         agency_id=city["id"])  # fmt: skip
    call("POST", "/deliveries/{delivery_id}/redeliver", city_admin, status=404, delivery_id="999999")
    # The watch center (appended last): the overdue list, once the clock passes the operations' end.
    rec.http.app.state.services.clock.advance(timedelta(hours=3))  # type: ignore[attr-defined]
    call("GET", "/watch/overdue", watch)
    call("GET", "/watch/overdue", sgt, status=403)
    late = {"starts_at": "2026-12-01T08:00:00Z", "ends_at": "2026-12-01T20:00:00Z"}
    call("POST", "/operations", sgt, {**operation(45.1, -93.1), **late}, status=422)
    call("POST", "/operations", sgt, {**operation(45.1, -93.1), **late,
                                          "exigent": {"reason": "entered after the fact"}}, status=201)  # fmt: skip
    phoned = call("POST", "/operations", watch, {**operation(45.1, -93.1), "starts_at": "2026-12-01T16:00:00Z",
        "ends_at": "2026-12-01T19:00:00Z", "on_behalf_of": {"agency_id": feds["id"], "caller_name": "Agent Roe",
        "caller_phone": "+1 651 555 0142"}}, status=201)  # fmt: skip
    call("POST", "/operations", sgt, {**operation(45.1, -93.1), "starts_at": "2026-12-01T16:00:00Z",
        "ends_at": "2026-12-01T19:00:00Z", "on_behalf_of": {"agency_id": feds["id"], "caller_name": "Agent Roe",
        "caller_phone": "+1 651 555 0142"}}, status=403)  # fmt: skip
    handled = phoned["conflicts"][0]["id"]
    call("POST", "/conflicts/{conflict_id}/assign", watch, None, conflict_id=handled)
    call("POST", "/conflicts/{conflict_id}/assign", sgt, None, status=403, conflict_id=handled)
    call("POST", "/conflicts/{conflict_id}/contacts", watch, {"side": "a", "method": "phone", "reached": True,
         "note": "duty desk will call the team"}, status=201, conflict_id=handled)  # fmt: skip
    rec.http.app.state.services.deliveries.fan_out()  # type: ignore[attr-defined]
    call("GET", "/conflicts/{conflict_id}", sgt, conflict_id=handled)
    call("POST", "/conflicts/{conflict_id}/resolve", watch, {"note": "joined up", "outcome": "joint_operation"},
         conflict_id=handled)  # fmt: skip
    call("PUT", "/agencies/{agency_id}/sensitive-places", city_admin, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-93.1, 45.101]},
         "properties": {"category": "school", "name": "Central Elementary"}}]}, agency_id=city["id"])  # fmt: skip
    call("PUT", "/agencies/{agency_id}/sensitive-places", city_admin, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-93.1, 45.101]},
         "properties": {"category": "bakery"}}]}, status=422, agency_id=city["id"])  # fmt: skip
    met = call("POST", "/operations", sgt, {**operation(45.1, -93.1), "starts_at": "2026-12-01T16:00:00Z",
         "ends_at": "2026-12-01T19:00:00Z"}, status=201)  # fmt: skip
    # Near-misses (appended last): teams that met without knowing; named, never described.
    near = {"operation_ids": [met["id"], phoned["id"]], "description": "met the federal team in the same lot",
            "at": "2026-12-01T14:30:00Z"}  # fmt: skip
    call("POST", "/near-misses", sgt, near, status=201)
    call("POST", "/near-misses", sgt, {**near, "at": "2026-12-01T14:30:00"}, status=422)
    call("GET", "/near-misses", watch)
    period = {"from": "2026-11-30T00:00:00Z", "to": "2026-12-02T00:00:00Z"}
    call("GET", "/reports/participation", auditor, params=period)
    call("GET", "/reports/participation", city_admin, params=period)
    call("GET", "/reports/public", None, params=period)
    call("GET", "/reports/public", None, params={"from": "2026-11-30T00:00:00", "to": "2026-12-02T00:00:00Z"},
         status=422)  # fmt: skip
    # Critical incidents (appended last, so the exchanges above keep their ids and times).
    incident = call("POST", "/operations/{operation_id}/incidents", agent, {
        "kind": "shots_fired", "at": "2026-11-30T05:55:00-06:00", "summary": "Shots fired at the rear door",
        "location": {"type": "Point", "coordinates": [-93.2621, 44.9791]}, "assistance_requested": True,
    }, status=201, operation_id=theirs["id"])  # fmt: skip
    call("GET", "/incidents", sgt)
    call("GET", "/incidents", watch, params={"limit": 1})
    call("GET", "/operations/{operation_id}/incidents", sgt, operation_id=theirs["id"])
    call("POST", "/incidents/{incident_id}/acknowledge", agent, status=403, incident_id=incident["id"])
    call("POST", "/incidents/{incident_id}/acknowledge", sgt, incident_id=incident["id"])
    # Sensitive places read back, and the watch center's installation-wide set (appended last).
    call("GET", "/agencies/{agency_id}/sensitive-places", city_admin, agency_id=city["id"])
    call("PUT", "/sensitive-places", watch, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-93.1, 45.102]},
         "properties": {"category": "polling_place", "name": "Ward 3 poll"}}]})  # fmt: skip
    call("PUT", "/sensitive-places", city_admin, {"type": "FeatureCollection", "features": []}, status=403)
    call("GET", "/sensitive-places", watch)
    # Case targets (appended last): a case's subjects matched for as long as it lives; a match across agencies.
    case = {"case_number": "24-001234", "subjects": [{"kind": "vehicle", "plate": "XKD 4471", "state": "WI"}],
            "expires_at": "2027-06-01T00:00:00-05:00"}  # fmt: skip
    kept = call("POST", "/targets", agent, case, status=201)
    call("POST", "/targets", sgt, {**case, "case_number": "CITY-77", "contact": {"name": "Sgt. Moore",
         "phone": "+1 612 555 0100"}}, status=201)  # fmt: skip
    call("POST", "/targets", agent, {**case, "expires_at": "2028-06-01T00:00:00Z"}, status=422)
    call("POST", "/targets", agent, {**case, "expires_at": "2027-06-01T00:00:00"}, status=422)
    call("GET", "/targets", agent)
    call("GET", "/targets/{target_id}", agent, target_id=kept["id"])
    call("GET", "/targets/{target_id}", sgt, status=404, target_id=kept["id"])
    call("DELETE", "/targets/{target_id}", agent, target_id=kept["id"], status=204)


def admin_token(http: TestClient) -> str:
    services = http.app.state.services  # type: ignore[attr-defined]
    user, _ = services.accounts.bootstrap_admin("root")
    token, _ = services.accounts.create_token(None, user.id, "wire")
    return str(token)


@pytest.fixture
def recorded(client: TestClient) -> Recorder:
    rec = Recorder(client, admin_token(client))
    drive(rec)
    return rec


def test_every_api_route_is_driven(recorded: Recorder) -> None:
    app_routes = {
        f"{method} {path}"
        for path, route in api_routes(recorded.http.app.routes)  # type: ignore[attr-defined]
        if path.startswith(API) and route.include_in_schema
        for method in route.methods or ()
    }
    assert app_routes - recorded.routes == NOT_DRIVEN


def test_every_api_route_answers_as_recorded(recorded: Recorder) -> None:
    got = scrub(recorded.exchanges)
    if os.environ.get("COMMONGROUND_RECORD_WIRE"):
        RECORDED.parent.mkdir(exist_ok=True)
        RECORDED.write_text(json.dumps(got, indent=1, sort_keys=False) + "\n")
    want = json.loads(RECORDED.read_text())
    assert len(got) == len(want)
    for exchange, expected in zip(got, want, strict=True):
        # Key order too: json.dumps keeps it, and integrators' diffs see it.
        assert json.dumps(exchange) == json.dumps(expected), exchange["call"]

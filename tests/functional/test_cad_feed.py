"""The CAD premise-alert feed and look-ups bounded to the service area, over HTTP (issue 15, item 3).

A county 911 centre whose jurisdiction leaves out an incorporated city: its CAD lists only the
operations inside the county (not the city's hole), active now or starting within 2 h, at the
safety level; its dispatchers' look-ups outside the county are refused, naming the reason.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import World, bearer, operation_data
from tests.functional.test_policy_sharing import call
from tests.functional.test_watch_entry import audited

API = "/api/v1"
# The county: a 0.4° square; the city: a 0.1° hole in its middle.
W, S, E, N = -93.70, 44.80, -93.30, 45.20
CITY = [[-93.55, 44.95], [-93.45, 44.95], [-93.45, 45.05], [-93.55, 45.05], [-93.55, 44.95]]
COUNTY = {
    "type": "Polygon",
    "coordinates": [[[W, S], [E, S], [E, N], [W, N], [W, S]], CITY],
}
SECRETS = ("TITLE-SECRET-7731", "NOTES-SECRET-7731", "CASE-SECRET-7731", "Zzyzxsubject")


def _secret(lat: float, lon: float, starts: datetime, hours: float = 2) -> dict[str, Any]:
    return operation_data(
        lat,
        lon,
        starts=starts,
        hours=hours,
        title=SECRETS[0],
        notes=SECRETS[1],
        case_number=SECRETS[2],
        subjects=[{"kind": "person", "last_name": SECRETS[3], "first_name": "Ann"}],
    )


def _world(world: World, http: httpx.Client) -> dict[str, Any]:
    county = world.agency("local", name="Wright County SO", jurisdiction=COUNTY)
    feds = world.agency("federal", name="ICE ERO St. Paul")
    fed_token = world.token(world.person(feds, "supervisor"))
    now = datetime.now(UTC).replace(microsecond=0)
    soon = now + timedelta(minutes=10)
    made = {
        "active": call(http, fed_token, "POST", "/operations", _secret(45.15, -93.65, now - timedelta(minutes=5)), 201),
        "upcoming": call(http, fed_token, "POST", "/operations", _secret(44.85, -93.35, now + timedelta(hours=1)), 201),
        "later": call(http, fed_token, "POST", "/operations", _secret(44.86, -93.36, now + timedelta(hours=3)), 201),
        "in_the_city": call(http, fed_token, "POST", "/operations", _secret(45.00, -93.50, soon), 201),
        "outside": call(http, fed_token, "POST", "/operations", _secret(45.50, -93.50, soon), 201),
        "cancelled": call(http, fed_token, "POST", "/operations", _secret(44.90, -93.60, soon), 201),
    }
    call(http, fed_token, "POST", f"/operations/{made['cancelled']['id']}/cancel")
    dispatcher = world.token(world.person(county, "dispatcher"))
    return {"county": county, "made": made, "dispatcher": dispatcher, "fed_token": fed_token}


def test_the_feed_lists_due_alerts_inside_the_service_area_at_the_safety_level(
    world: World, http: httpx.Client
) -> None:
    t = _world(world, http)
    feed = call(http, t["dispatcher"], "GET", "/cad/alerts")
    by_id = {a["alert"]["id"]: a for a in feed["alerts"]}
    made = t["made"]
    assert set(by_id) == {made["active"]["id"], made["upcoming"]["id"]}, [a["alert"] for a in feed["alerts"]]
    assert feed["complete"] is True
    assert [a["alert"]["id"] for a in feed["alerts"]] == [made["active"]["id"], made["upcoming"]["id"]]  # soonest
    active, upcoming = by_id[made["active"]["id"]], by_id[made["upcoming"]["id"]]
    assert active["alert"]["status"] == "active" and active["messageKind"] == "Report"
    assert upcoming["alert"]["status"] == "upcoming"
    assert upcoming["incidentComponent"][0]["incidentStatusCommonRegistryText"] == "Planned"
    assert active["operation"]["level_disclosed"] == "safety"
    assert active["agencyComponent"][0]["contactPhone"] == "+1 612 555 0100"
    assert "CST" in active["notesComponent"][0]["noteText"] or "CDT" in active["notesComponent"][0]["noteText"]
    text = json.dumps(feed)
    for secret in SECRETS:
        assert secret not in text  # the safety level only: no title, notes, case number or subject

    # A bbox narrows the feed; one outside the county finds nothing; a bad one names the field.
    north = call(http, t["dispatcher"], "GET", "/cad/alerts?bbox=-93.70,45.10,-93.30,45.20")
    assert [a["alert"]["id"] for a in north["alerts"]] == [made["active"]["id"]]
    assert call(http, t["dispatcher"], "GET", "/cad/alerts?bbox=10,10,11,11")["alerts"] == []
    bad = http.get(f"{API}/cad/alerts", params={"bbox": "1,2,3"}, headers=bearer(t["dispatcher"]))
    assert bad.status_code == 422 and [d["field"] for d in bad.json()["error"]["details"]] == ["bbox"]

    reads = audited(world, "dispatch:cad:feed")
    assert len(reads) == 3 and reads[0].details is not None
    assert sorted(reads[0].details["alerts"]) == sorted(by_id)


def test_a_centre_without_a_service_area_gets_no_feed_and_others_none_at_all(world: World, http: httpx.Client) -> None:
    nowhere = world.agency("local", name="Anywhere PD")
    r = http.get(f"{API}/cad/alerts", headers=bearer(world.token(world.person(nowhere, "dispatcher"))))
    assert r.status_code == 403 and "jurisdiction" in r.json()["error"]["message"]
    county = world.agency("local", name="Wright County SO", jurisdiction=COUNTY)
    for role in ("officer", "supervisor", "watch", "auditor"):
        r = http.get(f"{API}/cad/alerts", headers=bearer(world.token(world.person(county, role))))
        assert r.status_code == 403, (role, r.text)


def test_a_lookup_outside_the_service_area_is_refused_and_tells_no_team(world: World, http: httpx.Client) -> None:
    t = _world(world, http)
    token = t["dispatcher"]
    # Inside the county: answered, and the team out there is told.
    inside = call(http, token, "GET", "/lookup?lat=45.15&lon=-93.65&radius_m=500")
    assert [o["id"] for o in inside["operations"]] == [t["made"]["active"]["id"]]
    # In the city's hole and outside the county: refused, naming the reason; nothing is looked at.
    for lat, lon in ((45.00, -93.50), (45.50, -93.50)):
        r = http.get(f"{API}/lookup", params={"lat": lat, "lon": lon, "radius_m": 500}, headers=bearer(token))
        assert r.status_code == 403, r.text
        assert "outside Wright County SO's service area" in r.json()["error"]["message"]
    denied = [e for e in audited(world, "dispatch:lookup:query") if e.outcome == "denied"]
    assert [(e.details or {}).get("reason") for e in denied] == ["outside the service area"] * 2
    with world.services.store.read() as tx:
        told = [e for e in tx.outbox.all_after(0, 10_000) if e.kind == "lookup.nearby"]
    assert len(told) == 1  # only the look-up inside the county told a team


def test_an_alert_near_a_school_says_so_before_anything_else(world: World, http: httpx.Client) -> None:
    """The dispatcher's premise alert leads with the sensitive places near the operation, as the notice does."""
    setup = _world(world, http)
    county = setup["county"]
    admin = world.token(world.person(county, "agency_admin"))
    school = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-93.6505, 45.1505]},
        "properties": {"category": "school", "name": "Rockford Elementary"},
    }
    call(
        http,
        admin,
        "PUT",
        f"/agencies/{county.id}/sensitive-places",
        {"type": "FeatureCollection", "features": [school]},
    )
    alerts = {a["alert"]["id"]: a for a in call(http, setup["dispatcher"], "GET", "/cad/alerts")["alerts"]}
    near = alerts[setup["made"]["active"]["id"]]
    (place,) = near["operation"]["sensitive_places"]
    assert place["name"] == "Rockford Elementary" and place["category"] == "school"
    assert near["notesComponent"][0]["noteText"].startswith("SENSITIVE PLACES NEARBY: Rockford Elementary (school,")
    far = alerts[setup["made"]["upcoming"]["id"]]
    assert "sensitive_places" not in far["operation"] and "SENSITIVE" not in far["notesComponent"][0]["noteText"]

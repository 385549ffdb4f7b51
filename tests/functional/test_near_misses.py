"""Near-misses over HTTP (issue 13, item 5): teams that met without knowing, seen by the agencies involved and
the watch only, audited, and counted in the participation report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import World, bearer, operation_data
from tests.functional.test_policy_sharing import call
from tests.functional.test_watch_entry import audited


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [d["field"] for d in response.json()["error"]["details"]]


def _met(minutes_ago: int = 30) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def _two_teams(world: World, http: httpx.Client) -> dict[str, Any]:
    """A city team and a county team far enough apart on paper to raise no conflict, who met anyway."""
    city = world.agency("local", name="Minneapolis PD")
    county = world.agency("local", name="Hennepin County SO")
    other = world.agency("local", name="St. Paul PD")
    tokens = {a.name: world.token(world.person(a)) for a in (city, county, other)}
    ours = call(http, tokens["Minneapolis PD"], "POST", "/operations", operation_data(44.97, -93.26), 201)
    theirs = call(http, tokens["Hennepin County SO"], "POST", "/operations", operation_data(45.30, -93.26), 201)
    assert not ours["conflicts"] and not theirs["conflicts"]
    watch = world.token(world.person(world.agency("state", name="State Watch"), "watch"))
    return {"city": city, "county": county, "ours": ours, "theirs": theirs, "tokens": tokens, "watch": watch}


def test_a_near_miss_round_trip_is_seen_by_both_teams_and_the_watch_only(world: World, http: httpx.Client) -> None:
    t = _two_teams(world, http)
    city_token, county_token = t["tokens"]["Minneapolis PD"], t["tokens"]["Hennepin County SO"]
    body = {
        "operation_ids": [t["ours"]["id"], t["theirs"]["id"]],
        "description": "Our arrest team met a county narcotics unit in the same lot; neither knew of the other.",
        "at": _met(),
    }
    made = call(http, city_token, "POST", "/near-misses", body, 201)
    assert made["description"] == body["description"]
    assert made["reported_by_agency"] == {"id": t["city"].id, "name": "Minneapolis PD"}
    assert {(o["id"], o["agency"]) for o in made["operations"]} == {
        (t["ours"]["id"], "Minneapolis PD"),
        (t["theirs"]["id"], "Hennepin County SO"),
    }
    assert "title" not in str(made["operations"])  # names the operations, never their details

    for token in (city_token, county_token, t["watch"]):
        listed = call(http, token, "GET", "/near-misses")["items"]
        assert [m["id"] for m in listed] == [made["id"]], listed
    assert call(http, t["tokens"]["St. Paul PD"], "GET", "/near-misses")["items"] == []

    # The county reads the city's report: that disclosure is audited; the city reading its own is not.
    readers = [e.actor_agency_id for e in audited(world, "ops:near-miss:read")]
    assert len(readers) == 2 and t["county"].id in readers and t["city"].id not in readers
    [report] = audited(world, "ops:near-miss:report")
    assert report.object_id == made["id"] and report.details is not None
    assert sorted(report.details["agencies"]) == sorted([t["city"].id, t["county"].id])
    assert "lot" not in str(report.details)  # the words stay in the near-miss, not the log


def test_a_near_miss_is_counted_in_the_participation_report(world: World, http: httpx.Client) -> None:
    t = _two_teams(world, http)
    body = {"operation_ids": [t["ours"]["id"], t["theirs"]["id"]], "description": "met unannounced", "at": _met()}
    call(http, t["tokens"]["Minneapolis PD"], "POST", "/near-misses", body, 201)
    call(http, t["watch"], "POST", "/near-misses", {**body, "operation_ids": [t["theirs"]["id"]]}, 201)
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(hours=2)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
    auditor = world.token(world.person(world.admin.agency, "auditor"))
    r = http.get("/api/v1/reports/participation", params=period, headers=bearer(auditor))
    assert r.status_code == 200, r.text
    counts = {a["agency"]: a["near_misses"] for a in r.json()["agencies"]}
    assert counts["Minneapolis PD"] == 1 and counts["Hennepin County SO"] == 2 and counts["St. Paul PD"] == 0


def test_a_near_miss_names_an_own_operation_and_every_bad_field_is_named(world: World, http: httpx.Client) -> None:
    t = _two_teams(world, http)
    stranger = t["tokens"]["St. Paul PD"]
    good = {"operation_ids": [t["ours"]["id"]], "description": "met a county unit", "at": _met()}
    r = http.post("/api/v1/near-misses", json=good, headers=bearer(stranger))
    assert _fields(r) == ["operation_ids"]  # none of the caller's own: refused

    city_token = t["tokens"]["Minneapolis PD"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    bad: list[tuple[dict[str, Any], str]] = [
        ({**good, "operation_ids": []}, "operation_ids"),
        ({**good, "operation_ids": "x"}, "operation_ids"),
        ({**good, "operation_ids": [t["ours"]["id"], "no-such-operation"]}, "operation_ids.1"),
        ({**good, "operation_ids": [t["ours"]["id"], t["ours"]["id"]]}, "operation_ids.1"),
        ({**good, "operation_ids": [t["ours"]["id"]] * 11}, "operation_ids"),
        ({**good, "description": "   "}, "description"),
        ({**good, "description": "x" * 4001}, "description"),
        ({k: v for k, v in good.items() if k != "description"}, "description"),
        ({**good, "at": "2026-12-01T06:00:00"}, "at"),  # no zone
        ({**good, "at": future}, "at"),
        ({k: v for k, v in good.items() if k != "at"}, "at"),
        ({**good, "colour": "red"}, "colour"),
    ]
    for body, field in bad:
        r = http.post("/api/v1/near-misses", json=body, headers=bearer(city_token))
        assert any(f == field or f.endswith("." + field) for f in _fields(r)), (body, r.text)
    assert call(http, t["watch"], "GET", "/near-misses")["items"] == []  # nothing refused was kept

    dispatcher = world.token(world.person(t["city"], "dispatcher"))
    r = http.post("/api/v1/near-misses", json=good, headers=bearer(dispatcher))
    assert r.status_code == 403, r.text


def test_pages_run_newest_first_without_repeats(world: World, http: httpx.Client) -> None:
    t = _two_teams(world, http)
    token = t["tokens"]["Minneapolis PD"]
    made = [
        call(
            http,
            token,
            "POST",
            "/near-misses",
            {"operation_ids": [t["ours"]["id"]], "description": f"number {i}", "at": _met(60 - i)},
            201,
        )["id"]
        for i in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        r = http.get("/api/v1/near-misses", params=params, headers=bearer(token))
        assert r.status_code == 200, r.text
        seen += [m["id"] for m in r.json()["items"]]
        cursor = r.json()["next"]
        if cursor is None:
            break
    assert seen == made[::-1]


def test_an_incident_is_counted_for_its_operating_agency(world: World, http: httpx.Client) -> None:
    t = _two_teams(world, http)
    token = t["tokens"]["Minneapolis PD"]
    body = {"kind": "crowd", "at": _met(10), "summary": "a crowd gathered", "assistance_requested": False}
    call(http, token, "POST", f"/operations/{t['ours']['id']}/incidents", body, 201)
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(hours=2)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
    auditor = world.token(world.person(world.admin.agency, "auditor"))
    r = http.get("/api/v1/reports/participation", params=period, headers=bearer(auditor))
    counts = {a["agency"]: a["incidents"] for a in r.json()["agencies"]}
    assert counts["Minneapolis PD"] == 1 and counts["Hennepin County SO"] == 0

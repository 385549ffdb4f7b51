"""The watch center owns conflicts, records its calls to the sides and how each conflict ended (issue 14, item 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from commonground.domain.model import Agency
from commonground.service.principal import Principal
from tests.conftest import World, bearer, operation_data
from tests.functional.test_policy_sharing import call
from tests.functional.test_watch_entry import audited, first_field


def _now() -> datetime:
    """The minute now, read at each call: a constant read at import is stale by the time a long suite reaches it."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


OPEN = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")}


def _conflict(world: World, http: httpx.Client, lat: float = 44.9778) -> tuple[dict[str, Any], str, str, Agency]:
    """Two agencies' operations at one spot: return the conflict as the second side sees it, both tokens, the first."""
    city = world.agency("local", name="Minneapolis PD", policy=OPEN)
    feds = world.agency("federal", name="FBI Minneapolis", policy=OPEN)
    city_token, fed_token = world.token(world.person(city)), world.token(world.person(feds))
    call(http, city_token, "POST", "/operations", operation_data(lat, starts=_now()), 201)
    made = call(http, fed_token, "POST", "/operations", operation_data(lat, starts=_now()), 201)
    (found,) = made["conflicts"]
    return found, city_token, fed_token, city


def _watcher(world: World, name: str = "State Watch Center") -> Principal:
    return world.person(world.agency("state", name=name), "watch")


def test_the_watch_takes_a_conflict_and_both_sides_see_who_handles_it(world: World, http: httpx.Client) -> None:
    found, city_token, fed_token, _ = _conflict(world, http)
    watcher = _watcher(world)
    token = world.token(watcher)
    owned = call(http, token, "POST", f"/conflicts/{found['id']}/assign")
    assert owned["owner"]["user_id"] == watcher.user.id and owned["owner"]["name"] == watcher.user.display_name
    for side in (city_token, fed_token, token):
        seen = call(http, side, "GET", f"/conflicts/{found['id']}")
        assert seen["owner"] == owned["owner"]
        listed = call(http, side, "GET", "/conflicts")["items"]
        assert [c["owner"] for c in listed if c["id"] == found["id"]] == [owned["owner"]]
    # Handed to a colleague at another desk.
    colleague = world.person(watcher.agency, "watch")
    handed = call(http, token, "POST", f"/conflicts/{found['id']}/assign", {"user_id": colleague.user.id})
    assert handed["owner"]["user_id"] == colleague.user.id
    entries = [e for e in audited(world, "watch:conflict:assign") if e.object_id == found["id"]]
    assert [e.details for e in entries] == [
        {"owner": watcher.user.id, "previous": None},
        {"owner": colleague.user.id, "previous": watcher.user.id},
    ]


def test_assign_refusals(world: World, http: httpx.Client) -> None:
    found, city_token, _, city = _conflict(world, http)
    path = f"/api/v1/conflicts/{found['id']}/assign"
    for roles in (("officer",), ("supervisor",), ("agency_admin",), ("auditor",), ("dispatcher",)):
        r = http.post(path, headers=bearer(world.token(world.person(city, *roles))))
        assert r.status_code == 403, roles
    assert http.post(path).status_code == 401
    token = world.token(_watcher(world))
    supervisor = world.person(city, "supervisor")
    r = http.post(path, json={"user_id": supervisor.user.id}, headers=bearer(token))
    assert r.status_code == 422 and first_field(r) == "user_id"
    r = http.post("/api/v1/conflicts/no-such/assign", headers=bearer(token))
    assert r.status_code == 404
    assert "owner" not in call(http, city_token, "GET", f"/conflicts/{found['id']}")
    call(http, token, "POST", f"/conflicts/{found['id']}/resolve", {"note": "spoke to both", "outcome": "proceed"})
    assert http.post(path, headers=bearer(token)).status_code == 409


def test_contact_attempts_are_recorded_for_the_watch(world: World, http: httpx.Client) -> None:
    found, city_token, _, city = _conflict(world, http)
    watcher = _watcher(world)
    token = world.token(watcher)
    path = f"/conflicts/{found['id']}/contacts"
    call(http, token, "POST", path, {"side": "a", "method": "phone", "reached": False, "note": "no answer"}, 201)
    seen = call(http, token, "POST", path, {"side": "b", "method": "radio", "reached": True}, 201)
    assert [(c["side"], c["method"], c["reached"], c["note"]) for c in seen["contacts"]] == [
        ("a", "phone", False, "no answer"),
        ("b", "radio", True, None),
    ]
    assert call(http, token, "GET", f"/conflicts/{found['id']}")["contacts"] == seen["contacts"]
    assert "contacts" not in call(http, city_token, "GET", f"/conflicts/{found['id']}")  # the watch's own log
    for bad, field in (
        ({"side": "c", "method": "phone", "reached": True}, "side"),
        ({"side": "a", "method": "pigeon", "reached": True}, "method"),
        ({"side": "a", "method": "phone"}, "reached"),
        ({"side": "a", "method": "phone", "reached": True, "extra": 1}, "extra"),
    ):
        r = http.post(f"/api/v1{path}", json=bad, headers=bearer(token))
        assert r.status_code == 422 and first_field(r) == field, (bad, r.text)
    officer = world.token(world.person(city, "supervisor"))
    body = {"side": "a", "method": "phone", "reached": True}
    assert http.post(f"/api/v1{path}", json=body, headers=bearer(officer)).status_code == 403
    assert len(call(http, token, "GET", f"/conflicts/{found['id']}")["contacts"]) == 2  # nothing added
    entries = [e.details for e in audited(world, "watch:conflict:contact") if e.object_id == found["id"]]
    assert entries == [
        {"side": "a", "method": "phone", "reached": False},
        {"side": "b", "method": "radio", "reached": True},
    ]


def test_resolve_records_the_outcome_and_other_when_absent(world: World, http: httpx.Client) -> None:
    token = world.token(_watcher(world))
    first, city_token, _, _ = _conflict(world, http)
    done = call(
        http, token, "POST", f"/conflicts/{first['id']}/resolve", {"note": "joined", "outcome": "joint_operation"}
    )
    assert done["status"] == "resolved" and done["outcome"] == "joint_operation"
    assert call(http, city_token, "GET", f"/conflicts/{first['id']}")["outcome"] == "joint_operation"
    second, city_token, _, _ = _conflict(world, http, 45.2)
    supervisor_done = call(http, city_token, "POST", f"/conflicts/{second['id']}/resolve", {"note": "v1 client"})
    assert supervisor_done["outcome"] == "other"
    third, _, _, _ = _conflict(world, http, 45.4)
    r = http.post(
        f"/api/v1/conflicts/{third['id']}/resolve", json={"note": "x", "outcome": "vanished"}, headers=bearer(token)
    )
    assert r.status_code == 422 and first_field(r) == "outcome"
    dismissed = call(http, token, "POST", f"/conflicts/{third['id']}/dismiss", {"note": "same team"})
    assert "outcome" not in dismissed
    outcomes = [e.details for e in audited(world, "ops:conflict:resolve")]
    assert {"status": "resolved", "outcome": "joint_operation"} in outcomes
    assert {"status": "resolved", "outcome": "other"} in outcomes and {"status": "dismissed"} in outcomes

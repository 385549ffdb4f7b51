"""Live status, exigent (after-the-fact) entry and phone-in entry, over HTTP (issue 14, items 2-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from commonground.audit.chain import AuditEntry
from commonground.domain.model import Agency
from tests.conftest import World, operation_data
from tests.functional.test_policy_sharing import call


def _now() -> datetime:
    """The minute now, read at each call: a constant read at import is stale by the time a long suite reaches it."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


LATE = "urgent entry to prevent loss of life; no time to enter first"


def first_field(response: httpx.Response) -> str:
    """Return the field a 422 names first."""
    details = response.json()["error"]["details"]
    return str(details[0]["field"])


def _submit(http: httpx.Client, token: str, body: dict[str, Any]) -> httpx.Response:
    return http.post("/api/v1/operations", json=body, headers={"Authorization": f"Bearer {token}"})


def audited(world: World, action: str) -> list[AuditEntry]:
    """Return the audit entries of ``action``, oldest first, straight from the log."""
    with world.services.store.read() as tx:
        return [r.entry for r in tx.audit.all() if r.entry.action == action]


def test_status_reads_planned_active_and_overdue_off_the_clock(world: World, http: httpx.Client) -> None:
    agency = world.agency("local", name="Minneapolis PD")
    token = world.token(world.person(agency, "supervisor"))
    planned = call(http, token, "POST", "/operations", operation_data(starts=_now() + timedelta(days=1)), 201)
    active = call(http, token, "POST", "/operations", operation_data(starts=_now() - timedelta(minutes=5)), 201)
    overdue = call(
        http,
        token,
        "POST",
        "/operations",
        operation_data(starts=_now() - timedelta(hours=5), hours=2, exigent={"reason": LATE}),
        201,
    )
    assert (planned["status"], active["status"], overdue["status"]) == ("planned", "active", "overdue")
    for op, status in ((planned, "planned"), (active, "active"), (overdue, "overdue")):
        assert call(http, token, "GET", f"/operations/{op['id']}")["status"] == status
        listed = call(http, token, "GET", f"/operations?status={status}")["items"]
        assert [o["id"] for o in listed] == [op["id"]], status
    # A completed operation keeps that status, even past its end.
    done = call(http, token, "POST", f"/operations/{overdue['id']}/complete")
    assert done["status"] == "completed"
    assert call(http, token, "GET", "/operations?status=overdue")["items"] == []
    assert [o["id"] for o in call(http, token, "GET", "/operations?status=completed")["items"]] == [overdue["id"]]
    r = http.get("/api/v1/operations?status=late", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422 and first_field(r) == "status"


def test_the_watch_sees_every_agencys_overdue_operations_and_others_may_not(world: World, http: httpx.Client) -> None:
    city, county = world.agency("local", name="Minneapolis PD"), world.agency("local", name="Hennepin SO")
    city_token, county_token = world.token(world.person(city, "supervisor")), world.token(world.person(county))
    late: dict[str, Any] = {"starts": _now() - timedelta(hours=6), "hours": 1, "exigent": {"reason": LATE}}
    a = call(http, city_token, "POST", "/operations", operation_data(**late), 201)
    b = call(http, county_token, "POST", "/operations", operation_data(44.99, -93.3, **late), 201)
    call(http, county_token, "POST", "/operations", operation_data(44.99, -93.3), 201)  # planned: not listed
    watcher = world.person(world.agency("state", name="State Watch Center"), "watch")
    seen = call(http, world.token(watcher), "GET", "/watch/overdue")["items"]
    assert sorted(o["id"] for o in seen) == sorted([a["id"], b["id"]])
    assert {o["status"] for o in seen} == {"overdue"} and all(o["exigent"] is True for o in seen)
    assert http.get("/api/v1/watch/overdue", headers={"Authorization": f"Bearer {city_token}"}).status_code == 403
    assert http.get("/api/v1/watch/overdue").status_code == 401
    (entry,) = audited(world, "watch:operation:overdue-read")
    assert entry.actor_user_id == watcher.user.id and entry.details == {"operations": [o["id"] for o in seen]}


def test_a_past_start_needs_an_exigent_reason(world: World, http: httpx.Client) -> None:
    agency = world.agency("local", name="Minneapolis PD")
    token = world.token(world.person(agency, "officer"))
    past = operation_data(starts=_now() - timedelta(minutes=20))
    r = _submit(http, token, past)
    assert r.status_code == 422 and first_field(r) == "starts_at", r.text
    assert "exigent" in r.json()["error"]["message"]
    assert call(http, token, "GET", "/operations")["items"] == []  # nothing stored
    # Within 15 minutes is on time.
    assert _submit(http, token, operation_data(starts=_now() - timedelta(minutes=10))).status_code == 201
    blank = _submit(http, token, {**past, "exigent": {"reason": "  "}})
    assert blank.status_code == 422 and first_field(blank) == "exigent.reason"
    made = call(http, token, "POST", "/operations", {**past, "exigent": {"reason": LATE}}, 201)
    assert made["exigent"] is True and made["exigent_reason"] == LATE
    (entry,) = [e for e in audited(world, "ops:operation:create") if e.object_id == made["id"]]
    assert entry.details is not None and entry.details["exigent"] is True
    on_time = call(http, token, "POST", "/operations", operation_data(44.9, -93.1), 201)
    assert "exigent" not in on_time and "exigent_reason" not in on_time
    # Moving an on-time operation's start into the past is refused too.
    r = http.patch(
        f"/api/v1/operations/{on_time['id']}",
        json={"starts_at": (_now() - timedelta(hours=1)).isoformat()},
        headers={"Authorization": f"Bearer {token}", "If-Match": "1"},
    )
    assert r.status_code == 422 and first_field(r) == "starts_at"


def test_the_exigent_flag_reaches_the_other_side_without_the_reason(world: World, http: httpx.Client) -> None:
    open_policy = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")}
    city = world.agency("local", name="Minneapolis PD", policy=open_policy)
    feds = world.agency("federal", name="FBI Minneapolis", policy=open_policy)
    city_token, fed_token = world.token(world.person(city)), world.token(world.person(feds))
    late = call(
        http,
        city_token,
        "POST",
        "/operations",
        operation_data(starts=_now() - timedelta(hours=1), exigent={"reason": LATE}),
        201,
    )
    theirs = call(http, fed_token, "POST", "/operations", operation_data(starts=_now()), 201)
    counterpart = theirs["conflicts"][0]["counterpart"]
    assert counterpart["id"] == late["id"] and counterpart["exigent"] is True
    assert "exigent_reason" not in counterpart


def test_a_window_over_31_days_is_refused_pointing_to_case_targets(world: World, http: httpx.Client) -> None:
    token = world.token(world.person(world.agency("local"), "officer"))
    r = _submit(http, token, operation_data(hours=40 * 24))
    assert r.status_code == 422 and first_field(r) == "ends_at"
    assert "case target" in r.json()["error"]["message"]


def _phone_in(agency: Agency, **extra: Any) -> dict[str, Any]:
    return operation_data(
        on_behalf_of={"agency_id": agency.id, "caller_name": "Ofc. J. Lind", "caller_phone": "+1 651 555 0142"},
        **extra,
    )


def test_the_watch_enters_a_phoned_in_operation_that_the_callers_agency_owns(world: World, http: httpx.Client) -> None:
    open_policy = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")}
    city = world.agency("local", name="Minneapolis PD", policy=open_policy)
    county = world.agency("local", name="Hennepin SO", policy=open_policy)
    county_token = world.token(world.person(county))
    existing = call(http, county_token, "POST", "/operations", operation_data(), 201)
    watcher = world.person(world.agency("state", name="State Watch Center"), "watch")
    made = call(http, world.token(watcher), "POST", "/operations", _phone_in(city), 201)
    assert made["agency"]["name"] == "Minneapolis PD" and made["agency_id"] == city.id
    assert made["entered_on_behalf"] == {
        "caller_name": "Ofc. J. Lind",
        "caller_phone": "+1 651 555 0142",
        "entered_by": watcher.user.id,
    }
    # The same check: the county's operation at the spot is in conflict with it.
    assert [c["counterpart"]["id"] for c in made["conflicts"]] == [existing["id"]]
    # The caller's agency sees it as its own, in its list, in full.
    city_token = world.token(world.person(city, "supervisor"))
    listed = call(http, city_token, "GET", "/operations")["items"]
    assert [o["id"] for o in listed] == [made["id"]] and listed[0]["entered_on_behalf"]["caller_name"] == "Ofc. J. Lind"
    assert call(http, city_token, "GET", f"/operations/{made['id']}")["level_disclosed"] == "full"
    # The other side sees the city, not the watch, and not the caller's number.
    county_side = call(http, county_token, "GET", f"/operations/{existing['id']}")
    assert county_side["id"] == existing["id"]
    counterpart = call(http, county_token, "GET", f"/operations/{made['id']}")
    assert counterpart["agency"]["name"] == "Minneapolis PD" and "entered_on_behalf" not in counterpart
    (entry,) = [e for e in audited(world, "ops:operation:create") if e.object_id == made["id"]]
    assert entry.actor_user_id == watcher.user.id and entry.actor_agency_id == watcher.agency.id
    assert entry.details == {"on_behalf_of": city.id, "caller_name": "Ofc. J. Lind", "conflicts": 1}


def test_only_the_watch_may_enter_on_behalf_of_another_agency(world: World, http: httpx.Client) -> None:
    city, county = world.agency("local", name="Minneapolis PD"), world.agency("local", name="Hennepin SO")
    for roles in (("officer",), ("supervisor",), ("agency_admin",)):
        token = world.token(world.person(county, *roles))
        r = _submit(http, token, _phone_in(city))
        assert r.status_code == 403, (roles, r.text)
    watch_token = world.token(world.person(world.agency("state"), "watch"))
    r = _submit(http, watch_token, operation_data())  # the watch enters only on behalf of a caller
    assert r.status_code == 403
    r = _submit(http, watch_token, operation_data(on_behalf_of={"agency_id": city.id, "caller_name": "X"}))
    assert r.status_code == 422 and first_field(r) == "on_behalf_of.caller_phone"
    missing = {"agency_id": "00000000-0000-7000-8000-000000000000", "caller_name": "X", "caller_phone": "612 555 0100"}
    r = _submit(http, watch_token, operation_data(on_behalf_of=missing))
    assert r.status_code == 422 and first_field(r) == "on_behalf_of.agency_id"
    for agency in (city, county):
        members = world.token(world.person(agency, "supervisor"))
        assert call(http, members, "GET", "/operations")["items"] == []

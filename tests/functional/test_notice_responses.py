"""A host agency answers a jurisdiction notice over HTTP: only it may, the operator hears of it, it is audited."""

from __future__ import annotations

from typing import Any

import httpx

from commonground.domain.model import Agency
from commonground.notify.render import for_agency, render
from tests.conftest import World, bearer, operation_data

API = "/api/v1"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-93.40, 44.90], [-93.10, 44.90], [-93.10, 45.05], [-93.40, 45.05], [-93.40, 44.90]]],
}


def call(http: httpx.Client, token: str, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    r = http.request(method, API + path, json=body, headers=bearer(token))
    assert r.status_code == status, r.text
    return r.json()


def _host_with_notice(world: World, http: httpx.Client) -> tuple[Agency, Agency, str, str]:
    """A city with a jurisdiction, a federal operation inside it, and the notice the city got."""
    city = world.agency("local", name="Minneapolis PD")
    admin = world.token(world.admin)
    call(http, admin, "PUT", f"/agencies/{city.id}/jurisdiction", SQUARE)
    feds = world.agency("federal", name="ICE ERO St. Paul")
    fed_token = world.token(world.person(feds))
    op = call(http, fed_token, "POST", "/operations", operation_data(44.9778, -93.2650), status=201)
    sup = world.token(world.person(city, "supervisor"))
    notices = call(http, sup, "GET", "/notices")["items"]
    assert [n["operation"]["id"] for n in notices] == [op["id"]]
    return city, feds, notices[0]["id"], op["id"]


def test_the_host_answers_and_may_change_its_answer(world: World, http: httpx.Client) -> None:
    city, feds, notice_id, operation_id = _host_with_notice(world, http)
    sup = world.token(world.person(city, "supervisor"))
    body = {"response": "aware_not_assisting", "note": "Patrol aware; city policy: not assisting."}
    answered = call(http, sup, "POST", f"/notices/{notice_id}/response", body)
    assert answered["id"] == notice_id
    assert answered["response"]["response"] == "aware_not_assisting"
    assert answered["response"]["agency"] == city.id
    assert answered["response"]["note"] == body["note"]
    changed = call(http, sup, "POST", f"/notices/{notice_id}/response", {"response": "standing_by_for_public_safety"})
    assert changed["response"]["response"] == "standing_by_for_public_safety"
    operator = world.token(world.person(feds, "supervisor"))
    seen = call(http, operator, "GET", f"/operations/{operation_id}")["host_responses"]
    assert [(a["agency"], a["response"]) for a in seen] == [(city.id, "standing_by_for_public_safety")]
    listed = call(http, sup, "GET", "/notices")["items"][0]
    assert listed["response"]["response"] == "standing_by_for_public_safety"
    with world.services.store.read() as tx:
        audited = [r.entry for r in tx.audit.all() if r.entry.action == "notice:response:set"]
        events = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "notice.responded"]
        told_operator = render(tx, events[0], for_agency(feds))
        told_host = render(tx, events[0], for_agency(city))
    assert [e.object_id for e in audited] == [notice_id, notice_id]
    auditor = world.token(world.person(world.admin.agency, "auditor"))
    counted = call(http, auditor, "GET", "/reports/transparency")["notice_responses_by_host_agency"]
    assert [(r["agency_id"], r["response"], r["count"]) for r in counted] == [
        (city.id, "aware_not_assisting", 1),
        (city.id, "standing_by_for_public_safety", 1),
    ]
    assert [(e.agency_id, (e.details or {}).get("response")) for e in events] == [
        (feds.id, "aware_not_assisting"),
        (feds.id, "standing_by_for_public_safety"),
    ]
    assert told_operator is not None and told_operator["response"] == "aware_not_assisting"
    assert told_operator["agency_id"] == city.id and told_host is None


def test_only_the_host_answers(world: World, http: httpx.Client) -> None:
    _, feds, notice_id, _ = _host_with_notice(world, http)
    other = world.agency("local", name="St. Paul PD")
    call(
        http,
        world.token(world.person(other, "supervisor")),
        "POST",
        f"/notices/{notice_id}/response",
        {"response": "assisting"},
        status=404,
    )
    call(
        http,
        world.token(world.person(feds, "supervisor")),
        "POST",
        f"/notices/{notice_id}/response",
        {"response": "assisting"},
        status=403,
    )


def test_a_bad_answer_is_refused_naming_the_field(world: World, http: httpx.Client) -> None:
    city, _, notice_id, _ = _host_with_notice(world, http)
    sup = world.token(world.person(city, "supervisor"))
    r = http.post(f"{API}/notices/{notice_id}/response", json={"response": "maybe"}, headers=bearer(sup))
    assert r.status_code == 422 and "response" in r.text
    r = http.post(
        f"{API}/notices/{notice_id}/response", json={"response": "assisting", "note": "x" * 1001}, headers=bearer(sup)
    )
    assert r.status_code == 422 and "note" in r.text
    assert "response" not in call(http, sup, "GET", "/notices")["items"][0]

"""Host agencies answer jurisdiction notices over HTTP (issue 13, Deliver 1).

A city whose policy forbids assisting civil immigration enforcement answers `aware_not_assisting`:
awareness recorded for officer safety, non-participation stated. The federal team sees the answer
on its operation and hears it live; only the host may answer; every change is audited and counted.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from commonground.bootstrap import build_deliveries
from commonground.domain.model import Agency
from tests.conftest import LiveServer, World, bearer, operation_data
from tests.functional.sse_client import SseClient
from tests.functional.test_policy_sharing import call
from tests.integration.notify_receivers import WebhookReceiver

API = "/api/v1"
SPOT = (44.9778, -93.2650)


def _square(lat: float, lon: float, half: float = 0.05) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _host_city(world: World, http: httpx.Client) -> Agency:
    city = world.agency("local", name="Minneapolis PD", policy={"restricted_purposes": ["civil_immigration"]})
    call(http, world.token(world.admin), "PUT", f"/agencies/{city.id}/jurisdiction", _square(*SPOT))
    return city


def _federal_operation(http: httpx.Client, token: str) -> Any:
    body = operation_data(*SPOT, purpose="civil_immigration", type="immigration_enforcement", title="Op Dawn")
    return call(http, token, "POST", "/operations", body, status=201)


def _the_notice(http: httpx.Client, token: str, operation_id: str) -> Any:
    found = [n for n in call(http, token, "GET", "/notices")["items"] if n["operation"]["id"] == operation_id]
    assert len(found) == 1, found
    return found[0]


def test_the_host_answers_aware_not_assisting_and_the_operator_sees_it_on_its_operation(
    world: World, http: httpx.Client
) -> None:
    city = _host_city(world, http)
    feds = world.agency("federal", name="ICE ERO St. Paul")
    fed_token = world.token(world.person(feds, "supervisor"))
    op = _federal_operation(http, fed_token)
    watch_commander = world.token(world.person(city, "supervisor"))
    notice = _the_notice(http, watch_commander, op["id"])
    assert "response" not in notice

    answered = call(
        http,
        watch_commander,
        "POST",
        f"/notices/{notice['id']}/response",
        {"response": "aware_not_assisting", "note": "City policy: no assistance. Patrol told for safety."},
    )
    assert answered["id"] == notice["id"] and answered["operation"]["id"] == op["id"]
    assert answered["operation"]["level_disclosed"] == "safety"
    assert answered["response"]["response"] == "aware_not_assisting"
    assert answered["response"]["agency"]["ori"] == city.ori
    assert _the_notice(http, watch_commander, op["id"])["response"]["response"] == "aware_not_assisting"

    seen = call(http, fed_token, "GET", f"/operations/{op['id']}")
    assert [(r["agency"]["name"], r["response"], r["note"]) for r in seen["host_responses"]] == [
        ("Minneapolis PD", "aware_not_assisting", "City policy: no assistance. Patrol told for safety.")
    ]

    # A dispatcher of the city changes the answer: it replaces the first, and both are audited.
    dispatcher = world.token(world.person(city, "dispatcher"))
    call(http, dispatcher, "POST", f"/notices/{notice['id']}/response", {"response": "request_contact"})
    [answer] = call(http, fed_token, "GET", f"/operations/{op['id']}")["host_responses"]
    assert answer["response"] == "request_contact" and "note" not in answer
    with world.services.store.read() as tx:
        audited = [r.entry for r in tx.audit.all() if r.entry.action == "host:notice:respond"]
    details = [e.details or {} for e in audited]
    assert [(e.object_id, d["response"], d["previous"]) for e, d in zip(audited, details, strict=True)] == [
        (notice["id"], "aware_not_assisting", None),
        (notice["id"], "request_contact", "aware_not_assisting"),
    ]
    assert all(d["owner_agency"] == feds.id for d in details) and {e.actor_agency_id for e in audited} == {city.id}

    # Counted, per host agency and response, in the transparency report.
    auditor = world.token(world.person(world.agency("state"), "auditor"))
    report = call(http, auditor, "GET", "/reports/transparency")
    assert report["host_responses_by_agency"] == [
        {"agency_id": city.id, "agency": "Minneapolis PD", "request_contact": 1}
    ]
    # Another agency's operation never shows them: no host_responses key unless it is the owner's.
    other = world.agency("local")
    assert "host_responses" not in call(http, world.token(world.person(other)), "GET", "/notices")


def test_only_the_host_answers(world: World, http: httpx.Client) -> None:
    """Another agency gets 404 (it cannot learn the notice exists); the operating agency 403; an officer 403."""
    city = _host_city(world, http)
    feds = world.agency("federal")
    fed_token = world.token(world.person(feds, "supervisor"))
    op = _federal_operation(http, fed_token)
    notice = _the_notice(http, world.token(world.person(city, "supervisor")), op["id"])
    path = f"{API}/notices/{notice['id']}/response"
    body = {"response": "assisting"}

    stranger = world.token(world.person(world.agency("local"), "supervisor"))
    assert http.post(path, json=body, headers=bearer(stranger)).status_code == 404
    r = http.post(path, json=body, headers=bearer(fed_token))
    assert r.status_code == 403, r.text
    assert "host agency" in r.json()["error"]["message"]
    officer = world.token(world.person(city, "officer"))
    assert http.post(path, json=body, headers=bearer(officer)).status_code == 403
    missing = f"{API}/notices/01900000-0000-7000-8000-000000000000/response"
    assert http.post(missing, json=body, headers=bearer(stranger)).status_code == 404
    with world.services.store.read() as tx:
        assert tx.notice_responses.of_operation(op["id"]) == []
        assert not [r for r in tx.audit.all() if r.entry.action == "host:notice:respond"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"response": "helping"}, "response"),
        ({}, "response"),
        ({"response": "assisting", "note": "x" * 1001}, "note"),
        ({"response": "assisting", "note": "bell\x07"}, "note"),
        ({"response": "assisting", "extra": 1}, "extra"),
    ],
)
def test_a_bad_answer_names_its_field_and_changes_nothing(
    world: World, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    city = _host_city(world, http)
    feds = world.agency("federal")
    op = _federal_operation(http, world.token(world.person(feds, "supervisor")))
    host = world.token(world.person(city, "supervisor"))
    notice = _the_notice(http, host, op["id"])
    r = http.post(f"{API}/notices/{notice['id']}/response", json=body, headers=bearer(host))
    assert r.status_code == 422, r.text
    assert field in r.text
    with world.services.store.read() as tx:
        assert tx.notice_responses.of_operation(op["id"]) == []


def test_the_operator_hears_the_answer_live_and_by_webhook(world: World) -> None:
    world.services.settings.notify_worker = False
    world.services.settings.webhook_allowed_networks = "127.0.0.0/8"
    with LiveServer(world.services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        city = _host_city(world, http)
        feds = world.agency("federal")
        agent, fed_admin = world.person(feds, "supervisor"), world.person(feds, "agency_admin")
        fed_token = world.token(agent)
        op = _federal_operation(http, fed_token)
        host = world.token(world.person(city, "supervisor"))
        notice = _the_notice(http, host, op["id"])
        with WebhookReceiver() as hook, SseClient(live.url, fed_token) as stream:
            settings = world.services.channels.put(
                fed_admin, feds.id, {"webhooks": [{"url": hook.url, "events": ["notice.responded"]}]}
            )
            hook.secret = settings["webhooks"][0]["secret"]
            call(http, host, "POST", f"/notices/{notice['id']}/response", {"response": "standing_by_for_public_safety"})
            streamed = stream.next()
            worker = build_deliveries(world.services.settings, world.services.store, world.services.clock)
            assert worker.run_once() == 1
        assert streamed.event == "notice.responded"
        assert streamed.data["operation_id"] == op["id"] and streamed.data["notice_id"] == notice["id"]
        assert streamed.data["response"] == "standing_by_for_public_safety"
        assert streamed.data["agency"]["ori"] == city.ori
        [hooked] = hook.received
        assert hooked["valid"] and hooked["body"]["data"]["response"] == "standing_by_for_public_safety"

"""Agency missions over HTTP: a restricting city's protection rests on what the other agency is, not on
what its operations declare (issue 16, "Roles and purposes that cannot be gamed").

The measured attack: a civil immigration field office entered a second operation at the city's spot as
``criminal`` and received the city's title, case number and notes, and a subject match.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from commonground.bootstrap import build_deliveries
from commonground.domain.model import Agency
from tests.conftest import LiveServer, World, bearer, operation_data, under_way
from tests.functional.sse_client import SseClient
from tests.functional.test_policy_sharing import CITY_SECRETS, PERSON, call, city_operation
from tests.integration.notify_receivers import WebhookReceiver

API = "/api/v1"


def _city_and_field_office(world: World, **city_policy: Any) -> tuple[Agency, Agency]:
    city = world.agency(
        "local",
        name="Minneapolis PD",
        policy={
            "disclose": {"federal": "full", "state": "full", "local": "full", "tribal": "full", "watch": "full"},
            "restricted_purposes": ["civil_immigration"],
            **city_policy,
        },
    )
    return city, world.agency("federal", name="ICE ERO St. Paul")


def _record_missions(http: httpx.Client, world: World, agency: Agency, missions: list[str], status: int = 200) -> Any:
    return call(
        http, world.token(world.admin), "PUT", f"/agencies/{agency.id}/missions", {"missions": missions}, status
    )


def _criminal(http: httpx.Client, token: str, lat: float = 44.97915, **extra: Any) -> Any:
    body = operation_data(
        lat, -93.2650, type="arrest_warrant", purpose="criminal", title="Fugitive warrant", **{**under_way(), **extra}
    )
    return call(http, token, "POST", "/operations", body, status=201)


def _leaks(seen: Any) -> list[str]:
    rendered = json.dumps(seen)
    return [s for s in CITY_SECRETS if s in rendered]


def test_a_mission_agency_gets_safety_whatever_its_operation_declares(world: World) -> None:
    """API, live stream, webhook and look-up: a `criminal` operation of a civil immigration field office
    receives nothing of the city above `safety`, and no subject match is made between them."""
    # This test's own delivery worker sends the webhook to loopback; the server's would refuse it.
    world.services.settings.notify_worker = False
    world.services.settings.webhook_allowed_networks = "127.0.0.0/8"
    with LiveServer(world.services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        _mission_agency_over_every_path(world, live, http)


def _mission_agency_over_every_path(world: World, live: LiveServer, http: httpx.Client) -> None:
    city, feds = _city_and_field_office(world)
    agency = _record_missions(http, world, feds, ["civil_immigration"])
    assert agency["id"] == feds.id and agency["missions"] == ["civil_immigration"] and "policy" not in agency
    city_token = world.token(world.person(city))
    agent, fed_admin = world.person(feds, "supervisor"), world.person(feds, "agency_admin")
    fed_token = world.token(agent)
    assert call(http, fed_token, "GET", f"/agencies/{feds.id}")["missions"] == ["civil_immigration"]
    city_op = city_operation(http, city_token, **under_way())

    with WebhookReceiver() as hook, SseClient(live.url, fed_token) as stream:
        settings = world.services.channels.put(
            fed_admin, feds.id, {"webhooks": [{"url": hook.url, "events": ["conflict.created"]}]}
        )
        hook.secret = settings["webhooks"][0]["secret"]
        fed_op = _criminal(http, fed_token, subjects=[PERSON])
        assert [(c["kind"], c["counterpart"]["level_disclosed"]) for c in fed_op["conflicts"]] == [
            ("proximity", "safety")
        ]
        streamed = stream.next()
        assert streamed.event == "conflict.created" and streamed.data["counterpart"]["level_disclosed"] == "safety"
        worker = build_deliveries(world.services.settings, world.services.store, world.services.clock)
        assert worker.run_once() == 1
    [hooked] = hook.received
    assert hooked["valid"] and hooked["body"]["data"]["counterpart"]["level_disclosed"] == "safety"

    dispatcher = world.token(world.person(feds, "dispatcher"))
    r = http.get(f"{API}/lookup", params={"lat": 44.9778, "lon": -93.2650}, headers=bearer(dispatcher))
    assert r.status_code == 200, r.text
    assert [h["level_disclosed"] for h in r.json()["operations"] if h["id"] == city_op["id"]] == ["safety"]
    seen = [
        fed_op["conflicts"],
        call(http, fed_token, "GET", "/conflicts"),
        call(http, fed_token, "GET", f"/operations/{city_op['id']}"),
        streamed.data,
        hooked["body"],
        r.json(),
    ]
    assert _leaks(seen) == []

    # The subject match was suppressed as for a restricted purpose: counted, not made known.
    with world.services.store.read() as tx:
        suppressed = [r.entry for r in tx.audit.all() if r.entry.action == "policy:subject-match:suppressed"]
        missions = [r.entry for r in tx.audit.all() if r.entry.action == "admin:missions:update"]
    assert [e.details for e in suppressed] == [{"restricting_agency": city.id, "count": 1}]
    assert [(e.object_id, e.details) for e in missions] == [(feds.id, {"old": [], "new": ["civil_immigration"]})]
    assert call(http, city_token, "GET", "/conflicts")["items"][0]["kind"] == "proximity"

    # Sticky: clearing the mission later releases nothing about the operation that was restricted.
    _record_missions(http, world, feds, [])
    assert [c["counterpart"]["level_disclosed"] for c in call(http, fed_token, "GET", "/conflicts")["items"]] == [
        "safety"
    ]
    assert _leaks(call(http, fed_token, "GET", f"/operations/{city_op['id']}")) == []


def test_a_second_operation_entered_as_criminal_at_the_same_spot_is_held_too(world: World, http: httpx.Client) -> None:
    """The finding's second form: the field office's civil_immigration operation is restricted, and a new
    `criminal` one beside it is restricted as well, because of what the field office is."""
    city, feds = _city_and_field_office(world)
    _record_missions(http, world, feds, ["civil_immigration"])
    city_token, fed_token = world.token(world.person(city)), world.token(world.person(feds))
    city_op = city_operation(http, city_token, **under_way())
    first = call(
        http,
        fed_token,
        "POST",
        "/operations",
        operation_data(44.97915, -93.2650, purpose="civil_immigration", type="immigration_enforcement", **under_way()),
        status=201,
    )
    assert [c["counterpart"]["level_disclosed"] for c in first["conflicts"]] == ["safety"]
    second = _criminal(http, fed_token, lat=44.97900, subjects=[PERSON])
    city_views = [c for c in second["conflicts"] if c["counterpart"]["id"] == city_op["id"]]
    assert [(c["kind"], c["counterpart"]["level_disclosed"]) for c in city_views] == [("proximity", "safety")]
    assert _leaks([second["conflicts"], call(http, fed_token, "GET", "/conflicts")]) == []


def test_an_exception_judges_a_task_force_by_what_it_declares(world: World, http: httpx.Client) -> None:
    """The city lists a joint task force as an exception (SB 54): its `criminal` operation gets the city's
    federal level and subject matches; one it declares civil_immigration still gets `safety`."""
    city, feds = _city_and_field_office(world)
    _record_missions(http, world, feds, ["civil_immigration"])
    city_admin = world.token(world.person(city, "agency_admin"))
    policy = call(http, city_admin, "GET", f"/agencies/{city.id}/policy")
    assert policy["restriction_exceptions"] == []
    body = {k: v for k, v in policy.items() if k not in ("version", "allow_withheld")}
    changed = call(http, city_admin, "PUT", f"/agencies/{city.id}/policy", body | {"restriction_exceptions": [feds.id]})
    assert changed["restriction_exceptions"] == [feds.id]

    city_token, fed_token = world.token(world.person(city)), world.token(world.person(feds))
    city_operation(http, city_token, **under_way())
    criminal = _criminal(http, fed_token, subjects=[PERSON])
    kinds = sorted((c["kind"], c["counterpart"]["level_disclosed"]) for c in criminal["conflicts"])
    assert kinds == [("proximity", "full"), ("subject", "full")]
    declared = call(
        http,
        fed_token,
        "POST",
        "/operations",
        operation_data(45.3, -93.9, purpose="civil_immigration", subjects=[PERSON], **under_way()),
        status=201,
    )
    city_views = [c for c in declared["conflicts"] if c["counterpart"]["agency"]["name"] == "Minneapolis PD"]
    assert city_views == []  # its subject match with the city is suppressed: a declared purpose still counts


def test_only_the_installation_admin_records_missions(world: World, http: httpx.Client) -> None:
    feds = world.agency("federal", name="ICE ERO St. Paul")
    own_admin = world.token(world.person(feds, "agency_admin"))
    path = f"/agencies/{feds.id}/missions"
    refused = call(http, own_admin, "PUT", path, {"missions": []}, status=403)
    assert refused["error"]["code"] == "forbidden"
    bad = _record_missions(http, world, feds, ["deportation"], status=422)
    assert [d["field"] for d in bad["error"]["details"]] == ["missions.0"]
    missing = call(http, world.token(world.admin), "PUT", "/agencies/nope/missions", {"missions": []}, status=404)
    assert missing["error"]["code"] == "not_found"
    with world.services.store.read() as tx:
        stored = tx.agencies.get(feds.id)
        assert stored is not None and stored.missions == frozenset()
        assert not [r for r in tx.audit.all() if r.entry.action == "admin:missions:update"]


def test_restriction_exceptions_name_other_agencies(world: World, http: httpx.Client) -> None:
    city, feds = _city_and_field_office(world)
    city_admin = world.token(world.person(city, "agency_admin"))
    path = f"/agencies/{city.id}/policy"
    for exceptions, field in (([city.id], "restriction_exceptions.0"), ([feds.id, "nope"], "restriction_exceptions.1")):
        r = call(http, city_admin, "PUT", path, {"restriction_exceptions": exceptions}, status=422)
        assert [d["field"] for d in r["error"]["details"]] == [field]
    assert call(http, city_admin, "GET", path)["version"] == 1

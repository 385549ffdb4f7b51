"""Critical incidents over HTTP (issue 13, Deliver 4).

Shots fired during a federal operation whose notice was withheld: the city whose jurisdiction
holds the place, the sheriff whose team is in conflict with it and the watch center hear of it at
once on the stream (and by webhook and e-mail); a stranger sees nothing; only the operating
agency reports; nobody acknowledging in 5 minutes alerts the watch again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from commonground.bootstrap import Services, build_deliveries, build_services
from commonground.config import Settings
from commonground.domain.model import Agency
from commonground.service.clock import ManualClock
from tests.conftest import LiveServer, World, bearer, operation_data, under_way
from tests.functional.sse_client import SseClient, SseEvent
from tests.functional.test_policy_sharing import call
from tests.integration.notify_receivers import SmtpServer, WebhookReceiver, parts

API = "/api/v1"
SPOT = (44.9778, -93.2650)
PLACE = {"type": "Point", "coordinates": [-93.2655, 44.9781]}


def _square(lat: float, lon: float, half: float = 0.05) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@dataclass
class Scene:
    """A withheld federal operation in a city, a sheriff's team in conflict with it, the watch center."""

    world: World
    feds: Agency
    city: Agency
    sheriff: Agency
    agent: str  # the federal officer who entered the operation
    fed_supervisor: str
    host: str  # the city's watch commander (a supervisor)
    counterpart: str  # the sheriff's supervisor
    watch: str
    stranger: str  # a supervisor of an agency with no part in it
    operation_id: str


def scene(world: World, http: httpx.Client) -> Scene:
    city = world.agency("local", name="Minneapolis PD")
    call(http, world.token(world.admin), "PUT", f"/agencies/{city.id}/jurisdiction", _square(*SPOT))
    feds = world.agency("federal", name="ICE ERO St. Paul", policy={"allow_withheld": True})
    sheriff = world.agency("local", name="Hennepin County Sheriff")
    agent = world.token(world.person(feds, "officer"))
    body = operation_data(*SPOT, notice="withheld", **under_way())
    op = call(http, agent, "POST", "/operations", body, status=201)
    counterpart = world.token(world.person(sheriff, "supervisor"))
    checked = call(http, counterpart, "POST", "/operations", operation_data(*SPOT, **under_way()), status=201)
    assert checked["conflicts"], "the sheriff's team must be in conflict with the federal one"
    host = world.token(world.person(city, "supervisor"))
    noticed = [n["operation"]["id"] for n in call(http, host, "GET", "/notices")["items"]]
    assert op["id"] not in noticed  # withheld: the city was told nothing of the federal operation
    return Scene(
        world,
        feds,
        city,
        sheriff,
        agent,
        world.token(world.person(feds, "supervisor")),
        host,
        counterpart,
        world.token(world.person(world.agency("state", name="State Watch Center"), "watch")),
        world.token(world.person(world.agency("local", name="Elsewhere PD"), "supervisor")),
        op["id"],
    )


def report(s: Scene, http: httpx.Client, token: str | None = None, **change: Any) -> httpx.Response:
    body = {
        "kind": "shots_fired",
        "at": "2026-12-01T06:05:00-06:00",
        "summary": "Shots fired at the rear door; one suspect fled north on foot",
        "location": PLACE,
        "assistance_requested": True,
        **change,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return http.post(f"{API}/operations/{s.operation_id}/incidents", json=body, headers=bearer(token or s.agent))


@pytest.fixture
def live_world(services: Services) -> Iterator[tuple[World, LiveServer, httpx.Client]]:
    services.settings.notify_worker = False  # the test runs the delivery pass itself
    with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        yield World(services), live, http


def test_an_incident_overrides_withheld_and_reaches_host_counterpart_and_watch_on_the_stream(
    live_world: tuple[World, LiveServer, httpx.Client],
) -> None:
    world, live, http = live_world
    s = scene(world, http)
    with (
        SseClient(live.url, s.host) as host,
        SseClient(live.url, s.counterpart) as counterpart,
        SseClient(live.url, s.watch) as watch,
        SseClient(live.url, s.stranger) as stranger,
    ):
        r = report(s, http)
        assert r.status_code == 201, r.text
        made = r.json()
        heard = {name: stream.next(timeout=5) for name, stream in (("host", host), ("counterpart", counterpart))}
        heard["watch"] = watch.next(timeout=5)
        assert stranger.drain(0.5) == []
    assert made["kind"] == "shots_fired" and made["assistance_requested"] is True
    assert made["at"] == "2026-12-01T12:05:00.000Z"  # stored UTC
    assert made["location"] == PLACE
    assert made["operation"]["level_disclosed"] == "full"  # the operator's own
    assert made["summary"].startswith("Shots fired")
    for name, event in heard.items():
        assert event.event == "incident.reported", name
        data = event.data
        assert data["id"] == made["id"] and data["kind"] == "shots_fired", name
        assert data["at"] == made["at"] and data["location"] == PLACE and data["assistance_requested"] is True
        assert data["operation"]["id"] == s.operation_id and data["operation"]["level_disclosed"] == "safety", name
        assert "title" not in data["operation"] and "case_number" not in data["operation"]
    assert "summary" not in heard["host"].data and "summary" not in heard["counterpart"].data
    assert heard["watch"].data["summary"] == made["summary"]

    # The city was told as the host, the sheriff through the conflict; the report is audited with both.
    with world.services.store.read() as tx:
        told = tx.incidents.told(made["id"])
        [entry] = [r.entry for r in tx.audit.all() if r.entry.action == "ops:incident:report"]
    assert {a: r.value for a, r in told.items()} == {s.city.id: "host", s.sheriff.id: "conflict"}
    assert entry.object_id == made["id"] and sorted((entry.details or {})["told"]) == sorted(told)


def test_who_sees_an_incident_and_who_may_report_it(live_world: tuple[World, LiveServer, httpx.Client]) -> None:
    world, _, http = live_world
    s = scene(world, http)
    made = report(s, http).json()
    ids = {
        token: [i["id"] for i in call(http, token, "GET", "/incidents")["items"]]
        for token in vars(s).values()
        if isinstance(token, str) and token != s.operation_id
    }
    for token in (s.agent, s.fed_supervisor, s.host, s.counterpart, s.watch):
        assert ids[token] == [made["id"]]
    assert ids[s.stranger] == []

    path = f"{API}/operations/{s.operation_id}/incidents"
    assert [i["id"] for i in call(http, s.host, "GET", f"/operations/{s.operation_id}/incidents")["items"]] == [
        made["id"]
    ]
    missing = http.get(f"{API}/operations/01900000-0000-7000-8000-000000000000/incidents", headers=bearer(s.stranger))
    refused = http.get(path, headers=bearer(s.stranger))
    assert refused.status_code == missing.status_code == 404
    assert refused.json()["error"] == missing.json()["error"]

    # Reporting: the officer who entered it and the agency's supervisors; another agency 404, as a missing id.
    body = {"kind": "injury", "at": "2026-12-01T12:00:00Z", "summary": "x", "assistance_requested": False}
    other_officer = world.token(world.person(s.feds, "officer"))
    r = http.post(path, json=body, headers=bearer(other_officer))
    assert r.status_code == 403 and "own operations" in r.json()["error"]["message"]
    for stranger in (s.host, s.counterpart, s.stranger):
        r = http.post(path, json=body, headers=bearer(stranger))
        assert r.status_code == 404 and r.json()["error"] == missing.json()["error"], r.text
    assert http.post(path, json=body, headers=bearer(s.fed_supervisor)).status_code == 201
    # Without a location the operation's own point is used.
    [latest, first] = call(http, s.agent, "GET", "/incidents")["items"]
    assert first["id"] == made["id"] and latest["location"]["coordinates"] == [SPOT[1], SPOT[0]]

    # Paginated like every list.
    page = call(http, s.watch, "GET", "/incidents?limit=1")
    assert len(page["items"]) == 1 and page["next"]
    rest = call(http, s.watch, "GET", f"/incidents?limit=1&cursor={page['next']}")
    assert [i["id"] for i in rest["items"]] == [made["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "explosion"}, "kind"),
        ({"kind": None}, "kind"),
        ({"at": "2026-12-01T06:05:00"}, "at"),  # no offset: refused, not guessed
        ({"at": "yesterday"}, "at"),
        ({"at": None}, "at"),
        ({"at": "2099-01-01T00:00:00Z"}, "at"),  # in the future
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 2001}, "summary"),
        ({"summary": "bell\x07"}, "summary"),
        ({"summary": None}, "summary"),
        ({"location": {"type": "Polygon", "coordinates": [1, 2]}}, "location"),
        ({"location": {"type": "Point", "coordinates": [200, 44]}}, "location"),
        ({"location": {"type": "Point", "coordinates": [1]}}, "location"),
        ({"assistance_requested": "yes"}, "assistance_requested"),
        ({"assistance_requested": None}, "assistance_requested"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_report_names_its_field_and_changes_nothing(
    live_world: tuple[World, LiveServer, httpx.Client], change: dict[str, Any], field: str
) -> None:
    world, _, http = live_world
    s = scene(world, http)
    r = report(s, http, **change)
    assert r.status_code == 422, r.text
    assert field in r.text
    with world.services.store.read() as tx:
        assert tx.incidents.of_operation(s.operation_id) == []


def test_webhook_and_email_receive_the_incident(live_world: tuple[World, LiveServer, httpx.Client]) -> None:
    world, _, http = live_world
    settings = world.services.settings
    s = scene(world, http)
    with WebhookReceiver() as hook, SmtpServer() as smtp:
        settings.webhook_allowed_networks = "127.0.0.0/8"
        settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", smtp.port, "none"
        city_admin = world.person(s.city, "agency_admin")
        channels = world.services.channels.put(
            city_admin,
            s.city.id,
            {
                "webhooks": [{"url": hook.url, "events": ["incident.reported"]}],
                "emails": [{"address": "watch-commander@city.example.gov", "events": ["incident.reported"]}],
            },
        )
        hook.secret = channels["webhooks"][0]["secret"]
        world.services.channels.put(
            world.admin, None, {"emails": [{"address": "watch@state.example.gov", "events": ["incident.reported"]}]}
        )
        made = report(s, http).json()
        worker = build_deliveries(settings, world.services.store, world.services.clock)
        assert worker.run_once() == 3
    [hooked] = hook.received
    assert hooked["valid"] and hooked["body"]["event"] == "incident.reported"
    data = hooked["body"]["data"]
    assert data["id"] == made["id"] and data["operation"]["level_disclosed"] == "safety" and "summary" not in data
    mails = {str(m["To"]): m for m in smtp.inbox.messages}
    assert sorted(mails) == ["watch-commander@city.example.gov", "watch@state.example.gov"]
    host_mail, watch_mail = mails["watch-commander@city.example.gov"], mails["watch@state.example.gov"]
    assert "CRITICAL INCIDENT" in str(host_mail["Subject"])
    text, _ = parts(host_mail)
    assert "shots_fired" in text and "ASSISTANCE REQUESTED" in text and made["id"] in text
    assert "Shots fired at the rear door" not in text  # the operator's words: not to the host
    assert "CRITICAL INCIDENT" in str(watch_mail["Subject"]) and made["id"] in parts(watch_mail)[0]


def incident_events(stream: SseClient, wait: float = 0.5) -> list[SseEvent]:
    """What the stream brought within ``wait`` about incidents (the conflicts escalate on their own clock)."""
    return [e for e in stream.drain(wait) if e.event.startswith("incident.")]


@pytest.fixture
def clocked(store_url: str) -> Iterator[tuple[Services, ManualClock]]:
    clock = ManualClock(datetime.now(UTC))
    built = build_services(Settings(database_url=store_url, notify_worker=False), clock=clock)
    yield built, clock
    built.close()


def test_unacknowledged_for_5_minutes_the_watch_is_alerted_and_acknowledging_stops_it(
    clocked: tuple[Services, ManualClock],
) -> None:
    services, clock = clocked
    with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        s = scene(World(services), http)
        first, second = report(s, http).json(), report(s, http, kind="injury").json()
        path = f"{API}/incidents/{first['id']}/acknowledge"
        r = http.post(path, headers=bearer(s.fed_supervisor))  # the reporter's agency cannot
        assert r.status_code == 403 and "not by its reporter" in r.text
        missing = http.post(f"{API}/incidents/01900000-0000-7000-8000-000000000000/acknowledge", headers=bearer(s.host))
        r = http.post(path, headers=bearer(s.stranger))
        assert r.status_code == missing.status_code == 404 and r.json()["error"] == missing.json()["error"]
        with SseClient(live.url, s.fed_supervisor) as team:
            acked = call(http, s.host, "POST", f"/incidents/{first['id']}/acknowledge")
            [heard] = incident_events(team, 2.0)
            again = call(http, s.counterpart, "POST", f"/incidents/{first['id']}/acknowledge")
            assert incident_events(team) == []  # the first acknowledgement only
        assert acked["acknowledged_at"] is not None and again["acknowledged_at"] == acked["acknowledged_at"]
        assert heard.event == "incident.acknowledged" and heard.data["id"] == first["id"]
        assert heard.data["acknowledgement"]["agency"] == "Minneapolis PD"

        with SseClient(live.url, s.watch) as watch:
            clock.advance(timedelta(minutes=4, seconds=59))
            services.deliveries.run_once()
            assert incident_events(watch) == []
            clock.advance(timedelta(seconds=2))
            services.deliveries.run_once()
            [alert] = incident_events(watch, 2.0)
            services.deliveries.run_once()  # once only
            assert incident_events(watch) == []
    assert alert.event == "incident.escalated"
    assert alert.data["id"] == second["id"] and alert.data["escalation"]["reason"] == "unacknowledged"
    assert alert.data["escalated_at"] is not None
    with services.store.read() as tx:
        actions = [(r.entry.action, r.entry.object_id) for r in tx.audit.all() if "incident" in r.entry.action]
    assert ("notify:incident:escalate", second["id"]) in actions
    assert ("notify:incident:escalate", first["id"]) not in actions
    assert ("host:incident:acknowledge", first["id"]) in actions

"""The recognition signal goes where rule 3 of issue 13 lets it, and nowhere else.

A challenge / recognition signal is worth something only while few know it. It is disclosed to
the parties in conflict with the operation (their conflict views of it) and to verifications
that find it. This test enters one with a signal nobody could guess, then calls every GET route
of the OpenAPI document as every kind of caller, the KML and GeoJSON answers, the CSV exports,
and renders every outbox event for webhooks and e-mail: the signal must appear in the allowed
answers, and in none of the others.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from commonground.notify.email import compose
from commonground.notify.render import for_channels, for_user, render
from commonground.service.delivery import envelope
from commonground.service.exports import ExportKind
from tests.conftest import LiveServer, World, bearer, operation_data
from tests.functional.test_notice_responses import _square
from tests.functional.test_policy_sharing import call

API = "/api/v1"
SPOT = (44.9778, -93.2650)
SECRET = "RECOG-heron-7f3a"
# Where the signal may appear: conflict views (lists, one conflict, the operation read through its
# conflict by the other side) and verification answers.
ALLOWED = {
    "/api/v1/conflicts",
    "/api/v1/conflicts/{conflict_id}",
    "/api/v1/operations/{operation_id}",
    "/api/v1/verify",
    "/api/v1/verify/plate",
}
SKIPPED = {"/api/v1/stream"}  # a stream never ends: its events are the outbox rendered below
QUERY: dict[str, dict[str, Any]] = {
    "/api/v1/lookup": {"lat": SPOT[0], "lon": SPOT[1]},
    "/api/v1/verify": {"lat": SPOT[0], "lon": SPOT[1]},
    "/api/v1/verify/plate": {"plate": "fed-777"},
    "/api/v1/reports/participation": {"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"},
    "/api/v1/reports/public": {"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"},
}


def _expand(path: str, ids: dict[str, list[str]]) -> list[str]:
    """Every concrete path of a template, one per known id of each parameter."""
    if "{" not in path:
        return [path]
    name = path[path.index("{") + 1 : path.index("}")]
    return [p for value in ids[name] for p in _expand(path.replace(f"{{{name}}}", value, 1), ids)]


def test_the_recognition_signal_reaches_only_conflicting_parties_and_verifications(
    world: World, live: LiveServer
) -> None:
    world.services.settings.notify_worker = False
    with httpx.Client(base_url=live.url, timeout=10) as http:
        city = world.agency("local", name="Minneapolis PD", jurisdiction=_square(*SPOT))
        feds = world.agency("federal", name="HSI St. Paul")
        state = world.agency("state", name="State Watch")
        bystander = world.agency("local", name="Bystander PD")
        people = {
            "fed supervisor": world.person(feds, "supervisor"),
            "fed officer": world.person(feds, "officer"),
            "fed admin": world.person(feds, "agency_admin"),
            "city officer": world.person(city, "officer"),
            "city supervisor": world.person(city, "supervisor"),
            "city dispatcher": world.person(city, "dispatcher"),
            "city admin": world.person(city, "agency_admin"),
            "auditor": world.person(state, "auditor"),
            "watch": world.person(state, "watch"),
            "bystander officer": world.person(bystander, "officer"),
            "installation admin": world.admin,
        }
        tokens = {name: world.token(who) for name, who in people.items()}
        starts: dict[str, Any] = {"starts": datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5), "hours": 3}
        team = {
            "personnel": 4,
            "members": [{"name": "SA J. Rivera", "badge_number": "4471"}],
            "vehicles_detail": [{"description": "grey sedan", "plate": "FED777", "state": "MN", "marked": False}],
            "talkgroup": "MN STAT 2",
            "recognition": SECRET,
            "visible_identification": False,
        }
        fed_op = call(
            http, tokens["fed supervisor"], "POST", "/operations", operation_data(*SPOT, team=team, **starts), 201
        )
        assert SECRET not in json.dumps(fed_op["operation"] if "operation" in fed_op else fed_op["team"])
        city_op = call(http, tokens["city officer"], "POST", "/operations", operation_data(*SPOT, **starts), 201)
        [conflict] = call(http, tokens["city supervisor"], "GET", "/conflicts")["items"]
        [notice] = call(http, tokens["city supervisor"], "GET", "/notices")["items"]
        expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        case = {
            "case_number": "24-1",
            "subjects": [{"kind": "phone", "number": "+1 612 555 0177"}],
            "expires_at": expires,
        }
        target = call(http, tokens["fed officer"], "POST", "/targets", case, 201)

        ids = {
            "target_id": [target["id"]],
            "operation_id": [fed_op["id"], city_op["id"]],
            "conflict_id": [conflict["id"]],
            "agency_id": [city.id, feds.id, state.id],
            "notice_id": [notice["id"]],
        }
        seen: set[tuple[str, str]] = set()
        answered: set[str] = set()
        doc = http.get(f"{API}/openapi.json").json()
        for template, ops in doc["paths"].items():
            if "get" not in ops or template in SKIPPED:
                continue
            for path in _expand(template, ids):
                for caller, token in tokens.items():
                    r = http.get(path, params=QUERY.get(template), headers=bearer(token))
                    assert r.status_code < 500, (path, caller, r.text)
                    if r.status_code == 200:
                        answered.add(template)
                    if SECRET in r.text:
                        seen.add((template, caller))
        for accept in ("application/vnd.google-earth.kml+xml", "application/geo+json"):
            for caller, token in tokens.items():
                for path in ("/operations", "/notices"):
                    r = http.get(f"{API}{path}", headers={**bearer(token), "Accept": accept})
                    assert SECRET not in r.text, (path, accept, caller)

    # Every route was asked and answered by someone, so no route escaped the search.
    assert answered >= {t for t in doc["paths"] if "get" in doc["paths"][t] and t not in SKIPPED} - {
        "/readyz",
        "/metrics",
    }
    assert {template for template, _ in seen} <= ALLOWED, seen
    # The conflicting side sees it on its conflicts and reads; verifiers see it; the owner, the watch,
    # the auditor, the bystander's lists never do.
    assert ("/api/v1/conflicts", "city supervisor") in seen and ("/api/v1/conflicts", "city officer") in seen
    assert ("/api/v1/conflicts/{conflict_id}", "city supervisor") in seen
    assert ("/api/v1/operations/{operation_id}", "city officer") in seen
    assert {c for t, c in seen if t == "/api/v1/verify"} >= {"city officer", "city dispatcher", "watch"}
    assert ("/api/v1/verify/plate", "bystander officer") in seen
    assert not {c for t, c in seen if t not in ("/api/v1/verify", "/api/v1/verify/plate")} & {
        "fed supervisor",
        "fed officer",
        "fed admin",
        "watch",
        "auditor",
        "installation admin",
        "bystander officer",
    }

    # CSV exports (operations and conflicts, as the conflicting side and as the owner) never carry it.
    exports = world.services.exports
    period = (datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))
    for who in (people["city supervisor"], people["fed supervisor"]):
        for kind in (ExportKind.OPERATIONS, ExportKind.CONFLICTS):
            rows = exports.rows(who, kind, *period)
            assert SECRET not in json.dumps(rows), (kind, who.user.username)
    assert exports.rows(people["city supervisor"], ExportKind.CONFLICTS, *period)  # the conflict was exported

    # Webhooks and e-mail: every event as each agency's channels and the watch's would carry it.
    with world.services.store.read() as tx:
        events = tx.outbox.all_after(0, 10_000)
        agencies = [tx.agencies.get(a) for a in (city.id, feds.id, state.id)]
        rendered = 0
        for event in events:
            for agency in (*agencies, None):
                data = for_channels(tx, event, agency)
                if data is None:
                    continue
                rendered += 1
                body = envelope(event, "key", data)
                assert SECRET not in json.dumps(body), event.kind
                assert SECRET not in "".join(compose(body)), event.kind
    assert rendered and any(e.kind == "conflict.created" for e in events)
    # ... while the stream's own rendering for the conflicting side's user does carry it (a conflict view).
    with world.services.store.read() as tx:
        city_views = [render(tx, e, for_user(people["city supervisor"])) for e in events]
    assert any(SECRET in json.dumps(v) for v in city_views if v is not None)

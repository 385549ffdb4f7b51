"""A city that restricts civil immigration enforcement and a federal field office, over HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx

from commonground.notify.render import for_agency, render
from tests.conftest import World, bearer, operation_data

API = "/api/v1"
PERSON = {"kind": "person", "first_name": "Maria", "last_name": "Gonzalez-Reyes", "dob": "1988-04-12"}
CITY_SECRETS = (
    "Narcotics buy, apartment 3B",
    "MPD-26-7731",
    "CI arrives 06:50 in a red Civic",
    "knock_and_talk",
    "Gonzalez",
    "Maria",
    "1988-04-12",
)


def call(http: httpx.Client, token: str, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    r = http.request(method, API + path, json=body, headers=bearer(token))
    assert r.status_code == status, r.text
    return r.json()


def test_restricted_purpose_keeps_subjects_and_details_from_the_federal_side(world: World, http: httpx.Client) -> None:
    city = world.agency(
        "local",
        name="Minneapolis PD",
        policy={
            "disclose": {"federal": "operational", "state": "full", "local": "full", "tribal": "full", "watch": "full"},
            "restricted_purposes": ["civil_immigration"],
        },
    )
    feds = world.agency("federal", name="ICE ERO St. Paul")
    city_token, fed_token = world.token(world.person(city)), world.token(world.person(feds))

    city_op = call(
        http,
        city_token,
        "POST",
        "/operations",
        operation_data(
            44.9778,
            -93.2650,
            type="knock_and_talk",
            title=CITY_SECRETS[0],
            case_number=CITY_SECRETS[1],
            notes=CITY_SECRETS[2],
            subjects=[PERSON],
        ),
        status=201,
    )
    fed_op = call(
        http,
        fed_token,
        "POST",
        "/operations",
        operation_data(
            44.97915,
            -93.2650,
            type="immigration_enforcement",
            purpose="civil_immigration",
            title="Target pickup",
            subjects=[dict(PERSON, first_name="María")],
        ),
        status=201,
    )

    # Both sides get the proximity conflict with contacts at the safety level, and no subject conflict.
    [fed_view] = fed_op["conflicts"]
    assert fed_view["kind"] == "proximity" and fed_view["counterpart"]["level_disclosed"] == "safety"
    assert fed_view["counterpart"]["contact"]["phone"] == "+1 612 555 0100"
    city_conflicts = call(http, city_token, "GET", "/conflicts")["items"]
    assert [c["kind"] for c in city_conflicts] == ["proximity"]
    assert city_conflicts[0]["counterpart"]["agency"]["name"] == "ICE ERO St. Paul"

    # Everything the federal side can read of the city says nothing of the city's case.
    # (Its own operation carries its own copy of the person, so only its conflicts count.)
    seen = [
        fed_op["conflicts"],
        call(http, fed_token, "GET", "/conflicts"),
        call(http, fed_token, "GET", f"/conflicts/{fed_view['id']}"),
        call(http, fed_token, "GET", f"/operations/{city_op['id']}"),
        call(http, fed_token, "GET", "/notices"),
    ]
    rendered = json.dumps(seen)
    assert [s for s in CITY_SECRETS if s in rendered] == []

    # The same person in a federal *criminal* operation elsewhere is a subject conflict.
    criminal = call(
        http,
        fed_token,
        "POST",
        "/operations",
        operation_data(
            45.2,
            -93.9,
            type="arrest_warrant",
            purpose="criminal",
            title="Fugitive warrant",
            subjects=[{"kind": "person", "first_name": "Maria", "last_name": "Gonzalez", "dob": "1988-12-04"}],
        ),
        status=201,
    )
    subjects = {c["counterpart"]["agency"]["name"]: c for c in criminal["conflicts"] if c["kind"] == "subject"}
    assert set(subjects) == {"Minneapolis PD", "ICE ERO St. Paul"}  # its own other case too
    subject = subjects["Minneapolis PD"]
    assert subject["matched"] == "person" and subject["counterpart"]["level_disclosed"] == "operational"
    assert "Gonzalez" not in json.dumps(subject) and "1988-04-12" not in json.dumps(subject)

    # The suppressed match was counted for oversight, without identifiers.
    auditor = world.token(world.person(world.agency(), "auditor"))
    report = call(http, auditor, "GET", "/reports/transparency")
    [row] = report["suppressed_subject_matches_by_restricting_agency"]
    assert row["agency"] == "Minneapolis PD" and row["count"] >= 1
    assert "Gonzalez" not in json.dumps(call(http, auditor, "GET", "/audit", None)["items"][-40:])


def _city_and_feds(world: World) -> tuple[str, str, Any]:
    city = world.agency(
        "local",
        name="Minneapolis PD",
        policy={
            "disclose": {"federal": "full", "state": "full", "local": "full", "tribal": "full", "watch": "full"},
            "restricted_purposes": ["civil_immigration"],
        },
    )
    feds = world.agency("federal", name="ICE ERO St. Paul")
    return world.token(world.person(city)), world.token(world.person(feds)), city


def city_operation(http: httpx.Client, token: str, **extra: Any) -> Any:
    """The restricting city's operation, carrying every secret the other side must never see."""
    body = operation_data(
        44.9778,
        -93.2650,
        type="knock_and_talk",
        title=CITY_SECRETS[0],
        case_number=CITY_SECRETS[1],
        notes=CITY_SECRETS[2],
        subjects=[PERSON],
        **extra,
    )
    return call(http, token, "POST", "/operations", body, status=201)


def test_a_purpose_change_releases_nothing_and_the_restricting_agency_is_told(world: World, http: httpx.Client) -> None:
    """The measured attack: PATCHing a live civil_immigration operation to criminal released the city's
    title, case number, notes and a subject match at once. Restriction is sticky now; the change is
    audited and the city hears of it."""
    city_token, fed_token, city = _city_and_feds(world)
    city_op = city_operation(http, city_token)
    fed_body = operation_data(
        44.97915, -93.2650, type="immigration_enforcement", purpose="civil_immigration", subjects=[PERSON]
    )
    fed_op = call(http, fed_token, "POST", "/operations", fed_body, status=201)
    assert [c["counterpart"]["level_disclosed"] for c in fed_op["conflicts"]] == ["safety"]

    r = http.patch(
        f"{API}/operations/{fed_op['id']}",
        json={"purpose": "criminal", "type": "arrest_warrant"},
        headers={**bearer(fed_token), "If-Match": str(fed_op["version"])},
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert [(c["kind"], c["counterpart"]["level_disclosed"]) for c in changed["conflicts"]] == [("proximity", "safety")]
    seen = [
        changed["conflicts"],  # its own operation carries its own copy of the person
        call(http, fed_token, "GET", "/conflicts"),
        call(http, fed_token, "GET", f"/operations/{city_op['id']}"),
    ]
    rendered = json.dumps(seen)
    assert [s for s in CITY_SECRETS if s in rendered] == []

    # Audited, and the city is told (an outbox event for the city's agency).
    with world.services.store.read() as tx:
        changes = [r.entry for r in tx.audit.all() if r.entry.action == "ops:operation:purpose-change"]
        events = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "operation.purpose_changed"]
    assert [(e.object_id, (e.details or {}).get("old"), (e.details or {}).get("new")) for e in changes] == [
        (fed_op["id"], "civil_immigration", "criminal")
    ]
    assert [(e.agency_id, (e.details or {})["new"]) for e in events] == [(city.id, "criminal")]
    with world.services.store.read() as tx:  # what the city's webhooks and stream carry
        told = render(tx, events[0], for_agency(city))
    assert told is not None and (told["old"], told["new"]) == ("civil_immigration", "criminal")
    assert told["operation_id"] == fed_op["id"] and told["by_agency"] == "ICE ERO St. Paul"


def test_a_restriction_found_by_the_other_sides_check_is_sticky_too(world: World, http: httpx.Client) -> None:
    """A federal operation entered as civil_immigration near the city's stays restricted after a PATCH,
    even when the city's operation came second (the restriction is recorded on either side's check)."""
    city_token, fed_token, _ = _city_and_feds(world)
    fed_body = operation_data(44.97915, -93.2650, purpose="civil_immigration", subjects=[PERSON])
    fed_op = call(http, fed_token, "POST", "/operations", fed_body, status=201)
    city_operation(http, city_token)
    r = http.patch(
        f"{API}/operations/{fed_op['id']}",
        json={"purpose": "criminal"},
        headers={**bearer(fed_token), "If-Match": str(fed_op["version"])},
    )
    assert r.status_code == 200, r.text
    assert [c["counterpart"]["level_disclosed"] for c in r.json()["conflicts"]] == ["safety"]
    assert [s for s in CITY_SECRETS if s in json.dumps(call(http, fed_token, "GET", "/conflicts"))] == []

"""A city that restricts civil immigration enforcement and a federal field office, over HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx

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

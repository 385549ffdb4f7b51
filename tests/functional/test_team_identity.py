"""Identity and vehicles over HTTP (issue 13, Deliver 3): what a team declares, the plate look-up.

Unmarked federal cars in a crash were investigated as a hit-and-run; a local officer facing
plain-clothes agents must be able to tell who they are. The team may declare its members, its
vehicles and plates, its talkgroup, whether it wears visible identification, and a recognition
signal; none is required; each is checked with a 422 naming it. A plate finds its team.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import World, bearer, operation_data
from tests.functional.test_notice_responses import _square
from tests.functional.test_policy_sharing import call

API = "/api/v1"
SPOT = (44.9778, -93.2650)
IDENTITY: dict[str, Any] = {
    "personnel": 4,
    "attire": "plain_clothes",
    "vehicles": "two unmarked cars",
    "members": [
        {"name": "SA J. Rivera", "badge_number": "4471", "role": "team leader"},
        {"badge_number": "5120"},
    ],
    "vehicles_detail": [
        {"description": "grey Ford Explorer", "plate": "abc-123", "state": "mn", "marked": False},
        {"description": "black van", "marked": True},
    ],
    "talkgroup": "MN STAT 2",
    "recognition": "blue ball cap, left hand",
    "visible_identification": True,
}


def _now_plus(minutes: float) -> dict[str, Any]:
    return {"starts": datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes), "hours": 3}


def _submit(http: httpx.Client, token: str, team: dict[str, Any], **when: Any) -> Any:
    body = operation_data(*SPOT, team=team, **(when or _now_plus(-5)))
    return call(http, token, "POST", "/operations", body, status=201)


def _plate(http: httpx.Client, token: str, **params: str) -> httpx.Response:
    return http.get(f"{API}/verify/plate", params=params, headers=bearer(token))


def test_a_declared_identity_round_trips_without_its_recognition_signal(world: World, http: httpx.Client) -> None:
    feds = world.agency("federal")
    token = world.token(world.person(feds, "supervisor"))
    op = _submit(http, token, IDENTITY)
    team = call(http, token, "GET", f"/operations/{op['id']}")["team"]
    assert team["members"] == IDENTITY["members"]
    assert team["vehicles_detail"] == [
        {"description": "grey Ford Explorer", "plate": "ABC123", "state": "MN", "marked": False},
        {"description": "black van", "marked": True},
    ]
    assert team["talkgroup"] == "MN STAT 2" and team["visible_identification"] is True
    assert "recognition" not in team  # even the owner's reads: it goes to conflicts and verifications only
    # A change to another team field keeps what was declared (a PATCH merges the team).
    headers = {**bearer(token), "If-Match": str(op["version"])}
    r = http.patch(f"{API}/operations/{op['id']}", json={"team": {"personnel": 5}}, headers=headers)
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["team"]["personnel"] == 5 and changed["team"]["members"] == IDENTITY["members"]
    with world.services.store.read() as tx:
        stored = tx.operations.get(op["id"])
    assert stored is not None and stored.team.recognition == "blue ball cap, left hand"
    # An operation that declares nothing keeps the v1 shape.
    bare = _submit(http, token, {"personnel": 2})
    assert call(http, token, "GET", f"/operations/{bare['id']}")["team"] == {
        "personnel": 2,
        "attire": None,
        "vehicles": None,
    }


@pytest.mark.parametrize(
    ("team", "field"),
    [
        ({"members": "Rivera"}, "team.members"),
        ({"members": [{"role": "driver"}]}, "team.members.0.name"),
        ({"members": [{"name": "x" * 101}]}, "team.members.0.name"),
        ({"members": [{"name": "A", "badge_number": "9" * 41}]}, "team.members.0.badge_number"),
        ({"members": [{"name": "A", "role": "r" * 61}]}, "team.members.0.role"),
        ({"members": [{"name": "A", "rank": "sgt"}]}, "rank"),
        ({"vehicles_detail": [{"marked": False}]}, "description"),
        ({"vehicles_detail": [{"description": "car"}]}, "marked"),
        ({"vehicles_detail": [{"description": "car", "marked": "no"}]}, "marked"),
        ({"vehicles_detail": [{"description": "d" * 201, "marked": False}]}, "team.vehicles_detail.0.description"),
        ({"vehicles_detail": [{"description": "car", "plate": "TOO-LONG-99", "marked": False}]}, "plate"),
        ({"vehicles_detail": [{"description": "car", "plate": "ABC1", "state": "XX", "marked": False}]}, "state"),
        ({"talkgroup": "t" * 81}, "team.talkgroup"),
        ({"talkgroup": "TAC\n2"}, "team.talkgroup"),
        ({"recognition": "r" * 121}, "team.recognition"),
        ({"recognition": "bell\x07"}, "recognition"),
        ({"visible_identification": "yes"}, "visible_identification"),
    ],
)
def test_each_identity_field_is_checked_naming_it(
    world: World, http: httpx.Client, team: dict[str, Any], field: str
) -> None:
    token = world.token(world.person(world.agency("federal"), "supervisor"))
    r = http.post(f"{API}/operations", json=operation_data(*SPOT, team=team), headers=bearer(token))
    assert r.status_code == 422, r.text
    assert field in r.text
    with world.services.store.read() as tx:
        assert tx.operations.count() == 0


def test_a_plate_finds_its_team_normalised_and_the_team_is_told(world: World, http: httpx.Client) -> None:
    feds = world.agency("federal", name="HSI St. Paul")
    token = world.token(world.person(feds, "supervisor"))
    team = {"vehicles_detail": [{"description": "grey Explorer", "plate": "ABC123", "state": "MN", "marked": False}]}
    op = _submit(http, token, {**team, "recognition": "blue ball cap"})
    city = world.agency("local", name="Saint Paul PD")
    officer = world.person(city, "officer")
    r = _plate(http, world.token(officer), plate="abc-123")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["registered"] is True
    assert answer["team"]["id"] == op["id"] and answer["team"]["level_disclosed"] == "safety"
    assert answer["team"]["team"]["recognition"] == "blue ball cap"  # a verification that finds it
    assert "title" not in answer["team"]
    assert _plate(http, world.token(officer), plate="ABC 123", state="mn").json()["registered"] is True
    assert _plate(http, world.token(officer), plate="ABC123", state="WI").json() == {"registered": False, "team": None}
    assert _plate(http, world.token(officer), plate="XYZ999").json() == {"registered": False, "team": None}
    with world.services.store.read() as tx:
        told = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "verify.nearby"]
        audited = [r.entry for r in tx.audit.all() if r.entry.action == "field:verify:plate"]
    assert [(e.object_id, e.agency_id) for e in told] == [(op["id"], feds.id)] * 2
    assert told[0].details is not None and told[0].details["plate"] == "ABC123"
    assert "verifying your team by the plate ABC123" in str(told[0].details["message"])
    assert len(audited) == 4 and all(e.actor_user_id == officer.user.id for e in audited)
    assert "ABC123" not in str([e.details for e in audited])  # the plate is a keyed hash


def test_a_plate_of_an_ended_or_later_operation_is_not_registered(world: World, http: httpx.Client) -> None:
    token = world.token(world.person(world.agency("federal"), "supervisor"))
    car = {"vehicles_detail": [{"description": "car", "plate": "LATE1", "state": "MN", "marked": False}]}
    _submit(http, token, car, **_now_plus(150))  # starts in 2.5 h
    done = _submit(http, token, {"vehicles_detail": [{**car["vehicles_detail"][0], "plate": "DONE1"}]})
    call(http, token, "POST", f"/operations/{done['id']}/complete")
    soon = _submit(http, token, {"vehicles_detail": [{**car["vehicles_detail"][0], "plate": "SOON1"}]}, **_now_plus(90))
    officer = world.token(world.person(world.agency("local"), "officer"))
    assert _plate(http, officer, plate="LATE1").json()["registered"] is False
    assert _plate(http, officer, plate="DONE1").json()["registered"] is False
    assert _plate(http, officer, plate="SOON1").json()["team"]["id"] == soon["id"]


@pytest.mark.parametrize(
    ("params", "field"), [({"plate": "TOO-LONG-99"}, "plate"), ({"plate": "A1", "state": "ZZ"}, "state")]
)
def test_a_bad_plate_question_names_its_field(
    world: World, http: httpx.Client, params: dict[str, str], field: str
) -> None:
    r = _plate(http, world.token(world.person(world.agency("local"), "officer")), **params)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_plate_questions_share_the_look_up_limit(world: World, http: httpx.Client) -> None:
    world.services.lookups.limit_per_hour = 1
    officer = world.token(world.person(world.agency("local"), "officer"))
    assert _plate(http, officer, plate="ABC1").status_code == 200
    assert _plate(http, officer, plate="ABC1").status_code == 429
    assert (
        http.get(f"{API}/verify", params={"lat": SPOT[0], "lon": SPOT[1]}, headers=bearer(officer)).status_code == 429
    )


def test_a_plate_is_answered_only_for_teams_in_the_callers_service_area(world: World, http: httpx.Client) -> None:
    """An insider's plate look-ups must not track a team across the state: a city officer learns of a
    plate's team only where the city serves; elsewhere the answer is "not registered here" and that
    team is not told (nothing of it was disclosed)."""
    feds = world.agency("federal")
    token = world.token(world.person(feds, "supervisor"))
    car = {"description": "grey Explorer", "plate": "FED777", "state": "MN", "marked": False}
    away = call(
        http,
        token,
        "POST",
        "/operations",
        operation_data(46.7867, -92.1005, team={"vehicles_detail": [car]}, **_now_plus(-5)),  # Duluth
        status=201,
    )
    city = world.agency("local", name="Minneapolis PD", jurisdiction=_square(*SPOT))
    officer = world.token(world.person(city, "officer"))
    assert _plate(http, officer, plate="FED777").json() == {"registered": False, "team": None}
    with world.services.store.read() as tx:
        told = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "verify.nearby" and e.object_id == away["id"]]
    assert told == []
    here = _submit(http, token, {"vehicles_detail": [{**car, "plate": "FED778"}]})
    assert _plate(http, officer, plate="FED778").json()["team"]["id"] == here["id"]
    statewide = world.token(world.person(world.agency("state"), "officer"))  # no jurisdiction: serves everywhere
    assert _plate(http, statewide, plate="FED777").json()["team"]["id"] == away["id"]

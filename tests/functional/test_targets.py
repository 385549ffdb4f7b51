"""Case targets over HTTP (issue 14, item 6), on both stores: a case's subjects are matched by the operations'
subject check for as long as the target lives, under the same restricted purposes and disclosure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.blinding import blind_record
from commonground.service.clock import ManualClock
from commonground.service.ports import AuditFilter
from tests.conftest import LiveServer, World, bearer, operation_data
from tests.functional.sse_client import SseClient
from tests.functional.test_policy_sharing import API, call
from tests.integration.test_retention import audit_text

PERSON = {"kind": "person", "first_name": "Thomas", "last_name": "Okonkwo-Hale", "dob": "1979-10-23"}
PLATE = {"kind": "vehicle", "plate": "XKD 4471", "state": "WI"}
SECRET = b"shared among participating agencies; never sent to the server"


@pytest.fixture
def clocked(store_url: str) -> Iterator[tuple[Services, ManualClock]]:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    built = build_services(Settings(database_url=store_url, notify_worker=False), clock=clock)
    yield built, clock
    built.close()


@pytest.fixture
def served(clocked: tuple[Services, ManualClock]) -> Iterator[tuple[World, httpx.Client, ManualClock, str]]:
    services, clock = clocked
    with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        yield World(services), http, clock, live.url


def target_data(now: datetime, *subjects: dict[str, Any], days: int = 200, **extra: Any) -> dict[str, Any]:
    return {
        "case_number": "24-001234",
        "subjects": list(subjects or (PERSON,)),
        "expires_at": (now + timedelta(days=days)).astimezone(UTC).isoformat(),
        **extra,
    }


def fields(r: httpx.Response) -> list[str]:
    assert r.status_code == 422, r.text
    return [d["field"] for d in r.json()["error"]["details"]]


def conflicts_of(http: httpx.Client, token: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = call(http, token, "GET", "/conflicts")["items"]
    return listed


def test_a_target_registered_today_is_matched_by_an_operation_next_month(
    served: tuple[World, httpx.Client, ManualClock, str],
) -> None:
    world, http, clock, url = served
    feds = world.agency("federal", name="FBI Minneapolis")
    city = world.agency("local", name="Minneapolis PD")
    agent = world.token(world.person(feds, "officer"))
    made = call(http, agent, "POST", "/targets", target_data(clock.now(), PERSON, PLATE), 201)
    assert made["conflicts"] == [] and made["case_number"] == "24-001234" and made["level_disclosed"] == "full"
    assert [s["kind"] for s in made["subjects"]] == ["person", "vehicle"] and made["contact"]["phone"]

    clock.advance(timedelta(days=33))  # next month: long past any operation's 31 days
    sergeant, fed_supervisor = world.person(city), world.person(feds, "supervisor")
    city_token, fed_token = world.token(sergeant), world.token(fed_supervisor)
    starts = clock.now() + timedelta(days=1)
    plate = {"kind": "vehicle", "plate": "XKD4471", "state": "WI"}
    with SseClient(url, fed_token) as stream:
        op = call(
            http, city_token, "POST", "/operations", operation_data(46.8, -92.1, starts=starts, subjects=[plate]), 201
        )
        heard = [e for e in stream.drain(2.0) if e.event == "conflict.created"]
    [conflict] = op["conflicts"]
    assert conflict["kind"] == "subject" and conflict["matched"] == "vehicle" and conflict["distance_m"] is None
    assert conflict["your_operation_id"] == op["id"] and "counterpart" not in conflict
    case = conflict["counterpart_case"]
    assert case["id"] == made["id"] and case["agency"]["name"] == "FBI Minneapolis"
    assert case["contact"] == made["contact"] and "subjects" not in case
    assert "XKD" not in json.dumps(conflict) and "Okonkwo" not in json.dumps(conflict)
    # Told to the target's agency through the outbox, as any conflict is; seen from its side.
    [event] = heard
    assert event.data["id"] == conflict["id"] and event.data["your_target_id"] == made["id"]
    assert event.data["counterpart"]["id"] == op["id"] and "subjects" not in json.dumps(event.data["counterpart"])

    # Both sides see it in GET /conflicts; the watch sees both sides, one of them the case.
    [ours] = conflicts_of(http, city_token)
    [theirs] = conflicts_of(http, fed_token)
    assert ours["id"] == theirs["id"] == conflict["id"]
    assert theirs["your_target_id"] == made["id"] and theirs["counterpart"]["agency"]["name"] == "Minneapolis PD"
    assert conflicts_of(http, agent)[0]["id"] == conflict["id"]  # the officer who registered it
    watch = world.token(world.person(world.agency("state", name="State Watch"), "watch"))
    [seen] = [c for c in conflicts_of(http, watch) if c["id"] == conflict["id"]]
    assert {"case", "operation"} == {k for side in seen["sides"] for k in side if k != "acknowledged"}
    single = call(http, fed_token, "GET", f"/conflicts/{conflict['id']}")
    assert single["your_target_id"] == made["id"]
    acked = call(http, fed_token, "POST", f"/conflicts/{conflict['id']}/ack")  # the case's side acknowledges
    assert acked["acknowledged"]["yours"] is not None and acked["acknowledged"]["theirs"] is None
    both = call(http, city_token, "POST", f"/conflicts/{conflict['id']}/ack")
    assert both["status"] == "acknowledged"
    # The case's agency reads the operation through the conflict, as its policy discloses (city default).
    seen_op = call(http, fed_token, "GET", f"/operations/{op['id']}")
    assert seen_op["id"] == op["id"] and seen_op["level_disclosed"] != "full" and "subjects" not in seen_op


def test_an_operation_whose_subjects_change_is_matched_and_an_expired_target_no_longer(
    served: tuple[World, httpx.Client, ManualClock, str],
) -> None:
    world, http, clock, _ = served
    feds, city = world.agency("federal"), world.agency("local")
    agent, sergeant = world.token(world.person(feds)), world.token(world.person(city))
    call(http, agent, "POST", "/targets", target_data(clock.now(), PERSON, days=10), 201)
    op = call(
        http, sergeant, "POST", "/operations", operation_data(46.8, -92.1, starts=clock.now() + timedelta(days=1)), 201
    )
    assert op["conflicts"] == []
    r = http.patch(
        f"{API}/operations/{op['id']}", json={"subjects": [PERSON]}, headers={**bearer(sergeant), "If-Match": "1"}
    )
    assert r.status_code == 200, r.text
    [conflict] = r.json()["conflicts"]
    # The federal policy discloses `safety` to a local agency: the case's agency and contact, not its number.
    assert conflict["matched"] == "person" and conflict["counterpart_case"]["level_disclosed"] == "safety"
    assert "case_number" not in conflict["counterpart_case"] and conflict["counterpart_case"]["contact"]["phone"]

    clock.advance(timedelta(days=11))  # the target has expired
    sergeant = world.token(world.person(city))
    later = operation_data(46.8, -92.1, starts=clock.now() + timedelta(hours=2), subjects=[PERSON])
    found = call(http, sergeant, "POST", "/operations", later, 201)["conflicts"]
    # Still the same person as the first operation; no longer the expired case's.
    assert [c["counterpart"]["id"] for c in found] == [op["id"]] and all("counterpart_case" not in c for c in found)


def test_a_target_is_matched_by_another_agencys_new_target_in_clear_and_blinded(
    served: tuple[World, httpx.Client, ManualClock, str],
) -> None:
    world, http, clock, _ = served
    feds, county, own = world.agency("federal"), world.agency("local", name="Hennepin SO"), world.agency("state")
    agent, deputy = world.token(world.person(feds)), world.token(world.person(county))
    first = call(http, agent, "POST", "/targets", target_data(clock.now(), blind_record(PERSON, SECRET)), 201)
    typo = dict(PERSON, first_name="Tomas")
    second = call(http, deputy, "POST", "/targets", target_data(clock.now(), blind_record(typo, SECRET)), 201)
    [conflict] = second["conflicts"]
    assert conflict["matched"] == "blinded_person" and conflict["your_target_id"] == second["id"]
    assert conflict["counterpart_case"]["id"] == first["id"] and conflict["overlap"] is not None
    [seen] = conflicts_of(http, agent)
    assert seen["id"] == conflict["id"] and seen["counterpart_case"]["agency"]["name"] == "Hennepin SO"
    # One agency's two cases on one person are not a conflict; nor is a clear subject with a blinded one.
    same_agency = world.token(world.person(county))
    assert call(http, same_agency, "POST", "/targets", target_data(clock.now(), typo), 201)["conflicts"] == []
    state = world.token(world.person(own))
    other_secret = blind_record(PERSON, b"another agency group secret")
    assert call(http, state, "POST", "/targets", target_data(clock.now(), other_secret), 201)["conflicts"] == []


def test_a_restricted_purpose_never_receives_the_other_sides_subject_match(
    served: tuple[World, httpx.Client, ManualClock, str],
) -> None:
    world, http, clock, _ = served
    city = world.agency("local", name="Minneapolis PD", policy={"restricted_purposes": ["civil_immigration"]})
    ice = world.agency("federal", name="ICE ERO")
    ice_token, city_token = world.token(world.person(ice)), world.token(world.person(city))
    # The city's case; ICE's civil-immigration operation on the same person is matched but never made known.
    call(http, city_token, "POST", "/targets", target_data(clock.now(), PERSON), 201)
    data = operation_data(46.8, -92.1, starts=clock.now() + timedelta(days=1), subjects=[PERSON])
    op = call(http, ice_token, "POST", "/operations", {**data, "purpose": "civil_immigration"}, 201)
    assert op["conflicts"] == []
    # ICE's civil-immigration target, and the city's operation on the person: again nothing either way.
    # (Its own operation's case: one agency's one case is one effort, not a conflict.)
    ice_case = target_data(clock.now(), PERSON, purpose="civil_immigration", case_number=data["case_number"])
    call(http, ice_token, "POST", "/targets", ice_case, 201)
    assert conflicts_of(http, city_token) == [] and conflicts_of(http, ice_token) == []
    city_op = operation_data(44.9, -93.2, starts=clock.now() + timedelta(days=1), subjects=[PERSON])
    made = call(http, city_token, "POST", "/operations", city_op, 201)
    names = [(c.get("counterpart") or c.get("counterpart_case"))["agency"]["name"] for c in made["conflicts"]]
    assert names == ["Minneapolis PD"]  # its own other case only: nothing of ICE's
    with world.services.store.read() as tx:
        suppressed = tx.audit.records(AuditFilter(action="policy:subject-match:suppressed"), 100, None).items
    assert len(suppressed) >= 3 and all("Okonkwo" not in json.dumps(r.entry.details) for r in suppressed)
    # A criminal case of ICE's own is matched as any other (the restriction is of the purpose).
    criminal = call(http, ice_token, "POST", "/targets", target_data(clock.now(), PLATE), 201)
    plate_op = operation_data(45.6, -94.2, starts=clock.now() + timedelta(days=1), subjects=[PLATE])
    [conflict] = call(http, city_token, "POST", "/operations", plate_op, 201)["conflicts"]
    assert conflict["counterpart_case"]["id"] == criminal["id"]


def test_refusals_store_nothing(served: tuple[World, httpx.Client, ManualClock, str]) -> None:
    world, http, clock, _ = served
    feds, city = world.agency("federal"), world.agency("local")
    agent = world.token(world.person(feds, "officer"))
    now = clock.now()

    def post(body: dict[str, Any], token: str = agent) -> httpx.Response:
        return http.post(f"{API}/targets", json=body, headers=bearer(token))

    assert fields(post(target_data(now, days=367))) == ["expires_at"]
    naive = (now + timedelta(days=30)).replace(tzinfo=None).isoformat()
    assert fields(post({**target_data(now), "expires_at": naive})) == ["expires_at"]
    assert fields(post({**target_data(now), "expires_at": (now - timedelta(hours=1)).isoformat()})) == ["expires_at"]
    assert fields(post(target_data(now, days=30) | {"subjects": []})) == ["subjects"]
    assert fields(post(target_data(now, {"kind": "phone", "number": "12"}))) == ["subjects.0.number"]
    assert fields(post({k: v for k, v in target_data(now).items() if k != "case_number"})) == ["case_number"]
    assert call(http, agent, "GET", "/targets") == {"items": [], "next": None}
    for role in ("dispatcher", "agency_admin", "auditor", "watch"):
        token = world.token(world.person(feds, role))
        assert post(target_data(now), token).status_code == 403, role
        assert http.get(f"{API}/targets", headers=bearer(token)).status_code == 403, role

    made = call(http, agent, "POST", "/targets", target_data(now), 201)
    stranger = world.token(world.person(city))
    missing = "01900000-0000-7000-8000-000000000000"
    for method in ("GET", "DELETE"):
        theirs = http.request(method, f"{API}/targets/{made['id']}", headers=bearer(stranger))
        none = http.request(method, f"{API}/targets/{missing}", headers=bearer(stranger))
        assert theirs.status_code == none.status_code == 404 and theirs.json()["error"] == none.json()["error"]
    assert call(http, stranger, "GET", "/targets")["items"] == []
    colleague = world.token(world.person(feds, "officer"))  # an officer deletes only their own
    assert http.delete(f"{API}/targets/{made['id']}", headers=bearer(colleague)).status_code == 403
    assert call(http, agent, "GET", f"/targets/{made['id']}")["id"] == made["id"]


def test_deleting_a_target_stops_matching_and_closes_its_conflicts(
    served: tuple[World, httpx.Client, ManualClock, str],
) -> None:
    world, http, clock, _ = served
    feds, city = world.agency("federal"), world.agency("local")
    agent, sergeant = world.token(world.person(feds, "officer")), world.token(world.person(city))
    made = call(http, agent, "POST", "/targets", target_data(clock.now(), PERSON), 201)
    second = call(http, agent, "POST", "/targets", target_data(clock.now(), PLATE), 201)
    listed = call(http, agent, "GET", "/targets?limit=1")
    assert [t["id"] for t in listed["items"]] == [second["id"]] and listed["next"]
    rest = call(http, agent, "GET", f"/targets?limit=1&cursor={listed['next']}")
    assert [t["id"] for t in rest["items"]] == [made["id"]] and rest["next"] is None
    starts = clock.now() + timedelta(days=1)
    op = call(http, sergeant, "POST", "/operations", operation_data(46.8, -92.1, starts=starts, subjects=[PERSON]), 201)
    [conflict] = op["conflicts"]

    assert http.delete(f"{API}/targets/{made['id']}", headers=bearer(agent)).status_code == 204
    assert http.get(f"{API}/targets/{made['id']}", headers=bearer(agent)).status_code == 404
    assert [t["id"] for t in call(http, agent, "GET", "/targets")["items"]] == [second["id"]]
    closed = call(http, sergeant, "GET", f"/conflicts/{conflict['id']}")
    assert closed["status"] == "resolved" and closed["note"] == "case target deleted"
    again = operation_data(46.9, -92.2, starts=starts, subjects=[PERSON])
    found = call(http, sergeant, "POST", "/operations", again, 201)["conflicts"]
    assert [c["counterpart"]["id"] for c in found] == [op["id"]]  # the first operation's person; no case now


def test_the_audit_log_keeps_a_targets_case_number_only_as_a_keyed_hash(
    served: tuple[World, httpx.Client, ManualClock, str],
) -> None:
    """A case number outlives its target in the log (kept a year or more): like a look-up's place, hashed."""
    world, http, clock, _ = served
    token = world.token(world.person(world.agency("federal"), "supervisor"))
    made = call(http, token, "POST", "/targets", target_data(clock.now(), case_number="CASE-MARK-99173"), status=201)
    assert http.delete(f"{API}/targets/{made['id']}", headers=bearer(token)).status_code == 204
    stored = audit_text(world.services)
    assert "ops:target:create" in stored and "ops:target:delete" in stored
    assert "CASE-MARK-99173" not in stored

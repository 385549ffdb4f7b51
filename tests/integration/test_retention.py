"""Retention and purge on both stores: the audit log keeps no values, and a purge leaves shells and counts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import ColumnElement, Table, func, select

from commonground.api.schemas.conflicts import ConflictPublic
from commonground.api.schemas.sharing import NoticePublic
from commonground.api.schemas.targets import CasePublic
from commonground.audit.keyed import keyed_hash
from commonground.audit.tags import Action
from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.blinding import blind_record
from commonground.domain.errors import NotAuthenticated
from commonground.domain.model import ConflictStatus
from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.remote_notices import RemoteNotice, RemoteNoticeView
from commonground.domain.timewindow import isoformat
from commonground.service import retention
from commonground.service.clock import ManualClock, new_id
from commonground.service.retention import PurgeCounts
from commonground.store.audit_key import decode
from commonground.store.schema import (
    audit_keys,
    audit_log,
    conflicts,
    operations,
    remote_conflicts,
    remote_notices,
    subject_keys,
    subject_term_counts,
    subject_terms,
    targets,
)
from tests.conftest import LiveServer, World, operation_data, wire

KEY = b"shared among participating agencies; never sent to the server"
LETTERS = str.maketrans("0123456789", "ghijklmnop")
START = datetime.now(UTC).replace(microsecond=0)
# A look-up place no other record holds, as the audit log would print it.
LOOKUP_LAT, LOOKUP_LON = 44.97813, -93.26547


class Marks:
    """Distinctive strings, one for every text field a person types; none may reach the audit log."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:10].translate(LETTERS)  # names take letters only
        self.values: dict[str, str] = {
            name: f"Zq{name.replace('_', '')}{self.tag}"
            for name in (
                "title",
                "case_number",
                "address",
                "contact_name",
                "contact_radio",
                "vehicles",
                "notes",
                "first_name",
                "last_name",
                "plate",
                "note",
                "username",
                "patch_notes",
            )
        }

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def found_in(self, text: str) -> list[str]:
        return sorted(name for name, value in self.values.items() if value.lower() in text.lower())


def operation_with(marks: Marks, lat: float, lon: float, starts: datetime) -> dict[str, Any]:
    """A submission whose every text field carries a mark."""
    return operation_data(
        lat,
        lon,
        starts=starts,
        title=marks["title"],
        case_number=marks["case_number"],
        location={"lat": lat, "lon": lon, "radius_m": 100, "address": marks["address"]},
        contact={"name": marks["contact_name"], "phone": "+1 612 555 0142", "radio": marks["contact_radio"]},
        team={"personnel": 4, "attire": "plain_clothes", "vehicles": marks["vehicles"]},
        notes=marks["notes"],
        subjects=[
            {"kind": "person", "first_name": marks["first_name"], "last_name": marks["last_name"], "dob": "1971-02-03"},
            {"kind": "vehicle", "plate": marks["plate"][:8].upper(), "state": "MN"},
        ],
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def timed(store_url: str, clock: ManualClock) -> Iterator[Services]:
    built = build_services(Settings(database_url=store_url), clock=clock)
    yield built
    built.close()


@pytest.fixture
def timed_world(timed: Services) -> World:
    return World(timed)


def audit_text(services: Services) -> str:
    """Every stored audit row, as one string: what a reader of the table would see."""
    engine = services.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(audit_log)).mappings()]
    return json.dumps(rows, default=str)


def act(world: World, marks: Marks, clock: ManualClock) -> tuple[str, str, str]:
    """Run the actions that write audit records about marked data; return both operation ids and the conflict's."""
    s = world.services
    one, two = world.agency("state"), world.agency("local")
    sgt_one, sgt_two = world.person(one, "supervisor"), world.person(two, "supervisor")
    starts = START + timedelta(days=1)
    first, _ = wire(s.operations.submit(sgt_one, operation_with(marks, 44.9701, -93.2601, starts)))
    second, found = wire(s.operations.submit(sgt_two, operation_with(marks, 44.9702, -93.2602, starts)))
    [conflict] = [c for c in found if c["kind"] == "proximity"]
    s.operations.update(sgt_one, first["id"], {"notes": marks["patch_notes"]}, first["version"])
    s.operations.get(sgt_two, first["id"])
    s.conflicts.acknowledge(sgt_two, conflict["id"], {})
    s.conflicts.close(sgt_one, conflict["id"], {"note": marks["note"]}, ConflictStatus.RESOLVED)
    dispatcher = world.person(two, "dispatcher")
    clock.advance(timedelta(days=1, minutes=30))
    s.lookups.lookup(dispatcher, LOOKUP_LAT, LOOKUP_LON, 400, None)
    named = s.accounts.create_user(
        world.admin,
        {
            "agency_id": one.id,
            "username": marks["username"],
            "display_name": "x",
            "roles": ["officer"],
            "password": "correct horse battery",
        },
    )
    with pytest.raises(NotAuthenticated):
        s.signin.api_login(named.username, "wrong password here", None)
    return first["id"], second["id"], conflict["id"]


def test_the_audit_log_keeps_no_value_of_what_it_records(timed_world: World, clock: ManualClock) -> None:
    marks = Marks()
    act(timed_world, marks, clock)
    stored = audit_text(timed_world.services)
    assert marks.found_in(stored) == []
    assert f"{LOOKUP_LAT}" not in stored and f"{LOOKUP_LON}" not in stored
    assert timed_world.services.audit.verify().intact


def table_text(services: Services, table: Table, where: ColumnElement[bool] | None = None) -> str:
    """The stored rows of ``table`` (those ``where`` picks), as one string."""
    engine = services.store.engine  # type: ignore[attr-defined]
    query = select(table) if where is None else select(table).where(where)
    with engine.connect() as conn:
        return json.dumps([dict(r) for r in conn.execute(query).mappings()], default=str)


def conflict_counts(services: Services) -> list[tuple[str, str, int]]:
    """Conflicts by kind and status: what a report counts."""
    engine = services.store.engine  # type: ignore[attr-defined]
    query = select(conflicts.c.kind, conflicts.c.status, func.count()).group_by(conflicts.c.kind, conflicts.c.status)
    with engine.connect() as conn:
        return sorted((str(k), str(s), int(n)) for k, s, n in conn.execute(query))


def purge_records(services: Services) -> list[dict[str, Any]]:
    with services.store.read() as tx:
        return [r.entry.details or {} for r in tx.audit.all() if r.entry.action == Action.RETENTION_PURGE]


def test_a_purge_leaves_shells_the_same_counts_and_a_verifiable_chain(
    timed_world: World, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 1)  # one operation a unit of work: the run spans several
    marks = Marks()
    first_id, second_id, _ = act(timed_world, marks, clock)
    s = timed_world.services
    auditor = timed_world.person(timed_world.agency(), "auditor")
    report_before, counts_before = s.audit.transparency(auditor), conflict_counts(s)
    ids = operations.c.id.in_([first_id, second_id])
    clock.advance(timedelta(days=89))
    assert s.retention.purge(dry_run=True) == PurgeCounts(dry_run=True)  # not yet 90 days since they ended

    clock.advance(timedelta(days=2))
    stored_before, audit_before = table_text(s, operations), audit_text(s)
    rehearsed = s.retention.purge(dry_run=True)
    assert rehearsed == PurgeCounts(operations=2, subjects=4, conflict_notes=1, lookups=1, dry_run=True)
    assert table_text(s, operations) == stored_before and audit_text(s) == audit_before  # changed nothing

    done = s.retention.purge()
    assert done == replace(rehearsed, audit_pruned=0, dry_run=False)
    [record] = purge_records(s)
    assert record == {
        "operations": 2,
        "subjects": 4,
        "conflict_notes": 1,
        "incident_summaries": 0,
        "lookups": 1,
        "replays": 0,
        "remote_pairs": 0,
        "remote_notices": 0,
        "targets": 0,
        "audit_pruned": 0,
        "operation_days": 90,
        "subject_days": 1826,
        "audit_days": 365,
    }
    # The details are gone from every table that held them; the shells remain.
    for table, where in (
        (operations, ids),
        (subject_keys, subject_keys.c.operation_id.in_([first_id, second_id])),
        (subject_terms, None),
        (subject_term_counts, None),
        (conflicts, None),
    ):
        assert marks.found_in(table_text(s, table, where)) == [], table.name
    assert marks.found_in(audit_text(s)) == []
    assert s.audit.verify().intact
    # What reports read is the same before and after.
    assert s.audit.transparency(auditor) == report_before
    assert conflict_counts(s) == counts_before
    with s.store.read() as tx:
        shell = tx.operations.get(first_id)
        assert tx.lookups.since_overall(START - timedelta(days=1)) == (0, None)
    assert shell is not None and shell.purged_at == clock.now() and shell.agency_id and shell.window.ends_at
    assert s.retention.purge(record_empty=False) == PurgeCounts(audit_pruned=0)  # the sweep's way: no record
    assert len(purge_records(s)) == 1
    assert s.retention.purge() == PurgeCounts(audit_pruned=0)  # nothing left to purge; still recorded
    assert len(purge_records(s)) == 2


def test_a_purged_operation_s_views_say_so_over_http(timed_world: World, clock: ManualClock) -> None:
    marks = Marks()
    first_id, _, conflict_id = act(timed_world, marks, clock)
    s = timed_world.services
    with s.store.read() as tx:
        op = tx.operations.get(first_id)
        assert op is not None
        creator = tx.people.get(op.created_by)
        assert creator is not None
    clock.advance(timedelta(days=92))
    s.retention.purge()
    token = timed_world.token(timed_world.principal(creator.username))
    with LiveServer(s) as server:
        headers = {"Authorization": f"Bearer {token}"}
        got = httpx.get(f"{server.url}/api/v1/operations/{first_id}", headers=headers, timeout=10)
        listed = httpx.get(f"{server.url}/api/v1/conflicts/{conflict_id}", headers=headers, timeout=10)
        mine = httpx.get(f"{server.url}/api/v1/operations", headers=headers, timeout=10)
        patched = httpx.patch(
            f"{server.url}/api/v1/operations/{first_id}",
            json={"notes": "back again"},
            headers={**headers, "If-Match": str(op.version + 1)},
            timeout=10,
        )
        cancelled = httpx.post(f"{server.url}/api/v1/operations/{first_id}/cancel", headers=headers, timeout=10)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["purged_at"].endswith("Z") and body["title"] == "" and body["subjects"] == []
    assert body["contact"]["name"] == "" and body["window"]["ends_at"] and body["agency"]["ori"]
    assert listed.status_code == 200, listed.text
    assert "note" not in listed.json() and listed.json()["status"] == "resolved"
    assert mine.status_code == 200 and [o["purged_at"] for o in mine.json()["items"]] == [body["purged_at"]]
    assert marks.found_in(got.text + listed.text + mine.text) == []
    assert patched.status_code == cancelled.status_code == 409, patched.text  # a shell no longer changes
    assert "purged" in patched.json()["error"]["message"]


def test_an_incident_s_words_go_with_its_operation_s_details(timed_world: World, clock: ManualClock) -> None:
    """Kind, time, place and the call for help stay with the shell (what happened is a count); the summary goes."""
    s = timed_world.services
    who = timed_world.person(timed_world.agency(), "supervisor")
    op, _ = wire(s.operations.submit(who, operation_data(starts=START + timedelta(hours=1))))
    body = {
        "kind": "injury",
        "at": START.isoformat(),
        "summary": "Zqsummary officer hurt",
        "assistance_requested": True,
    }
    made = s.incidents.report(who, op["id"], body)
    clock.advance(timedelta(days=92))
    done = s.retention.purge()
    assert done.incident_summaries == 1 and "purge: purged 1 incident summaries" in done.lines()
    with s.store.read() as tx:
        kept = tx.incidents.get(made.id)
    assert kept is not None and kept.summary == "" and kept.kind.value == "injury" and kept.assistance_requested
    [view] = s.incidents.of_operation(who, op["id"])
    assert view.summary is None and "summary" not in view.to_dict()


def test_subjects_never_outlive_the_subject_period(store_url: str) -> None:
    """A long operation keeps its details but loses its subjects once it was entered too long ago."""
    clock = ManualClock(START)
    settings = Settings(database_url=store_url, subject_retention_days=30, operation_retention_days=400)
    services = build_services(settings, clock=clock)
    try:
        world = World(services)
        marks = Marks()
        sgt = world.person(world.agency(), "supervisor")
        data = operation_with(marks, 44.95, -93.25, START + timedelta(hours=1))
        data["ends_at"] = (START + timedelta(days=30, hours=23)).isoformat()  # the longest an operation runs
        blinded = blind_record({"kind": "person", "first_name": "Ada", "last_name": "Quist", "dob": "1980-01-01"}, KEY)
        data["subjects"].append(blinded)
        view, _ = services.operations.submit(sgt, data)
        clock.advance(timedelta(days=29))
        assert services.retention.purge().subjects == 0
        clock.advance(timedelta(days=2))
        assert table_text(services, subject_keys, subject_keys.c.operation_id == view.id) != "[]"
        assert services.retention.purge() == PurgeCounts(subjects=3, audit_pruned=0)  # clear and blinded alike
        with services.store.read() as tx:
            kept = tx.operations.get(view.id)
        assert kept is not None and kept.subjects == () and kept.purged_at is None and kept.title == marks["title"]
        stored = "".join(table_text(services, t) for t in (subject_keys, subject_terms, subject_term_counts))
        assert marks.found_in(stored) == [] and stored == "[][][]"  # no key, term or count row is left
        assert services.retention.purge().subjects == 0
    finally:
        services.close()


def test_the_periods_refuse_values_past_their_bounds() -> None:
    with pytest.raises(ValidationError, match="subject_retention_days"):
        Settings(subject_retention_days=1827)
    with pytest.raises(ValidationError, match="audit_retention_days"):
        Settings(audit_retention_days=364)
    with pytest.raises(ValidationError, match="operation_retention_days"):
        Settings(operation_retention_days=0)
    assert Settings(subject_retention_days=1826, audit_retention_days=3650).subject_retention_days == 1826


def route(*points: tuple[float, float]) -> dict[str, Any]:
    """A submission along a route line (lon, lat), 50 m wide."""
    data = operation_data(starts=START + timedelta(hours=1))
    del data["location"]
    data["geometry"] = {"type": "LineString", "coordinates": [list(p) for p in points], "radius_m": 50}
    return data


def test_the_sweep_finds_no_conflict_between_shells_whose_boxes_meet(timed_world: World, clock: ManualClock) -> None:
    """Two routes kilometres apart whose boxes overlap, never completed: after a purge the sweep records nothing."""
    s = timed_world.services
    one, two = timed_world.person(timed_world.agency()), timed_world.person(timed_world.agency())
    # An L along the west and north edges, and one along the south and east edges inside its box.
    _, found_one = s.operations.submit(one, route((-93.30, 44.90), (-93.30, 45.00), (-93.20, 45.00)))
    _, found_two = s.operations.submit(two, route((-93.28, 44.90), (-93.22, 44.90), (-93.22, 44.98)))
    assert found_one == found_two == []
    clock.advance(timedelta(days=92))
    assert s.retention.purge().operations == 2
    assert s.sweep.run() == 0
    assert conflict_counts(s) == []


def test_the_audit_key_file_is_made_once_and_seals_the_values(store_url: str, tmp_path: Path) -> None:
    """With COMMONGROUND_AUDIT_KEY_FILE the key is that file's (made 0600, read again on the next start)."""
    key_file = tmp_path / "keys" / "audit.key"
    settings = Settings(database_url=store_url, audit_key_file=str(key_file))
    keys = []
    for _start in range(2):
        services = build_services(settings)
        try:
            world = World(services)
            username = world.person(world.agency()).user.username
            with services.store.read() as tx:
                created = [r.entry.details for r in tx.audit.all() if r.entry.action == Action.USER_CREATE]
            assert oct(key_file.stat().st_mode & 0o777) == "0o600"
            assert created[-1] == {
                "username": keyed_hash(username, decode(key_file.read_text())),
                "roles": ["supervisor"],
            }
            assert table_text(services, audit_keys) == "[]"  # the database holds no key of its own
            keys.append(key_file.read_text())
        finally:
            services.close()
    assert keys[0] == keys[1]  # made on the first start, read on the second


def peer_view(marks: Marks, operation_id: str, starts: datetime) -> dict[str, Any]:
    """A peer's operation as it discloses one at ``safety``, its contact and team marked."""
    ring = [[-93.2700, 44.9700], [-93.2600, 44.9700], [-93.2600, 44.9800], [-93.2700, 44.9700]]
    return {
        "id": operation_id,
        "level_disclosed": "safety",
        "agency": {"name": "Peer Task Force", "ori": "MNPEER000", "level": "federal"},
        "contact": {"name": marks["contact_name"], "phone": "+1 612 555 0199", "radio": marks["contact_radio"]},
        "area": {"type": "Polygon", "coordinates": [ring], "radius_m": 50.0},
        "window": {"starts_at": isoformat(starts), "ends_at": isoformat(starts + timedelta(hours=2))},
        "team": {"personnel": 3, "attire": "plain_clothes", "vehicles": marks["vehicles"]},
    }


def keep_from_peer(services: Services, agency_id: str, ours: str, theirs: dict[str, Any], note: str | None) -> None:
    """Keep a pair with the peer's operation and the host agency's notice of it, as federation does."""
    now = services.clock.now()
    pair = RemoteConflict(
        new_id(), ours, agency_id, "peer-1", "peer-a", theirs["id"], theirs, 12.0, None,
        FoundBy.PROBE, ConflictStatus.RESOLVED, now, closed_at=now, note=note,
    )  # fmt: skip
    notice = RemoteNotice(
        new_id(),
        "peer-1",
        "peer-a",
        theirs["id"],
        agency_id,
        NoticeKind.ENTRY,
        NoticeStatus.SENT,
        now,
        now,
        now,
        theirs,
    )
    with services.store.write() as tx:
        tx.remote_conflicts.add(pair)
        tx.remote_notices.add(notice)


def test_what_peers_disclosed_here_goes_after_the_same_period(timed_world: World, clock: ManualClock) -> None:
    """A peer's operation, as kept in our pairs and our host agencies' notices, held its contact and team
    for ever: the purge shelled our operations only."""
    marks, s = Marks(), timed_world.services
    city = timed_world.agency("local")
    sgt = timed_world.person(city, "supervisor")
    starts = START + timedelta(days=1)
    ours, _ = wire(s.operations.submit(sgt, operation_data(44.9701, -93.2601, starts=starts)))
    keep_from_peer(s, city.id, ours["id"], peer_view(marks, "peer-op-old", starts), marks["note"])
    clock.advance(timedelta(days=92))
    later = clock.now() + timedelta(hours=1)
    running, _ = wire(s.operations.submit(sgt, operation_data(44.9701, -93.2601, starts=later)))
    keep_from_peer(s, city.id, running["id"], peer_view(Marks(), "peer-op-new", later), None)

    assert s.retention.purge(dry_run=True).remote_pairs == 1
    done = s.retention.purge()
    assert (done.remote_pairs, done.remote_notices) == (1, 1)
    old_pair = remote_conflicts.c.operation_id == ours["id"]
    old_notice = remote_notices.c.remote_operation_id == "peer-op-old"
    for table, where in ((remote_conflicts, old_pair), (remote_notices, old_notice)):
        assert marks.found_in(table_text(s, table, where)) == [], table.name
    assert "Peer Task Force" in table_text(s, remote_conflicts, old_pair)  # who it was stays, for the counts
    # The recent pair and notice are untouched; the shells still answer in the API's shapes.
    assert "plain_clothes" in table_text(s, remote_notices, remote_notices.c.remote_operation_id == "peer-op-new")
    with s.store.read() as tx:
        pairs = tx.remote_conflicts.listing(city.id, None, 10)
        notices = tx.remote_notices.page(city.id, 10, None).items
    shelled = next(p for p in pairs if p.operation_id == ours["id"])
    assert shelled.note is None and shelled.counterpart["purged_at"] == isoformat(clock.now())
    for pair in pairs:
        ConflictPublic.model_validate(pair.to_dict())
    assert len(notices) == 2
    for notice in notices:
        NoticePublic.model_validate(RemoteNoticeView(notice).to_dict())
    later_done = s.retention.purge()
    assert (later_done.remote_pairs, later_done.remote_notices) == (0, 0)  # a shell is not purged twice


def test_case_targets_lose_their_subjects_after_the_period(timed_world: World, clock: ManualClock) -> None:
    """A case target kept its subjects (names, dates of birth, plates), its case number and contact in its
    row for ever, expired or withdrawn: the purge knew only operations."""
    marks, s = Marks(), timed_world.services
    city = timed_world.agency("local")
    sgt = timed_world.person(city, "supervisor")
    person = {"kind": "person", "first_name": marks["first_name"], "last_name": marks["last_name"], "dob": "1971-02-03"}
    plate = {"kind": "vehicle", "plate": marks["plate"][:8].upper(), "state": "MN"}

    def register(case: str, days: int) -> str:
        data = {
            "case_number": case,
            "subjects": [person, plate],
            "expires_at": isoformat(clock.now() + timedelta(days=days)),
            "contact": {"name": marks["contact_name"], "phone": "+1 612 555 0142"},
        }
        return s.targets.register(sgt, data)[0].id

    expiring, withdrawn, lasting = register(marks["case_number"], 10), register("24-000002", 300), register("24-3", 300)
    s.targets.delete(sgt, withdrawn)
    clock.advance(timedelta(days=10 + 91))
    done = s.retention.purge()
    assert (done.targets, done.subjects) == (2, 4)
    gone = targets.c.id.in_([expiring, withdrawn])
    for table, where in (
        (targets, gone),
        (subject_keys, subject_keys.c.operation_id.in_([expiring, withdrawn])),
        (subject_terms, subject_terms.c.operation_id.in_([expiring, withdrawn])),
    ):
        assert marks.found_in(table_text(s, table, where)) == [], table.name
    assert marks["contact_name"] in table_text(s, targets, targets.c.id == lasting)  # a live target keeps all
    shell = wire(s.targets.get(sgt, expiring))
    assert shell["subjects"] == [] and shell["purged_at"] == isoformat(clock.now()) and shell["case_number"] == ""
    CasePublic.model_validate(shell)
    assert s.retention.purge().targets == 0  # a shell is not purged twice

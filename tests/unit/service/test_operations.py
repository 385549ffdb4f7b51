"""Operations use-cases: submit with the check, change under a version, finish, read another's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StaleVersion, StateConflict
from commonground.domain.model import ConflictStatus, OperationStatus
from commonground.domain.policy import NoticeTiming
from commonground.service.ports import OperationFilter
from commonground.service.principal import Principal
from tests.conftest import SOON, World, operation_data
from tests.unit.service.helpers import audit_of, conflict, conflicts_of, operation, operations_of, submitted

NEAR = (44.9785, -93.2645)  # about 100 m from operation_data()'s default place


@pytest.fixture
def two(world: World) -> tuple[Principal, Principal]:
    """Supervisors of two different agencies."""
    return world.person(world.agency()), world.person(world.agency("federal"))


def test_a_submission_stores_the_operation_and_its_audit_record(world: World, two: tuple[Principal, Principal]) -> None:
    """The operation is stored as entered, planned at version 1, with the agency's default notice."""
    who = two[0]
    op = submitted(world, who, title="Warrant, rear door", starts=SOON + timedelta(hours=1))
    assert (op.agency_id, op.created_by, op.title) == (who.agency.id, who.user.id, "Warrant, rear door")
    assert (op.status, op.version, op.notice) == (OperationStatus.PLANNED, 1, NoticeTiming.AT_SUBMIT)
    assert op.window.starts_at == SOON + timedelta(hours=1)
    [record] = audit_of(world.services, Action.OPERATION_CREATE)
    assert (record.actor_user_id, record.actor_agency_id, record.object_id) == (who.user.id, who.agency.id, op.id)
    assert record.outcome == "success" and record.details == {"conflicts": 0}


def test_a_submission_near_another_agency_records_one_conflict_both_hear_of(
    world: World, two: tuple[Principal, Principal]
) -> None:
    """One conflict is stored for the pair, audited, and announced to each side and the watch center."""
    first = submitted(world, two[0])
    second = submitted(world, two[1], *NEAR)
    [found] = conflicts_of(world.services, second.id)
    assert {found.operation_a, found.operation_b} == {first.id, second.id}
    assert found.status is ConflictStatus.OPEN and found.distance_m is not None and found.distance_m < 200
    assert conflicts_of(world.services, first.id) == [found]
    assert [e.object_id for e in audit_of(world.services, Action.CONFLICT_CREATE)] == [found.id]
    assert audit_of(world.services, Action.OPERATION_CREATE)[-1].details == {"conflicts": 1}
    with world.services.store.read() as tx:
        events = [e for e in tx.outbox.all_after(0, 100) if e.object_id == found.id]
    assert sorted((e.kind, e.agency_id, e.for_watch) for e in events) == sorted(
        [("conflict.created", found.agency_a, True), ("conflict.created", found.agency_b, False)]
    )


@pytest.mark.parametrize("role", ["dispatcher", "watch", "auditor", "agency_admin"])
def test_only_officers_and_supervisors_submit(world: World, role: str) -> None:
    """Other roles are refused before anything is stored."""
    who = world.person(world.agency(), role)
    with pytest.raises(NotPermitted):
        world.services.operations.submit(who, operation_data())
    assert operations_of(world.services, who) == []
    assert audit_of(world.services, Action.OPERATION_CREATE) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "picnic"}, "type"),
        ({"purpose": "curiosity"}, "purpose"),
        ({"title": "  "}, "title"),
        ({"location": {"lat": 95.0, "lon": -93.0}}, "location.lat"),
        ({"ends_at": SOON.isoformat()}, "ends_at"),
        ({"starts_at": "2026-12-01T06:00:00"}, "starts_at"),
        ({"notice": "withheld"}, "notice"),
    ],
)
def test_a_refused_field_is_named_and_nothing_is_stored(world: World, change: dict[str, Any], field: str) -> None:
    """The error names the first refused field; no operation and no audit record are written."""
    who = world.person(world.agency())
    with pytest.raises(InvalidInput) as refused:
        world.services.operations.submit(who, {**operation_data(), **change})
    assert refused.value.field == field
    assert operations_of(world.services, who) == []
    assert audit_of(world.services, Action.OPERATION_CREATE) == []


@pytest.mark.parametrize("if_match", [None, 0, 2])
def test_an_update_needs_the_current_version(world: World, two: tuple[Principal, Principal], if_match: int) -> None:
    """A missing or wrong If-Match changes nothing; the current one stores version 2 and audits the fields."""
    who = two[0]
    op = submitted(world, who)
    with pytest.raises(StaleVersion):
        world.services.operations.update(who, op.id, {"title": "Late edit"}, if_match=if_match)
    assert operation(world.services, op.id) == op
    world.services.operations.update(who, op.id, {"title": "New title", "risk": "low"}, if_match=1)
    changed = operation(world.services, op.id)
    assert (changed.title, changed.risk.value, changed.version) == ("New title", "low", 2)
    [record] = audit_of(world.services, Action.OPERATION_UPDATE)
    assert record.object_id == op.id and record.details == {"fields": ["risk", "title"], "version": 2}


def test_officers_change_only_their_own_operations(world: World) -> None:
    """An officer may not change a colleague's operation, a supervisor may; another agency cannot see it."""
    agency = world.agency()
    author, colleague, supervisor = (world.person(agency, r) for r in ("officer", "officer", "supervisor"))
    outsider = world.person(world.agency(), "supervisor")
    op = submitted(world, author)
    with pytest.raises(NotPermitted):
        world.services.operations.update(colleague, op.id, {"title": "Mine now"}, if_match=1)
    with pytest.raises(NotFound):
        world.services.operations.update(outsider, op.id, {"title": "Mine now"}, if_match=1)
    with pytest.raises(NotFound):
        world.services.operations.finish(outsider, op.id, OperationStatus.CANCELLED)
    assert operation(world.services, op.id) == op
    world.services.operations.update(supervisor, op.id, {"title": "Checked"}, if_match=1)
    assert operation(world.services, op.id).title == "Checked"


def test_moving_apart_dismisses_the_conflict(world: World, two: tuple[Principal, Principal]) -> None:
    """A change that ends a conflict closes it as dismissed, audited with the reason."""
    submitted(world, two[0])
    mine = submitted(world, two[1], *NEAR)
    [before] = conflicts_of(world.services, mine.id)
    world.services.operations.update(two[1], mine.id, {"location": {"lat": 45.2, "lon": -93.0}}, if_match=1)
    after = conflict(world.services, before.id)
    assert after.status is ConflictStatus.DISMISSED and after.closed_by == two[1].user.id
    [closed] = audit_of(world.services, Action.CONFLICT_CLOSE)
    assert closed.object_id == before.id and (closed.details or {}).get("reason") == "moved apart"


@pytest.mark.parametrize(
    ("status", "action"),
    [(OperationStatus.CANCELLED, Action.OPERATION_CANCEL), (OperationStatus.COMPLETED, Action.OPERATION_COMPLETE)],
)
def test_finishing_resolves_open_conflicts_once(
    world: World, two: tuple[Principal, Principal], status: OperationStatus, action: Action
) -> None:
    """The operation and its open conflicts close together, audited; a finished one cannot change again."""
    other = submitted(world, two[0])
    mine = submitted(world, two[1], *NEAR)
    world.services.operations.finish(two[1], mine.id, status)
    done = operation(world.services, mine.id)
    assert (done.status, done.version) == (status, 2)
    [closed] = conflicts_of(world.services, other.id)
    assert closed.status is ConflictStatus.RESOLVED and closed.note == f"operation {status.value}"
    assert [e.object_id for e in audit_of(world.services, action)] == [mine.id]
    assert [e.object_id for e in audit_of(world.services, Action.CONFLICT_CLOSE)] == [closed.id]
    with pytest.raises(StateConflict):
        world.services.operations.finish(two[1], mine.id, status)
    with pytest.raises(StateConflict):
        world.services.operations.update(two[1], mine.id, {"title": "After the fact"}, if_match=2)
    assert operation(world.services, mine.id) == done


def test_another_agencys_operation_is_seen_only_through_a_conflict(
    world: World, two: tuple[Principal, Principal]
) -> None:
    """Without a conflict it does not exist for the caller; through one, the read is audited."""
    far = submitted(world, two[0], 10.0, 10.0)
    with pytest.raises(NotFound):
        world.services.operations.get(two[1], far.id)
    with pytest.raises(NotFound):
        world.services.operations.get(two[1], "no-such-operation")
    assert audit_of(world.services, Action.OPERATION_READ_OTHER) == []
    theirs = submitted(world, two[0])
    submitted(world, two[1], *NEAR)
    world.services.operations.get(two[1], theirs.id)
    [read] = audit_of(world.services, Action.OPERATION_READ_OTHER)
    assert (read.actor_user_id, read.object_id) == (two[1].user.id, theirs.id)
    assert (read.details or {}).get("owner_agency") == two[0].agency.id


def test_only_the_agencys_own_members_list_its_operations(world: World, services: Services) -> None:
    """A dispatcher may not list operations; a supervisor lists only their agency's, whatever the filter says."""
    mine, theirs = world.person(world.agency()), world.person(world.agency())
    submitted(world, mine)
    submitted(world, theirs)
    with pytest.raises(NotPermitted):
        services.operations.list(world.person(mine.agency, "dispatcher"), OperationFilter(mine.agency.id), 10, None)
    listed = services.operations.list(mine, OperationFilter(theirs.agency.id), 10, None)
    assert len(listed.items) == 1 and listed.next is None

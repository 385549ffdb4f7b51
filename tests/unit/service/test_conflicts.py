"""Conflict use-cases: acknowledge a side, resolve or dismiss with a note, and reads that are audited."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from commonground.audit.tags import Action
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StateConflict
from commonground.domain.model import Acknowledgement, Conflict, ConflictStatus
from commonground.service.principal import Principal
from tests.conftest import World
from tests.unit.service.helpers import audit_of, conflict, conflicts_of, submitted


@dataclass(frozen=True)
class Pair:
    """Two agencies' authors, their conflicting operations, and the conflict between them."""

    one: Principal
    two: Principal
    conflict: Conflict
    one_op: str
    two_op: str


@pytest.fixture
def pair(world: World) -> Pair:
    one = world.person(world.agency(), "officer")
    two = world.person(world.agency("federal"), "supervisor")
    first = submitted(world, one)
    second = submitted(world, two, 44.9785, -93.2645)
    [found] = conflicts_of(world.services, first.id)
    return Pair(one, two, found, first.id, second.id)


def side_ack(c: Conflict, operation_id: str) -> Acknowledgement | None:
    return c.ack_a if c.side_of(operation_id) == "a" else c.ack_b


def test_each_side_acknowledges_its_own_and_then_the_conflict_is_acknowledged(world: World, pair: Pair) -> None:
    """An ack lands on the caller's side, audited and announced; the second side's completes it."""
    conflicts = world.services.conflicts
    conflicts.acknowledge(pair.one, pair.conflict.id, {})
    half = conflict(world.services, pair.conflict.id)
    ack = side_ack(half, pair.one_op)
    assert half.status is ConflictStatus.OPEN and side_ack(half, pair.two_op) is None
    assert ack is not None and (ack.by_user_id, ack.on_behalf) == (pair.one.user.id, False)
    conflicts.acknowledge(pair.two, pair.conflict.id, {"operation_id": pair.two_op})
    assert conflict(world.services, pair.conflict.id).status is ConflictStatus.ACKNOWLEDGED
    records = audit_of(world.services, Action.CONFLICT_ACK)
    assert [(r.actor_user_id, (r.details or {}).get("side")) for r in records] == [
        (pair.one.user.id, pair.one_op),
        (pair.two.user.id, pair.two_op),
    ]
    with world.services.store.read() as tx:
        kinds = [e.kind for e in tx.outbox.all_after(0, 100) if e.object_id == pair.conflict.id]
    assert kinds.count("conflict.updated") == 4  # two acks, each to both sides


def test_the_watch_center_acknowledges_on_behalf_of_a_named_side(world: World, pair: Pair) -> None:
    """The watch must say which side; its ack is marked as on behalf."""
    watch = world.person(world.agency(), "watch")
    with pytest.raises(InvalidInput) as unnamed:
        world.services.conflicts.acknowledge(watch, pair.conflict.id, {})
    assert unnamed.value.field == "operation_id"
    world.services.conflicts.acknowledge(watch, pair.conflict.id, {"operation_id": pair.one_op})
    ack = side_ack(conflict(world.services, pair.conflict.id), pair.one_op)
    assert ack is not None and ack.on_behalf is True
    [record] = audit_of(world.services, Action.CONFLICT_ACK)
    assert record.details == {"side": pair.one_op, "on_behalf": True}


def test_a_side_cannot_acknowledge_for_the_other_or_for_a_stranger(world: World, pair: Pair) -> None:
    """Naming the other side is refused, naming no side at all is invalid; nothing is stored."""
    with pytest.raises(NotPermitted):
        world.services.conflicts.acknowledge(pair.one, pair.conflict.id, {"operation_id": pair.two_op})
    with pytest.raises(InvalidInput) as stranger:
        world.services.conflicts.acknowledge(pair.one, pair.conflict.id, {"operation_id": "no-such-operation"})
    assert stranger.value.field == "operation_id"
    assert conflict(world.services, pair.conflict.id) == pair.conflict
    assert audit_of(world.services, Action.CONFLICT_ACK) == []


def test_outsiders_do_not_find_the_conflict(world: World, pair: Pair) -> None:
    """Another agency, or an officer of a side who entered neither operation, gets NotFound."""
    outsider = world.person(world.agency(), "supervisor")
    colleague = world.person(pair.one.agency, "officer")
    for who in (outsider, colleague):
        with pytest.raises(NotFound):
            world.services.conflicts.acknowledge(who, pair.conflict.id, {})
        with pytest.raises(NotFound):
            world.services.conflicts.get(who, pair.conflict.id)
    with pytest.raises(NotFound):
        world.services.conflicts.get(pair.one, "no-such-conflict")
    assert conflict(world.services, pair.conflict.id) == pair.conflict
    assert audit_of(world.services, Action.CONFLICT_READ) == []


def test_a_supervisor_resolves_with_a_note_once(world: World, pair: Pair) -> None:
    """A note is required and officers may not close; the close is stored, audited, and final."""
    conflicts = world.services.conflicts
    with pytest.raises(InvalidInput) as blank:
        conflicts.close(pair.two, pair.conflict.id, {"note": " "}, ConflictStatus.RESOLVED)
    assert blank.value.field == "note"
    with pytest.raises(NotPermitted):
        conflicts.close(pair.one, pair.conflict.id, {"note": "sorted"}, ConflictStatus.RESOLVED)
    assert conflict(world.services, pair.conflict.id) == pair.conflict
    conflicts.close(pair.two, pair.conflict.id, {"note": "Spoke to their sergeant"}, ConflictStatus.RESOLVED)
    done = conflict(world.services, pair.conflict.id)
    assert (done.status, done.closed_by, done.note) == (
        ConflictStatus.RESOLVED,
        pair.two.user.id,
        "Spoke to their sergeant",
    )
    [record] = audit_of(world.services, Action.CONFLICT_RESOLVE)
    assert (record.actor_user_id, record.object_id, record.details) == (
        pair.two.user.id,
        pair.conflict.id,
        {"status": "resolved", "outcome": "other"},  # no outcome sent (a v1 client): recorded as other
    )
    with pytest.raises(StateConflict):
        conflicts.close(pair.two, pair.conflict.id, {"note": "again"}, ConflictStatus.DISMISSED)
    with pytest.raises(StateConflict):
        conflicts.acknowledge(pair.two, pair.conflict.id, {})
    assert conflict(world.services, pair.conflict.id) == done


def test_the_watch_center_dismisses(world: World, pair: Pair) -> None:
    """The watch center may close any conflict."""
    watch = world.person(world.agency(), "watch")
    world.services.conflicts.close(watch, pair.conflict.id, {"note": "training exercise"}, ConflictStatus.DISMISSED)
    assert conflict(world.services, pair.conflict.id).status is ConflictStatus.DISMISSED


def test_reading_conflicts_is_audited_and_reading_none_is_not(world: World, pair: Pair) -> None:
    """A get or a non-empty list leaves a read record naming the conflicts; roles without conflicts are refused."""
    world.services.conflicts.get(pair.two, pair.conflict.id)
    world.services.conflicts.list(pair.one, None, 10, None)
    world.services.conflicts.list(pair.one, ConflictStatus.RESOLVED, 10, None)
    records = audit_of(world.services, Action.CONFLICT_READ)
    assert [(r.actor_user_id, (r.details or {}).get("conflicts")) for r in records] == [
        (pair.two.user.id, [pair.conflict.id]),
        (pair.one.user.id, [pair.conflict.id]),
    ]
    with pytest.raises(NotPermitted):
        world.services.conflicts.list(world.person(pair.one.agency, "dispatcher"), None, 10, None)

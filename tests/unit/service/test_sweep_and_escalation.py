"""The two background use-cases: the sweep that records missed conflicts, and the escalator that chases acks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.model import Conflict, ConflictKind, OperationStatus
from commonground.service.clock import ManualClock
from commonground.service.escalation import Escalator
from commonground.service.principal import Principal
from commonground.service.sweep import sweep
from tests.conftest import SOON, World
from tests.unit import factories
from tests.unit.service.helpers import audit_of, conflict, conflicts_of, submitted

NEAR = (44.9785, -93.2645)


@pytest.fixture
def escalator(services: Services, clock: ManualClock) -> Escalator:
    return Escalator(services.store, clock, ack_within=timedelta(minutes=5), start_within=timedelta(minutes=30))


@pytest.fixture
def sides(world: World) -> tuple[Principal, Principal]:
    return world.person(world.agency()), world.person(world.agency("federal"))


@pytest.fixture
def pair(world: World, sides: tuple[Principal, Principal]) -> Conflict:
    """A fresh conflict between the two sides' operations, starting in two days."""
    submitted(world, sides[0])
    [found] = conflicts_of(world.services, submitted(world, sides[1], *NEAR).id)
    return found


def escalations(services: Services, conflict_id: str) -> set[tuple[str, str]]:
    with services.store.read() as tx:
        return tx.escalations.of_conflicts([conflict_id])[conflict_id]


def test_the_sweep_records_a_conflict_the_check_never_saw(world: World, sides: tuple[Principal, Principal]) -> None:
    """Operations stored behind the check's back get their conflict, audited as the sweep's; a rerun finds none."""
    start = SOON + timedelta(days=5)
    one, two = (factories.operation(p.agency, start=start, created_by=p.user.id) for p in sides)
    gone = factories.operation(sides[1].agency, start=start, status=OperationStatus.CANCELLED)
    with world.services.store.write() as tx:
        for op in (one, two, gone):
            tx.operations.add(op)
    assert sweep(world.services.store, world.services.clock) == 1
    [found] = conflicts_of(world.services, one.id)
    assert (found.kind, {found.operation_a, found.operation_b}) == (ConflictKind.PROXIMITY, {one.id, two.id})
    assert conflicts_of(world.services, gone.id) == []
    [record] = audit_of(world.services, Action.CONFLICT_CREATE)
    assert record.object_id == found.id and record.actor_user_id is None
    assert record.details is not None and record.details["source"] == "sweep"
    assert sweep(world.services.store, world.services.clock) == 0


def test_the_sweep_leaves_recorded_conflicts_alone(world: World, pair: Conflict) -> None:
    """Conflicts the check recorded are not recorded twice."""
    assert sweep(world.services.store, world.services.clock) == 0
    assert len(audit_of(world.services, Action.CONFLICT_CREATE)) == 1


def test_an_unacknowledged_conflict_alerts_the_watch_once_per_side(
    world: World, pair: Conflict, escalator: Escalator, clock: ManualClock
) -> None:
    """Nothing is due at once; after the ack time each silent side is escalated once, audited and announced."""
    assert escalator.run() == 0
    clock.advance(timedelta(minutes=6))
    assert escalator.run() == 2
    assert escalations(world.services, pair.id) == {(pair.operation_a, "unacked"), (pair.operation_b, "unacked")}
    records = audit_of(world.services, Action.CONFLICT_ESCALATE)
    assert sorted((r.object_id, (r.details or {})["side"]) for r in records) == sorted(
        [(pair.id, pair.operation_a), (pair.id, pair.operation_b)]
    )
    with world.services.store.read() as tx:
        events = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "conflict.escalated"]
    assert [(e.object_id, e.agency_id, e.for_watch) for e in events] == [(pair.id, None, True)] * 2
    assert escalator.run() == 0


def test_a_side_that_acknowledged_in_time_is_not_escalated(
    world: World, pair: Conflict, sides: tuple[Principal, Principal], escalator: Escalator, clock: ManualClock
) -> None:
    """Only the side still silent is chased; once both have acknowledged nothing more is raised."""
    world.services.conflicts.acknowledge(sides[0], pair.id, {})
    clock.advance(timedelta(minutes=6))
    assert escalator.run() == 1
    acked = conflict(world.services, pair.id)
    silent = acked.operation_b if acked.ack_a is not None else acked.operation_a
    assert escalations(world.services, pair.id) == {(silent, "unacked")}
    world.services.conflicts.acknowledge(sides[1], pair.id, {})
    clock.advance(SOON - clock.now() - timedelta(minutes=10))
    assert escalator.run() == 0


def test_a_conflict_about_to_start_is_urgent_for_both_sides(
    world: World, pair: Conflict, escalator: Escalator, clock: ManualClock
) -> None:
    """Within the start time an unacknowledged conflict raises one urgent alert, told to both agencies."""
    clock.advance(SOON - clock.now() - timedelta(minutes=20))
    assert escalator.run() == 3  # two sides overdue, and one urgent for both
    assert ("both", "urgent") in escalations(world.services, pair.id)
    with world.services.store.read() as tx:
        urgent = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "conflict.urgent"]
    assert sorted((e.agency_id or "", e.for_watch) for e in urgent) == sorted(
        [(pair.agency_a, True), (pair.agency_b, False)]
    )
    assert escalator.run() == 0

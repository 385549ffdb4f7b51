"""Escalation with a clock moved by hand: watch center after N minutes, urgent before the start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.model import Agency
from commonground.notify.render import WATCH, for_agency, render
from commonground.service.clock import ManualClock
from commonground.service.principal import Principal
from tests.conftest import World, operation_data, wire

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clocked(store_url: str) -> Iterator[tuple[Services, ManualClock]]:
    clock = ManualClock(START)
    built = build_services(Settings(database_url=store_url), clock=clock)
    yield built, clock
    built.close()


def kinds(services: Services, after: int) -> list[tuple[str, str | None, bool]]:
    with services.store.read() as tx:
        return [(e.kind, e.agency_id, e.for_watch) for e in tx.outbox.all_after(after, 100)]


def two_agencies_in_conflict(services: Services) -> tuple[tuple[Agency, Principal], tuple[Agency, Principal], str]:
    """A city and a county supervisor whose operations, two hours after START, conflict."""
    world = World(services)
    city, county = world.agency("local"), world.agency("local")
    a, b = world.person(city, "supervisor"), world.person(county, "supervisor")
    starts = START + timedelta(hours=2)
    services.operations.submit(a, operation_data(starts=starts))
    _, found = wire(services.operations.submit(b, operation_data(lon=-93.2640, starts=starts)))
    return (city, a), (county, b), str(found[0]["id"])


def test_unacknowledged_sides_escalate_to_watch_then_urgent_to_everyone(
    clocked: tuple[Services, ManualClock],
) -> None:
    services, clock = clocked
    (city, a), (county, b), conflict_id = two_agencies_in_conflict(services)
    worker = services.deliveries
    with services.store.read() as tx:
        mark = tx.outbox.last_seq()

    clock.advance(timedelta(minutes=4))
    worker.run_once()
    assert kinds(services, mark) == []

    wire(services.conflicts.acknowledge(b, conflict_id, {}))  # county acknowledges in time; the city does not
    with services.store.read() as tx:
        mark = tx.outbox.last_seq()
    clock.advance(timedelta(minutes=2))
    worker.run_once()
    assert kinds(services, mark) == [("conflict.escalated", None, True)]
    with services.store.read() as tx:
        [event] = tx.outbox.all_after(mark, 10)
        view = render(tx, event, WATCH)
        assert view is not None and view["escalation"]["agency_id"] == city.id
        assert render(tx, event, for_agency(city)) is None  # the watch center's alert only
        mark = tx.outbox.last_seq()
    worker.run_once()
    assert kinds(services, mark) == []  # once per side

    clock.advance(timedelta(minutes=90))  # 24 minutes before the start
    worker.run_once()
    assert sorted(kinds(services, mark), key=str) == sorted(
        [("conflict.urgent", city.id, True), ("conflict.urgent", county.id, False)], key=str
    )
    with services.store.read() as tx:
        mark = tx.outbox.last_seq()
        actions = [r.entry.action for r in tx.audit.all()]
    assert actions.count("notify:conflict:escalate") == 2
    clock.advance(timedelta(minutes=5))
    worker.run_once()
    assert kinds(services, mark) == []

    services.conflicts.acknowledge(a, conflict_id, {})
    assert wire(services.conflicts.get(a, conflict_id))["status"] == "acknowledged"


def test_an_acknowledged_conflict_does_not_escalate(clocked: tuple[Services, ManualClock]) -> None:
    services, clock = clocked
    world = World(services)
    a, b = world.person(world.agency("local"), "supervisor"), world.person(world.agency("local"), "supervisor")
    services.operations.submit(a, operation_data(starts=START + timedelta(minutes=20)))
    _, found = wire(services.operations.submit(b, operation_data(lon=-93.2640, starts=START + timedelta(minutes=20))))
    services.conflicts.acknowledge(a, found[0]["id"], {})
    services.conflicts.acknowledge(b, found[0]["id"], {})
    with services.store.read() as tx:
        mark = tx.outbox.last_seq()
    clock.advance(timedelta(minutes=10))
    services.deliveries.run_once()
    assert kinds(services, mark) == []


def test_the_escalation_scan_reads_only_conflicts_that_may_owe_an_alert(
    clocked: tuple[Services, ManualClock],
) -> None:
    """The store narrows the scan; a conflict whose alerts are all raised, or none due yet, is not read."""
    services, clock = clocked
    (_, a), (_, b), conflict_id = two_agencies_in_conflict(services)
    starts = START + timedelta(hours=2)
    settings = services.settings
    ack_within, start_within = (
        timedelta(minutes=settings.escalate_ack_minutes),
        timedelta(minutes=settings.escalate_start_minutes),
    )

    def candidates() -> list[str]:
        now = clock.now()
        with services.store.read() as tx:
            return [c.id for c in tx.escalations.candidates(now - ack_within, now + start_within, now, 100)]

    worker = services.deliveries
    assert candidates() == []  # nothing due yet
    clock.advance(ack_within)
    assert candidates() == [conflict_id]  # both sides overdue
    worker.run_once()
    assert candidates() == []  # both escalated; the start is still far
    clock.advance(starts - clock.now() - start_within)
    assert candidates() == [conflict_id]  # about to start, no urgent alert yet
    worker.run_once()
    assert candidates() == []  # every alert it can owe is raised
    services.conflicts.acknowledge(a, conflict_id, {})
    services.conflicts.acknowledge(b, conflict_id, {})
    clock.advance(timedelta(days=1))
    assert candidates() == []  # acknowledged by both

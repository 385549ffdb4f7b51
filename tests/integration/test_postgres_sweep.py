"""The sweep finds and records a conflict the store lost, on both stores (PostgreSQL too)."""

from __future__ import annotations

from sqlalchemy import text

from commonground.service.sweep import missing_pairs, sweep
from tests.conftest import World, operation_data, wire


def test_the_sweep_records_a_lost_conflict_once_and_then_finds_nothing(world: World) -> None:
    ops = world.services.operations
    one, two, three = (world.person(world.agency()) for _ in range(3))
    ops.submit(one, operation_data())
    ops.submit(two, operation_data(44.978, -93.2645))
    wire(ops.submit(three, operation_data(45.5, -93.0)))  # far away: never a pair
    store, clock = world.services.store, world.services.clock
    assert sweep(store, clock) == 0
    with store.write() as tx:
        tx.conn.execute(text("DELETE FROM conflicts"))  # type: ignore[attr-defined]
    assert len(missing_pairs(store)) == 1
    assert sweep(store, clock) == 1
    assert sweep(store, clock) == 0
    watch = world.person(world.agency(), "watch")
    assert len(wire(world.services.conflicts.list(watch, None, 100, None)).items) == 1
    assert world.services.audit.verify().intact

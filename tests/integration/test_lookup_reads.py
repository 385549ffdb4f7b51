"""What one look-up reads: its cost must not grow with the look-ups its agency made before.

The measured finding (docs/performance.md): every look-up read and decoded every look-up its
agency's people made in the last 15 minutes, for the sweep rule, even with the rule off. A 911
centre that looks up every call paid more for each call than for the one before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event

from commonground.bootstrap import Services
from commonground.service.clock import new_id
from commonground.service.lookup_sweeps import SweepRule
from commonground.service.ports import LookupRecord
from tests.conftest import World
from tests.integration.sqlite_steps import steps_of


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL the store sends while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_lookup_with_the_sweep_rule_off_reads_none_of_the_earlier_lookups(services: Services) -> None:
    world = World(services)
    centre = world.agency("local", name="911 Centre")
    dispatcher = world.person(centre, "dispatcher")
    services.lookups.sweeps = SweepRule(user_cells=0, agency_cells=0)
    now = services.clock.now()
    with services.store.write() as tx:
        for i in range(50):
            at = now - timedelta(minutes=1)
            tx.lookups.add(LookupRecord(new_id(), dispatcher.user.id, centre.id, at, 44.9 + i * 0.01, -93.2, 300.0, 0))

    with statements(services.store.engine) as seen:  # type: ignore[attr-defined]
        services.lookups.lookup(dispatcher, 44.97, -93.26, None, None)

    rows_read = [s for s in seen if "FROM lookups" in s and "count(" not in s]
    assert rows_read == []
    with services.store.read() as tx:  # the look-up itself is still kept, and counted
        assert tx.lookups.since(dispatcher.user.id, now - timedelta(minutes=5))[0] == 51


def _vm_steps_of_refusal(services: Services, who: Any, now: Any) -> int:
    """SQLite steps the hourly-limit check takes."""
    with services.store.write() as tx:
        steps, refused = steps_of(tx, lambda: services.lookups.refusal(tx, who, now, now))
    assert refused is None
    return steps


def test_the_hourly_limit_check_does_not_grow_with_the_hour_s_lookups(services: Services) -> None:
    """Three counts over an hour's look-ups (the user's, the agency's, everyone's) ran on every look-up,
    inside the writer: a 911 centre near the installation's 20,000 an hour paid ~3 ms for them."""
    if services.store.engine.dialect.name != "sqlite":  # type: ignore[attr-defined]
        pytest.skip("counts SQLite's virtual-machine steps")
    world = World(services)
    centre = world.agency("local", name="911 Centre")
    busy, quiet = world.person(centre, "dispatcher"), world.person(centre, "dispatcher")
    services.lookups.limit_per_hour = services.lookups.agency_limit_per_hour = 10**6
    services.lookups.installation_limit_per_hour = 10**6
    now = services.clock.now()

    def add(who: Any, n: int) -> None:
        with services.store.write() as tx:
            for i in range(n):
                at = now - timedelta(seconds=3590 * (i + 1) / n)
                tx.lookups.add(LookupRecord(new_id(), who.user.id, centre.id, at, 44.9, -93.2, 300.0, 0))

    add(quiet, 100)
    few = _vm_steps_of_refusal(services, quiet, now)
    add(busy, 6000)
    many = _vm_steps_of_refusal(services, busy, now)
    assert many < 10 * few, (few, many)
    print(f"hourly-limit check, SQLite steps: {few} at 100 look-ups, {many} at 6,100")
    with services.store.read() as tx:  # and the counts are still exact
        assert tx.lookups.since(busy.user.id, now - timedelta(hours=1)) == (6000, now - timedelta(seconds=3590))
        assert tx.lookups.since_for_agency(centre.id, now - timedelta(hours=1))[0] == 6100


def test_a_lookup_under_the_sweep_rule_reads_no_earlier_lookups_unless_it_raises_the_alert(services: Services) -> None:
    """With the rule on (the default) every look-up read and decoded all its agency's look-ups of the
    rule's window: ~9 ms each once a 911 centre had made 2,000 in 15 minutes."""
    world = World(services)
    centre = world.agency("local", name="911 Centre")
    dispatcher, other = world.person(centre, "dispatcher"), world.person(centre, "dispatcher")
    services.lookups.sweeps = SweepRule(user_cells=12, agency_cells=60)
    services.lookups.limit_per_hour = services.lookups.agency_limit_per_hour = 10**6
    services.lookups.installation_limit_per_hour = 10**6
    for i in range(30):  # 30 look-ups in 3 cells: no sweep
        services.lookups.lookup(other if i % 2 else dispatcher, 44.97 + (i % 3) * 0.01, -93.26, None, None)

    with statements(services.store.engine) as seen:  # type: ignore[attr-defined]
        services.lookups.lookup(dispatcher, 44.97, -93.26, None, None)

    assert [s for s in seen if "FROM lookups" in s and "count(" not in s] == []
    with services.store.read() as tx:
        assert tx.lookups.since(dispatcher.user.id, services.clock.now() - timedelta(minutes=5))[0] == 16

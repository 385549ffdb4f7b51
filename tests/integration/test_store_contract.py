"""Behaviour every store must show; runs against SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from commonground.bootstrap import Services
from commonground.domain.errors import StaleVersion
from commonground.domain.model import OperationStatus
from commonground.service.ports import OperationFilter
from commonground.store import migrate
from commonground.store.schema import audit_log
from tests.conftest import SOON, World, operation_data, wire


def test_two_agencies_near_each_other_see_one_conflict_from_both_sides(world: World) -> None:
    ops = world.services.operations
    local, federal = world.agency("local"), world.agency("federal")
    mpd, ice = world.person(local), world.person(federal)
    _, first = wire(ops.submit(mpd, operation_data()))
    assert first == []
    _, second = wire(ops.submit(ice, operation_data(44.979, -93.262, purpose="civil_immigration")))
    assert len(second) == 1 and second[0]["counterpart"]["agency"]["name"] == local.name
    listed = wire(world.services.conflicts.list(mpd, None, 100, None)).items
    assert [c["id"] for c in listed] == [second[0]["id"]]
    assert listed[0]["counterpart"]["agency"]["name"] == federal.name
    assert listed[0]["counterpart"]["contact"]["phone"] == "+1 612 555 0100"


def test_forty_agencies_at_one_spot_at_one_moment_pair_exactly_once(world: World) -> None:
    people = [world.person(world.agency(("federal", "state", "local", "tribal")[i % 4])) for i in range(40)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def submit(who: object) -> None:
        try:
            barrier.wait()
            wire(world.services.operations.submit(who, operation_data()))  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    watch = world.person(world.agency(), "watch")
    seen = wire(world.services.conflicts.list(watch, None, 1000, None)).items
    pairs = [frozenset(s["operation"]["id"] for s in c["sides"]) for c in seen]
    assert len(pairs) == len(set(pairs)) == 40 * 39 // 2


@pytest.mark.parametrize(("a", "b"), [((10.0, 179.9995), (10.0, -179.9995)), ((89.9990, 0.0), (89.9990, 180.0))])
def test_the_antimeridian_and_the_poles_are_searched(
    world: World, a: tuple[float, float], b: tuple[float, float]
) -> None:
    one, two = world.person(world.agency()), world.person(world.agency())
    world.services.operations.submit(one, operation_data(*a, radius_m=10))
    _, found = wire(world.services.operations.submit(two, operation_data(*b, radius_m=10)))
    assert len(found) == 1 and found[0]["distance_m"] < 300


def test_far_apart_or_hours_apart_is_clear(world: World) -> None:
    one, two = world.person(world.agency()), world.person(world.agency())
    world.services.operations.submit(one, operation_data())
    assert wire(world.services.operations.submit(two, operation_data(44.99, -93.265)))[1] == []
    assert wire(world.services.operations.submit(two, operation_data(starts=SOON + timedelta(hours=6))))[1] == []


def test_moving_apart_closes_and_moving_back_reopens(world: World) -> None:
    ops = world.services.operations
    one, two = world.person(world.agency()), world.person(world.agency())
    ops.submit(one, operation_data())
    mine, found = wire(ops.submit(two, operation_data(44.978, -93.2645)))
    assert len(found) == 1
    moved, now = wire(ops.update(two, mine["id"], {"location": {"lat": 45.1, "lon": -93.2}}, if_match=1))
    assert now == [] and moved["version"] == 2
    assert wire(world.services.conflicts.get(one, found[0]["id"]))["status"] == "dismissed"
    _, back = wire(ops.update(two, mine["id"], {"location": {"lat": 44.978, "lon": -93.2645}}, if_match=2))
    assert [c["id"] for c in back] == [found[0]["id"]] and back[0]["status"] == "open"
    with pytest.raises(StaleVersion):
        ops.update(two, mine["id"], {"title": "late edit"}, if_match=2)


def test_cancelling_resolves_the_operations_conflicts(world: World) -> None:
    ops = world.services.operations
    one, two = world.person(world.agency()), world.person(world.agency())
    ops.submit(one, operation_data())
    mine, found = wire(ops.submit(two, operation_data()))
    ops.finish(two, mine["id"], OperationStatus.CANCELLED)
    assert wire(world.services.conflicts.get(one, found[0]["id"]))["status"] == "resolved"


def test_tampering_with_the_audit_log_is_detected(world: World) -> None:
    services: Services = world.services
    services.operations.submit(world.person(world.agency()), operation_data())
    assert services.audit.verify().intact
    store = services.store
    with store.write() as tx:
        tx.conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(outcome="failure"))  # type: ignore[attr-defined]
    verdict = services.audit.verify()
    assert not verdict.intact and "record 2" in (verdict.problem or "")


def test_removing_an_audit_record_is_detected(world: World) -> None:
    world.services.operations.submit(world.person(world.agency()), operation_data())
    with world.services.store.write() as tx:
        tx.conn.execute(text("DELETE FROM audit_log WHERE seq = 3"))  # type: ignore[attr-defined]
    assert not world.services.audit.verify().intact


def test_tables_and_migrations_agree(services: Services) -> None:
    migrate.check(services.store.engine)  # type: ignore[attr-defined]


def test_pages_follow_the_cursor(world: World) -> None:
    who = world.person(world.agency())
    for i in range(5):
        world.services.operations.submit(who, operation_data(starts=SOON + timedelta(days=i), lat=10.0 + i))
    seen, cursor = [], None
    for _ in itertools.count():
        page = wire(world.services.operations.list(who, OperationFilter(agency_id=""), 2, cursor))
        seen += [op["id"] for op in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5

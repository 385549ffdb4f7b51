"""Jurisdiction notices and dispatcher look-ups, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commonground.bootstrap import Services
from commonground.domain.errors import InvalidInput, RateLimited
from commonground.domain.model import OperationStatus
from commonground.service.clock import ManualClock
from commonground.service.lookups import Lookups
from commonground.service.notices import Notices
from tests.conftest import SOON, World, operation_data, wire

CITY = {
    "type": "Polygon",
    "coordinates": [[[-93.33, 44.89], [-93.19, 44.89], [-93.19, 45.05], [-93.33, 45.05], [-93.33, 44.89]]],
}
INSIDE = (44.9778, -93.2650)
OUTSIDE = (44.80, -93.60)


def city_and_feds(world: World) -> tuple[Any, ...]:
    city = world.agency("local", name="City PD", jurisdiction=CITY)
    feds = world.agency("federal", name="Field Office", policy={"allow_withheld": True})
    return city, world.person(city), world.person(feds)


def test_an_operation_inside_a_jurisdiction_notifies_its_agency_at_safety_level(world: World) -> None:
    _, city_sgt, agent = city_and_feds(world)
    op, _ = wire(world.services.operations.submit(agent, operation_data(*INSIDE, notes="confidential informant")))
    world.services.operations.submit(agent, operation_data(*OUTSIDE))
    [notice] = wire(world.services.notices.list(city_sgt, 100, None)).items
    assert notice["kind"] == "entry" and notice["operation"]["id"] == op["id"]
    assert notice["operation"]["level_disclosed"] == "safety"
    assert "notes" not in notice["operation"] and "title" not in notice["operation"]
    assert notice["operation"]["team"]["attire"] == "plain_clothes"
    assert wire(world.services.notices.list(agent, 100, None)).items == []


def test_cancelling_sends_an_exit_notice(world: World) -> None:
    _, city_sgt, agent = city_and_feds(world)
    op, _ = wire(world.services.operations.submit(agent, operation_data(*INSIDE)))
    world.services.operations.finish(agent, op["id"], OperationStatus.CANCELLED)
    kinds = [n["kind"] for n in wire(world.services.notices.list(city_sgt, 100, None)).items]
    assert kinds == ["exit", "entry"]


def test_moving_out_of_the_jurisdiction_sends_an_exit_notice(world: World) -> None:
    _, city_sgt, agent = city_and_feds(world)
    op, _ = wire(world.services.operations.submit(agent, operation_data(*INSIDE)))
    world.services.operations.update(agent, op["id"], {"location": {"lat": OUTSIDE[0], "lon": OUTSIDE[1]}}, 1)
    assert [n["kind"] for n in wire(world.services.notices.list(city_sgt, 100, None)).items] == ["exit", "entry"]


def test_at_start_notices_wait_for_the_start_and_survive_a_restart(world: World) -> None:
    _, city_sgt, agent = city_and_feds(world)
    world.services.operations.submit(agent, operation_data(*INSIDE, notice="at_start"))
    assert wire(world.services.notices.list(city_sgt, 100, None)).items == []
    # A new Notices service over the same store stands for a restarted process.
    clock = ManualClock(SOON - timedelta(minutes=1))
    restarted = Notices(world.services.store, clock)
    assert restarted.deliver_due() == 0
    clock.advance(timedelta(minutes=2))
    assert restarted.deliver_due() == 1
    assert restarted.deliver_due() == 0
    assert len(wire(world.services.notices.list(city_sgt, 100, None)).items) == 1


def test_withheld_needs_the_owners_policy_and_is_counted(world: World) -> None:
    _, city_sgt, agent = city_and_feds(world)
    world.services.operations.submit(agent, operation_data(*INSIDE, notice="withheld"))
    assert wire(world.services.notices.list(city_sgt, 100, None)).items == []
    with pytest.raises(InvalidInput) as caught:
        world.services.operations.submit(city_sgt, operation_data(*OUTSIDE, notice="withheld"))
    assert caught.value.field == "notice"
    auditor = world.person(world.agency(), "auditor")
    report = world.services.audit.transparency(auditor)
    [row] = report["notices_by_operating_agency"]
    assert row["agency"] == "Field Office" and row["notices_withheld"] == 1


def test_dispatcher_lookup_answers_at_safety_level_and_tells_the_team(world: World) -> None:
    city, _, agent = city_and_feds(world)
    dispatcher = world.person(city, "dispatcher")
    now = datetime.now(UTC).replace(microsecond=0)  # a look-up asks about now, give or take two hours
    op, _ = wire(world.services.operations.submit(agent, operation_data(*INSIDE, starts=now, hours=1)))
    answer = wire(
        world.services.lookups.lookup(dispatcher, INSIDE[0] + 0.002, INSIDE[1], 400, now + timedelta(minutes=30))
    )
    [seen] = answer["operations"]
    assert seen["id"] == op["id"] and seen["level_disclosed"] == "safety"
    assert seen["contact"]["phone"] and seen["team"]["vehicles"] and 0 < seen["distance_m"] < 400
    assert "title" not in seen and "type" not in seen and "address" not in seen
    later = world.services.lookups.lookup(dispatcher, *INSIDE, 300, now + timedelta(minutes=100))
    assert wire(later)["operations"] == []
    with world.services.store.read() as tx:
        told = tx.outbox.after(0, agent.agency.id, False, 100)
    assert [e.kind for e in told] == ["lookup.nearby"] and (told[0].details or {})["by_agency"] == "City PD"


def test_lookups_are_rate_limited_per_user(services: Services, world: World) -> None:
    dispatcher = world.person(world.agency(), "dispatcher")
    limited = Lookups(services.store, services.clock, limit_per_hour=3)
    for _ in range(3):
        limited.lookup(dispatcher, *INSIDE, None, None)
    with pytest.raises(RateLimited) as caught:
        limited.lookup(dispatcher, *INSIDE, None, None)
    assert 3500 <= caught.value.retry_after <= 3600


@pytest.mark.parametrize("radius", [0, -1, 5001])
def test_lookup_radius_is_bounded(world: World, radius: float) -> None:
    dispatcher = world.person(world.agency(), "dispatcher")
    with pytest.raises(InvalidInput) as caught:
        world.services.lookups.lookup(dispatcher, *INSIDE, radius, None)
    assert caught.value.field == "radius_m"

"""Jurisdiction notices over an operation's life, and the dispatcher's rate-limited look-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.errors import InvalidInput, NotPermitted, RateLimited
from commonground.domain.model import Agency, OperationStatus
from commonground.domain.notices import Notice, NoticeKind, NoticeStatus
from commonground.service.clock import ManualClock
from commonground.service.lookups import Lookups
from commonground.service.principal import Principal
from tests.conftest import SOON, World
from tests.unit.service.helpers import audit_of, outcomes, submitted

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-93.3, 44.9], [-93.2, 44.9], [-93.2, 45.0], [-93.3, 45.0], [-93.3, 44.9]]],
}
HERE = (44.9778, -93.2650)  # inside SQUARE, where operation_data() puts an operation


@pytest.fixture
def host(world: World) -> Agency:
    """An agency whose jurisdiction covers the default place."""
    return world.agency(jurisdiction=SQUARE)


@pytest.fixture
def owner(world: World) -> Principal:
    return world.person(world.agency("federal", policy={"allow_withheld": True}))


def notices(services: Services, operation_id: str) -> list[Notice]:
    with services.store.read() as tx:
        return tx.notices.of_operation(operation_id)


def events_of(services: Services, kind: str) -> list[tuple[str, str | None]]:
    with services.store.read() as tx:
        return [(e.object_id, e.agency_id) for e in tx.outbox.all_after(0, 1000) if e.kind == kind]


def test_the_host_agency_is_told_at_submission_and_at_the_end(world: World, host: Agency, owner: Principal) -> None:
    """An entry notice is sent and announced at once; cancelling sends an exit notice."""
    op = submitted(world, owner)
    [entry] = notices(world.services, op.id)
    assert (entry.agency_id, entry.kind, entry.status) == (host.id, NoticeKind.ENTRY, NoticeStatus.SENT)
    assert events_of(world.services, "notice.created") == [(entry.id, host.id)]
    world.services.operations.finish(owner, op.id, OperationStatus.CANCELLED)
    assert [(n.kind, n.status) for n in notices(world.services, op.id)] == [
        (NoticeKind.ENTRY, NoticeStatus.SENT),
        (NoticeKind.EXIT, NoticeStatus.SENT),
    ]
    hosts = world.person(host)
    assert len(world.services.notices.list(hosts, 10, None).items) == 2
    assert world.services.notices.list(owner, 10, None).items == []


def test_a_notice_at_the_start_waits_until_the_operation_starts(
    world: World, host: Agency, owner: Principal, clock: ManualClock
) -> None:
    """Scheduled for the start, nothing is due before it; after it, one delivery sends it."""
    op = submitted(world, owner, notice="at_start")
    [scheduled] = notices(world.services, op.id)
    assert (scheduled.status, scheduled.due_at, scheduled.sent_at) == (
        NoticeStatus.SCHEDULED,
        op.window.starts_at,
        None,
    )
    assert world.services.notices.deliver_due() == 0
    clock.advance(op.window.starts_at - clock.now() + timedelta(minutes=1))
    assert world.services.notices.deliver_due() == 1
    [sent] = notices(world.services, op.id)
    assert (sent.status, sent.sent_at) == (NoticeStatus.SENT, clock.now())
    assert events_of(world.services, "notice.created") == [(sent.id, host.id)]
    assert world.services.notices.deliver_due() == 0


def test_a_withheld_notice_is_kept_but_never_sent(world: World, host: Agency, owner: Principal) -> None:
    """Where the owner's policy allows it, the notice is stored withheld and nobody is told."""
    op = submitted(world, owner, notice="withheld")
    assert [n.status for n in notices(world.services, op.id)] == [NoticeStatus.WITHHELD]
    assert events_of(world.services, "notice.created") == []


def test_an_agency_that_declines_notices_gets_none(world: World, owner: Principal) -> None:
    """A host whose policy refuses notices is not told."""
    world.agency(jurisdiction=SQUARE, policy={"receive_notices": False})
    assert notices(world.services, submitted(world, owner).id) == []


def test_only_dispatchers_look_up_and_bad_values_are_named(world: World, owner: Principal) -> None:
    """Refusals store no look-up; a bad radius or place names its field."""
    dispatcher = world.person(world.agency(), "dispatcher")
    with pytest.raises(NotPermitted):
        world.services.lookups.lookup(owner, *HERE, None, None)
    for radius, lat, field in ((0.0, HERE[0], "radius_m"), (6000.0, HERE[0], "radius_m"), (None, 91.0, "lookup.lat")):
        with pytest.raises(InvalidInput) as refused:
            world.services.lookups.lookup(dispatcher, lat, HERE[1], radius, None)
        assert refused.value.field == field
    with world.services.store.read() as tx:
        assert tx.lookups.since(dispatcher.user.id, SOON - timedelta(days=30)) == (0, None)
    assert audit_of(world.services, Action.LOOKUP) == []


def test_a_lookup_is_kept_audited_and_told_to_the_operations_agency(
    world: World, owner: Principal, clock: ManualClock
) -> None:
    """The look-up is recorded for the limit, audited with what it found, and the found agency hears of it."""
    dispatcher = world.person(world.agency(), "dispatcher")
    near, far = submitted(world, owner), submitted(world, owner, 45.2, -93.0)
    clock.advance(SOON - clock.now())  # a look-up asks about now, give or take two hours
    world.services.lookups.lookup(dispatcher, 44.979, -93.265, 500.0, SOON + timedelta(hours=1))
    with world.services.store.read() as tx:
        assert tx.lookups.since(dispatcher.user.id, clock.now()) == (1, clock.now())
    [record] = audit_of(world.services, Action.LOOKUP)
    assert (record.actor_user_id, record.outcome) == (dispatcher.user.id, "success")
    assert record.details is not None and record.details["results"] == [near.id] and far.id not in str(record.details)
    assert events_of(world.services, "lookup.nearby") == [(near.id, owner.agency.id)]


def test_the_hourly_limit_refuses_audits_and_lifts(world: World, services: Services, clock: ManualClock) -> None:
    """Past the limit a look-up is refused with a wait, its denial kept in the log; an hour later it is allowed."""
    dispatcher = world.person(world.agency(), "dispatcher")
    limited = Lookups(services.store, clock, limit_per_hour=2)
    limited.lookup(dispatcher, *HERE, None, None)
    clock.advance(timedelta(minutes=10))
    limited.lookup(dispatcher, *HERE, None, None)
    with pytest.raises(RateLimited) as refused:
        limited.lookup(dispatcher, *HERE, None, None)
    assert refused.value.retry_after == 50 * 60
    with services.store.read() as tx:
        assert tx.lookups.since(dispatcher.user.id, clock.now() - timedelta(hours=1))[0] == 2
    assert outcomes(services, Action.LOOKUP) == [(dispatcher.user.id, o) for o in ("success", "success", "denied")]
    clock.advance(timedelta(minutes=51))
    limited.lookup(dispatcher, *HERE, None, None)
    assert [o for _, o in outcomes(services, Action.LOOKUP)][-1] == "success"


def _denied(services: Services) -> list[tuple[str | None, object]]:
    return [
        (e.actor_user_id, (e.details or {}).get("reason"))
        for e in audit_of(services, Action.LOOKUP)
        if e.outcome == "denied"
    ]


def test_a_lookup_asks_about_a_time_near_now(world: World, services: Services, clock: ManualClock) -> None:
    """``at`` more than two hours from now is refused naming ``at``, nothing stored, the refusal audited.

    Before, any future time was answered, so a whole planned week could be mapped one look-up at a time.
    """
    dispatcher = world.person(world.agency(), "dispatcher")
    lookups = Lookups(services.store, clock, at_window=timedelta(hours=2))
    now = clock.now()
    for at in (now + timedelta(hours=2, seconds=1), now - timedelta(hours=2, seconds=1), now + timedelta(days=3)):
        with pytest.raises(InvalidInput) as refused:
            lookups.lookup(dispatcher, *HERE, None, at)
        assert refused.value.field == "at"
    with services.store.read() as tx:
        assert tx.lookups.since(dispatcher.user.id, now - timedelta(days=1)) == (0, None)
    assert _denied(services) == [(dispatcher.user.id, "at outside the window")] * 3
    lookups.lookup(dispatcher, *HERE, None, now + timedelta(hours=2))
    lookups.lookup(dispatcher, *HERE, None, now - timedelta(hours=2))


def test_the_hourly_limit_counts_per_agency_and_per_installation(
    world: World, services: Services, clock: ManualClock
) -> None:
    """More dispatchers do not buy more look-ups: the agency's and the installation's hour are limited too."""
    one, other = world.agency(), world.agency()
    a, b, c, d = (world.person(ag, "dispatcher") for ag in (one, one, other, other))
    lookups = Lookups(services.store, clock, limit_per_hour=100, agency_limit_per_hour=2, installation_limit_per_hour=3)
    lookups.lookup(a, *HERE, None, None)
    clock.advance(timedelta(minutes=10))
    lookups.lookup(b, *HERE, None, None)
    with pytest.raises(RateLimited) as agency_full:
        lookups.lookup(a, *HERE, None, None)
    assert agency_full.value.retry_after == 50 * 60
    lookups.lookup(c, *HERE, None, None)
    with pytest.raises(RateLimited):
        lookups.lookup(d, *HERE, None, None)
    assert _denied(services) == [(a.user.id, "agency rate limit"), (d.user.id, "installation rate limit")]
    with services.store.read() as tx:
        assert tx.lookups.since_overall(clock.now() - timedelta(hours=1))[0] == 3
    clock.advance(timedelta(minutes=51))
    lookups.lookup(d, *HERE, None, None)

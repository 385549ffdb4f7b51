"""Repository contract, conflicts and what follows them: notices and escalations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from commonground.domain.model import (
    Agency,
    ConflictKind,
    ConflictOutcome,
    ConflictStatus,
    ContactAttempt,
    ContactMethod,
    Operation,
    Ownership,
)
from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.service.ports import ConflictFilter, Store
from tests.integration.repository_kit import (
    CHICAGO,
    acknowledged,
    conflict,
    covers,
    every_page,
    is_utc,
    notice,
    postgres_template,
    seed,
    store,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest

HOUR = timedelta(hours=1)


@pytest.fixture
def sides(store: Store) -> tuple[Agency, Agency]:
    """Two agencies in the store."""
    one, two = factories.agency(created_at=T0), factories.agency(created_at=T0)
    seed(store, one, two)
    return one, two


def operations(store: Store, owner: Agency, count: int, **kw: Any) -> list[Operation]:
    made = [factories.operation(owner, **kw) for _ in range(count)]
    seed(store, *made)
    return made


@covers("conflicts.add", "conflicts.get")
def test_a_conflict_comes_back_and_its_pair_is_recorded_once(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Every field survives; a second conflict of the same kind on the same pair is refused."""
    (a,), (b,) = operations(store, sides[0], 1), operations(store, sides[1], 1)
    first = conflict(
        a,
        b,
        detected_at=T0.astimezone(CHICAGO),
        match_kind="name+dob",
        ack_a=acknowledged("u-watch", T0 + HOUR, on_behalf=True),
        note="call the other desk",
    )
    bare = conflict(a, b, kind=ConflictKind.SUBJECT, distance_m=None, overlap=None)
    with store.write() as tx:
        assert tx.conflicts.add(first)
        assert not tx.conflicts.add(replace(first, id="c-again", distance_m=1.0))
        assert tx.conflicts.add(bare)  # another kind on the same pair is another conflict
    with store.read() as tx:
        got = tx.conflicts.get(first.id)
        assert got == first and got is not None and is_utc(got.detected_at) and got.ack_a is not None
        assert is_utc(got.ack_a.at) and got.overlap is not None and is_utc(got.overlap.starts_at)
        assert tx.conflicts.get(bare.id) == bare
        assert tx.conflicts.get("c-again") is None


@covers("conflicts.update", "conflicts.of_operation")
def test_an_updated_conflict_is_found_from_either_side(store: Store, sides: tuple[Agency, Agency]) -> None:
    """An update replaces every field; each operation finds its own conflicts and no others."""
    a, c = operations(store, sides[0], 2)
    (b,) = operations(store, sides[1], 1)
    ab, cb = conflict(a, b), conflict(c, b)
    seed(store, ab, cb)
    closed = replace(
        ab,
        status=ConflictStatus.RESOLVED,
        ack_a=acknowledged("u1"),
        ack_b=acknowledged("u2", T0 + HOUR),
        closed_at=T0 + 2 * HOUR,
        closed_by="u2",
        note="spoke by phone",
        distance_m=12.0,
    )
    with store.write() as tx:
        tx.conflicts.update(closed)
    with store.read() as tx:
        assert tx.conflicts.get(ab.id) == closed
        assert tx.conflicts.of_operation(a.id) == [closed]
        assert sorted(x.id for x in tx.conflicts.of_operation(b.id)) == sorted([ab.id, cb.id])
        assert tx.conflicts.of_operation("no-such-operation") == []


@covers("conflicts.add_contact", "conflicts.contacts")
def test_a_conflicts_owner_outcome_and_contact_attempts_come_back(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Ownership and outcome survive an update; contact attempts come back oldest first, per conflict."""
    (a,), (b,), (c,) = operations(store, sides[0], 1), operations(store, sides[1], 1), operations(store, sides[1], 1)
    ab, ac = conflict(a, b), conflict(a, c)
    seed(store, ab, ac)
    owned = replace(
        ab,
        owner=Ownership("u-watch", "Analyst R. Cho", (T0 + HOUR).astimezone(CHICAGO)),
        status=ConflictStatus.RESOLVED,
        outcome=ConflictOutcome.JOINT_OPERATION,
    )
    later = ContactAttempt("k-2", ab.id, "b", ContactMethod.RADIO, True, None, "u-watch", T0 + 2 * HOUR)
    earlier = ContactAttempt("k-1", ab.id, "a", ContactMethod.PHONE, False, "no answer", "u-watch", T0 + HOUR)
    other = ContactAttempt("k-3", ac.id, "a", ContactMethod.IN_PERSON, True, None, "u-2", T0)
    with store.write() as tx:
        tx.conflicts.update(owned)
        for attempt in (later, earlier, other):
            tx.conflicts.add_contact(attempt)
    with store.read() as tx:
        got = tx.conflicts.get(ab.id)
        assert got == owned and got is not None and got.owner is not None and is_utc(got.owner.at)
        assert tx.conflicts.contacts(ab.id) == [earlier, later]
        assert all(is_utc(k.at) for k in tx.conflicts.contacts(ab.id))
        assert tx.conflicts.contacts(ac.id) == [other]
        assert tx.conflicts.contacts("no-such-conflict") == []


@covers("conflicts.page")
def test_conflict_pages_filter_by_agency_creator_and_status(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Pages follow the cursor in id order; agency, the creator of either operation and status narrow them."""
    one, two = sides
    mine = factories.operation(one, created_by="u-mine")
    theirs, other = factories.operation(two, created_by="u-theirs"), factories.operation(two)
    third = factories.agency(created_at=T0)
    far = factories.operation(third)
    seed(store, third, mine, theirs, other, far)
    made = [
        conflict(mine, theirs),
        conflict(mine, other, status=ConflictStatus.ACKNOWLEDGED),
        conflict(theirs, other),
        conflict(theirs, far, status=ConflictStatus.DISMISSED),
        conflict(other, far),
    ]
    seed(store, *made)

    def ids(limit: int = 100, **where: Any) -> list[str]:
        with store.read() as tx:
            pages = every_page(lambda after: tx.conflicts.page(ConflictFilter(**where), limit, after))
        return [c.id for p in pages for c in p]

    assert ids(limit=2) == [c.id for c in made]
    assert ids(agency_id=one.id) == [made[0].id, made[1].id]
    assert ids(agency_id=third.id, limit=1) == [made[3].id, made[4].id]
    assert ids(operation_created_by="u-mine") == [made[0].id, made[1].id]
    assert ids(operation_created_by="u-theirs", status=ConflictStatus.OPEN) == [made[0].id, made[2].id]
    assert ids(agency_id=two.id, status=ConflictStatus.DISMISSED) == [made[3].id]


@covers("notices.add", "notices.of_operation", "notices.update")
def test_a_notice_comes_back_and_its_schedule_changes(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Every field survives; an update moves status and times only; each operation has its own."""
    a, b = operations(store, sides[0], 2)
    scheduled = notice(a, sides[1].id, status=NoticeStatus.SCHEDULED, due_at=T0.astimezone(CHICAGO), sent_at=None)
    sent = notice(a, sides[1].id, kind=NoticeKind.UPDATE)
    seed(store, scheduled, sent, notice(b, sides[1].id))
    with store.read() as tx:
        listed = tx.notices.of_operation(a.id)
        assert listed == [scheduled, sent] and is_utc(listed[0].due_at) and is_utc(listed[1].sent_at)
    done = replace(scheduled, status=NoticeStatus.SENT, due_at=T0 + HOUR, sent_at=T0 + 2 * HOUR)
    with store.write() as tx:
        tx.notices.update(replace(done, kind=NoticeKind.EXIT, agency_id="ignored", created_at=T0 + HOUR))
    with store.read() as tx:
        assert tx.notices.of_operation(a.id) == [done, sent]
        assert tx.notices.of_operation("no-such-operation") == []


@covers("notices.due")
def test_due_notices_are_scheduled_ones_whose_time_has_come_earliest_first(
    store: Store, sides: tuple[Agency, Agency]
) -> None:
    """Only scheduled notices due by now, earliest first, at most ``limit``."""
    (op,) = operations(store, sides[0], 1)
    host = sides[1].id
    second = notice(op, host, status=NoticeStatus.SCHEDULED, due_at=T0 + 2 * HOUR, sent_at=None)
    first = notice(op, host, status=NoticeStatus.SCHEDULED, due_at=T0 + HOUR, sent_at=None)
    on_time = notice(op, host, status=NoticeStatus.SCHEDULED, due_at=T0 + 3 * HOUR, sent_at=None)
    not_yet = notice(op, host, status=NoticeStatus.SCHEDULED, due_at=T0 + 5 * HOUR, sent_at=None)
    others = [
        notice(op, host, status=s, due_at=T0, sent_at=None) for s in (NoticeStatus.CANCELLED, NoticeStatus.WITHHELD)
    ]
    seed(store, second, first, on_time, not_yet, notice(op, host, due_at=T0), *others)
    with store.write() as tx:
        assert tx.notices.due(T0 + 3 * HOUR, 10) == [first, second, on_time]
        assert tx.notices.due((T0 + 3 * HOUR).astimezone(CHICAGO), 2) == [first, second]
        assert tx.notices.due(T0, 10) == []


@covers("notices.page")
def test_an_agency_pages_its_sent_notices_newest_first(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Sent notices to the agency only, newest id first, across pages that overlap nowhere."""
    (op,) = operations(store, sides[0], 1)
    host = sides[1].id
    sent = [notice(op, host) for _ in range(5)]
    seed(
        store,
        *sent,
        notice(op, host, status=NoticeStatus.SCHEDULED, sent_at=None),
        notice(op, host, status=NoticeStatus.WITHHELD, sent_at=None),
        notice(op, sides[0].id),
    )
    with store.read() as tx:
        pages = every_page(lambda after: tx.notices.page(host, 2, after))
        assert tx.notices.page("no-such-agency", 2, None).items == []
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [n.id for p in pages for n in p] == [n.id for n in reversed(sent)]


@covers("notices.counts")
def test_entry_notices_are_counted_by_operating_agency_and_status(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Only entry notices count, grouped by the agency whose operation it is, and by status."""
    one, two = sides
    (mine,), (theirs,) = operations(store, one, 1), operations(store, two, 1)
    seed(
        store,
        notice(mine, two.id),
        notice(mine, "host-c"),
        notice(mine, two.id, status=NoticeStatus.WITHHELD),
        notice(mine, two.id, kind=NoticeKind.UPDATE),
        notice(theirs, one.id, status=NoticeStatus.SCHEDULED),
        notice(theirs, one.id, kind=NoticeKind.EXIT),
    )
    with store.read() as tx:
        assert sorted(tx.notices.counts()) == sorted(
            [(one.id, "sent", 2), (one.id, "withheld", 1), (two.id, "scheduled", 1)]
        )


@covers("escalations.add")
def test_an_escalation_is_recorded_once(store: Store) -> None:
    """A second escalation of the same conflict, side and kind answers False: someone raised it first."""
    with store.write() as tx:
        assert tx.escalations.add("c-1", "op-a", "unacked", T0)
        assert not tx.escalations.add("c-1", "op-a", "unacked", T0 + HOUR)
    with store.write() as tx:
        assert not tx.escalations.add("c-1", "op-a", "unacked", T0 + HOUR)


@covers("escalations.add", "escalations.of_conflicts")
def test_each_conflict_lists_the_escalations_raised_for_it(store: Store) -> None:
    """Side and kind of every escalation, per conflict asked for; a conflict with none has an empty set."""
    with store.write() as tx:
        tx.escalations.add("c-1", "op-a", "unacked", T0)
        tx.escalations.add("c-1", "both", "urgent", T0.astimezone(CHICAGO))
        tx.escalations.add("c-2", "op-b", "unacked", T0)
    with store.read() as tx:
        assert tx.escalations.of_conflicts(["c-1", "c-3", "c-1"]) == {
            "c-1": {("op-a", "unacked"), ("both", "urgent")},
            "c-3": set(),
        }
        assert tx.escalations.of_conflicts(c for c in ["c-2"]) == {"c-2": {("op-b", "unacked")}}
        assert tx.escalations.of_conflicts([]) == {}


@covers("escalations.candidates")
def test_escalation_candidates_are_open_unacknowledged_and_due(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Overdue or imminent, open and not fully acknowledged, not yet raised; oldest detection first."""
    now = T0 - timedelta(minutes=10)  # the "soon" operations start in ten minutes
    soon = operations(store, sides[0], 6)
    late = operations(store, sides[1], 8, start=T0 + timedelta(days=2))
    overdue = conflict(late[0], late[1], detected_at=now - HOUR)
    imminent = conflict(soon[0], soon[1], detected_at=now)
    fresh = conflict(late[2], late[3], detected_at=now)
    acked = conflict(soon[2], soon[3], detected_at=now - HOUR, ack_a=acknowledged("u1"), ack_b=acknowledged("u2"))
    closed = conflict(late[4], late[5], detected_at=now - HOUR, status=ConflictStatus.RESOLVED)
    raised = conflict(late[6], late[7], detected_at=now - HOUR, ack_a=acknowledged("u1"))
    urgent_raised = conflict(soon[4], soon[5], detected_at=now)
    seed(store, overdue, imminent, fresh, acked, closed, raised, urgent_raised)
    with store.write() as tx:
        assert tx.escalations.add(raised.id, raised.operation_b, "unacked", now)
        assert tx.escalations.add(urgent_raised.id, "both", "urgent", now)
    with store.read() as tx:
        due = tx.escalations.candidates(now - timedelta(minutes=5), now + timedelta(minutes=30), now, 100)
        assert due == [overdue, imminent]
        assert tx.escalations.candidates(now - timedelta(minutes=5), now + timedelta(minutes=30), now, 1) == [overdue]
        # Hours later every open, unacknowledged, unescalated conflict is overdue, started or not.
        after = T0 + timedelta(hours=3)
        later = tx.escalations.candidates(after - timedelta(minutes=5), after, after, 100)
        assert later[0] == overdue
        assert {c.id for c in later} == {overdue.id, imminent.id, fresh.id, urgent_raised.id}


@covers("conflicts.add_new")
def test_a_new_operation_s_conflicts_go_in_at_once(store: Store, sides: tuple[Agency, Agency]) -> None:
    """Each comes back whole and is found from both sides; none at all is nothing."""
    (a,) = operations(store, sides[0], 1)
    b, c = operations(store, sides[1], 2)
    found = [conflict(a, b, note="first"), conflict(a, c, kind=ConflictKind.SUBJECT, distance_m=None, overlap=None)]
    with store.write() as tx:
        tx.conflicts.add_new(found)
        tx.conflicts.add_new([])
    with store.read() as tx:
        assert [tx.conflicts.get(f.id) for f in found] == found
        assert sorted(x.id for x in tx.conflicts.of_operation(a.id)) == sorted(f.id for f in found)
        assert [x.id for x in tx.conflicts.of_operation(c.id)] == [found[1].id]

"""Repository contract, notification: the outbox and its cursors, channels, deliveries, look-ups."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from commonground.domain.notifications import ChannelKind, DeliveryStatus
from commonground.service.ports import LookupPlace, Store
from tests.integration.repository_kit import (
    CHICAGO,
    channel,
    covers,
    delivery,
    event,
    is_utc,
    lookup,
    person,
    postgres_template,
    store,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


class Rollback(Exception):
    """Raised to end a unit of work without committing it."""


@covers("outbox.add", "outbox.after", "outbox.last_seq", "flush")
def test_held_events_are_visible_after_a_flush_in_the_same_unit(store: Store) -> None:
    """Events are held until a read or the commit flushes them; then each agency sees its own, the watch more."""
    mine, watch_only, theirs = event(agency_id="ag-a"), event(for_watch=True), event(agency_id="ag-b", details=None)
    with store.write() as tx:
        assert tx.outbox.last_seq() == 0
        for e in (mine, watch_only):
            tx.outbox.add(e)
        seen = tx.outbox.after(0, "ag-a", False, 10)
        assert [replace(e, seq=0) for e in seen] == [mine]  # the read flushed what was held
        tx.outbox.add(theirs)
        tx.flush()
        assert tx.outbox.last_seq() == seen[0].seq + 2
    with store.read() as tx:
        everything = tx.outbox.after(0, "ag-a", True, 10)
        assert [replace(e, seq=0) for e in everything] == [mine, watch_only]
        assert is_utc(everything[0].created_at) and everything[0].details == mine.details
        assert [e.object_id for e in tx.outbox.after(0, "ag-b", False, 10)] == [theirs.object_id]
        assert tx.outbox.after(everything[0].seq, "ag-a", True, 10) == everything[1:]
        assert tx.outbox.after(0, "ag-a", True, 1) == everything[:1]
        assert tx.outbox.after(0, "ag-c", False, 10) == []


@covers("outbox.all_after", "outbox.by_seq")
def test_events_are_read_in_order_and_by_number(store: Store) -> None:
    """``all_after`` pages every event in sequence; ``by_seq`` finds the numbers asked for that exist."""
    with store.write() as tx:
        for n in range(5):
            tx.outbox.add(event(agency_id=f"ag-{n}"))
    with store.write() as tx:
        tx.outbox.add(event(kind="notice.created"))  # held, and still found by the reads below
        every = tx.outbox.all_after(0, 100)
        assert [e.seq for e in every] == sorted(e.seq for e in every) and len(every) == 6
        assert tx.outbox.all_after(every[1].seq, 2) == every[2:4]
        assert tx.outbox.all_after(every[-1].seq, 10) == []
        wanted = [every[3].seq, every[0].seq, every[3].seq, 999_999]
        assert tx.outbox.by_seq(wanted) == {every[0].seq: every[0], every[3].seq: every[3]}
        assert tx.outbox.by_seq([]) == {}
        assert every[-1].kind == "notice.created"


@covers("outbox.claim_cursor", "outbox.move_cursor")
def test_a_cursor_starts_at_zero_and_moves_only_when_committed(store: Store) -> None:
    """A new cursor is at zero; a move holds once committed and is undone by a rollback; names are apart."""
    with store.write() as tx:
        assert tx.outbox.claim_cursor("webhooks") == 0
        tx.outbox.move_cursor("webhooks", 7)
        assert tx.outbox.claim_cursor("webhooks") == 7
    with pytest.raises(Rollback), store.write() as tx:
        assert tx.outbox.claim_cursor("webhooks") == 7
        tx.outbox.move_cursor("webhooks", 9)
        raise Rollback
    with store.write() as tx:
        assert tx.outbox.claim_cursor("webhooks") == 7
        assert tx.outbox.claim_cursor("email") == 0


@covers("channels.set", "channels.of_agency", "channels.get", "channels.all")
def test_channels_are_replaced_per_owner(store: Store) -> None:
    """Setting an owner's channels replaces only that owner's; ``None`` is the watch center."""
    hook = channel(
        "ag-a",
        target="https://b.example.org/hook",
        events=frozenset({"conflict.created", "notice.created"}),
        previous_secret="a-rotated-out-secret-0123",  # a rotation under way survives the store
        previous_until=(T0 + timedelta(hours=24)).astimezone(CHICAGO),
    )
    mail = channel("ag-a", ChannelKind.EMAIL, target="desk@a.example.org", events=frozenset())
    watch = channel(None, created_at=T0.astimezone(CHICAGO))
    other = channel("ag-b")
    with store.write() as tx:
        tx.channels.set("ag-a", [hook, mail])
        tx.channels.set(None, [watch])
        tx.channels.set("ag-b", [other])
    with store.read() as tx:
        assert tx.channels.of_agency("ag-a") == [mail, hook]  # by kind, then target
        assert tx.channels.of_agency(None) == [watch]
        got = tx.channels.get(watch.id)
        assert got == watch and got is not None and is_utc(got.created_at)
        assert tx.channels.get("no-such-channel") is None
        assert sorted(c.id for c in tx.channels.all()) == sorted(c.id for c in (hook, mail, watch, other))
    fresh = channel("ag-a")
    with store.write() as tx:
        tx.channels.set("ag-a", [fresh])
        assert tx.channels.of_agency("ag-a") == [fresh]
        tx.channels.set("ag-b", [])
    with store.read() as tx:
        assert tx.channels.get(hook.id) is None and tx.channels.of_agency("ag-b") == []
        assert sorted(c.id for c in tx.channels.all()) == sorted([fresh.id, watch.id])


@covers("deliveries.add", "deliveries.of_object")
def test_a_delivery_is_recorded_once_per_key(store: Store) -> None:
    """A repeated key leaves the first record as it was; an object lists its deliveries in insertion order."""
    first = delivery("conflict-1")
    second = delivery("conflict-1", agency_id=None, channel=ChannelKind.STREAM, channel_id=None, next_attempt_at=None)
    with store.write() as tx:
        tx.deliveries.add([first, second, delivery("conflict-2")])
        tx.deliveries.add([])
    with store.write() as tx:
        tx.deliveries.add([replace(first, status=DeliveryStatus.SENT, attempts=3, target="https://else.example.org")])
    with store.read() as tx:
        listed = tx.deliveries.of_object("conflict-1")
        assert listed == [first, second] and is_utc(listed[0].created_at)
        assert tx.deliveries.of_object("no-such-object") == []


@covers("deliveries.due", "deliveries.update")
def test_pending_deliveries_fall_due_earliest_first_until_sent(store: Store) -> None:
    """Pending ones due by now, earliest first; an update changes the attempt record and takes it off the list."""
    hour = timedelta(hours=1)
    later, sooner = delivery("c", next_attempt_at=T0 + 2 * hour), delivery("c", next_attempt_at=T0 + hour)
    future, sent = delivery("c", next_attempt_at=T0 + 9 * hour), delivery("c", status=DeliveryStatus.SENT)
    with store.write() as tx:
        tx.deliveries.add([later, sooner, future, sent, delivery("c", status=DeliveryStatus.FAILED)])
    with store.write() as tx:
        assert tx.deliveries.due(T0 + 3 * hour, 10) == [sooner, later]
        assert tx.deliveries.due((T0 + 3 * hour).astimezone(CHICAGO), 1) == [sooner]
        retried = replace(sooner, attempts=1, next_attempt_at=T0 + 4 * hour, last_error="HTTP 503")
        done = replace(later, status=DeliveryStatus.SENT, attempts=1, sent_at=T0 + 2 * hour)
        tx.deliveries.update(retried)
        tx.deliveries.update(done)
    with store.write() as tx:
        assert tx.deliveries.due(T0 + 3 * hour, 10) == []
        assert tx.deliveries.due(T0 + 4 * hour, 10) == [retried]
        stored = {d.key: d for d in tx.deliveries.of_object("c")}
        assert stored[done.key] == done and is_utc(stored[done.key].sent_at)


@covers("deliveries.get", "deliveries.unraised", "deliveries.of_agency")
def test_failing_deliveries_are_found_once_and_listed_per_agency(store: Store) -> None:
    """Unraised failing candidates: out of retries, or erring since before the cut-off (from a redelivery on);
    flagged ones leave that list and show as ``failed`` in their agency's newest-first pages."""
    hour = timedelta(hours=1)
    out = delivery("c", agency_id="ag-f", status=DeliveryStatus.FAILED, attempts=12, last_error="HTTP 503")
    erring = delivery("c", agency_id="ag-f", attempts=3, last_error="HTTP 500")
    untried = delivery("c", agency_id="ag-f")
    retried = delivery("c", agency_id="ag-f", attempts=1, last_error="timeout", retry_from=T0 + 2 * hour)
    sent = delivery("c", agency_id="ag-f", status=DeliveryStatus.SENT, sent_at=T0)
    elsewhere = delivery("c", agency_id="ag-g", status=DeliveryStatus.FAILED, last_error="HTTP 410")
    with store.write() as tx:
        tx.deliveries.add([out, erring, untried, retried, sent, elsewhere])
    with store.write() as tx:
        found = tx.deliveries.unraised((T0 + hour).astimezone(CHICAGO), 10)
        assert {d.key for d in found} == {out.key, erring.key, elsewhere.key}
        assert all(d.seq > 0 for d in found)
        by_key = {d.key: d for d in found}
        assert tx.deliveries.get(by_key[out.key].seq) == out
        assert tx.deliveries.get(10**9) is None
        flagged = replace(by_key[erring.key], failing_at=T0 + hour)
        tx.deliveries.update(flagged)
        tx.deliveries.update(replace(by_key[out.key], failing_at=T0 + hour))
    with store.read() as tx:
        assert [d.key for d in tx.deliveries.unraised(T0 + hour, 10)] == [elsewhere.key]
        stored = tx.deliveries.get(flagged.seq)
        assert stored == flagged and stored is not None and is_utc(stored.failing_at)
        first = tx.deliveries.of_agency("ag-f", "failed", 1, None)
        assert [d.key for d in first.items] == [erring.key] and first.next is not None
        rest = tx.deliveries.of_agency("ag-f", "failed", 10, int(first.next))
        assert [d.key for d in rest.items] == [out.key] and rest.next is None
        assert [d.key for d in tx.deliveries.of_agency("ag-f", "sent", 10, None).items] == [sent.key]
        assert [d.key for d in tx.deliveries.of_agency("ag-g", "failed", 10, None).items] == [elsewhere.key]
        assert tx.deliveries.of_agency(None, "failed", 10, None).items == []


@covers("lookups.add", "lookups.since")
def test_lookups_are_counted_per_person_from_a_moment_on(store: Store) -> None:
    """A person's look-ups from ``since`` on (inclusive) are counted, and the oldest of them is told."""
    agency = factories.agency(created_at=T0)
    mine, theirs = person(agency), person(agency)
    minute = timedelta(minutes=1)
    with store.write() as tx:
        for at in (T0, T0 + 10 * minute, (T0 + 20 * minute).astimezone(CHICAGO)):
            tx.lookups.add(lookup(mine, at))
        tx.lookups.add(lookup(theirs, T0 + 5 * minute, results=0))
    with store.read() as tx:
        assert tx.lookups.since(mine.id, T0 - minute) == (3, T0)
        count, oldest = tx.lookups.since(mine.id, (T0 + 10 * minute).astimezone(CHICAGO))
        assert (count, oldest) == (2, T0 + 10 * minute) and is_utc(oldest)
        assert tx.lookups.since(mine.id, T0 + 21 * minute) == (0, None)
        assert tx.lookups.since(theirs.id, T0) == (1, T0 + 5 * minute)


@covers("lookups.since_for_agency", "lookups.since_overall")
def test_lookups_are_counted_per_agency_and_for_the_installation(store: Store) -> None:
    """An agency's look-ups are all its people's; the installation's are everyone's, from ``since`` on."""
    mine, theirs = factories.agency(created_at=T0), factories.agency(created_at=T0)
    a, b, c = person(mine), person(mine), person(theirs)
    minute = timedelta(minutes=1)
    with store.write() as tx:
        tx.lookups.add(lookup(a, T0))
        tx.lookups.add(lookup(b, (T0 + 10 * minute).astimezone(CHICAGO)))
        tx.lookups.add(lookup(c, T0 + 5 * minute))
    with store.read() as tx:
        assert tx.lookups.since_for_agency(mine.id, T0 - minute) == (2, T0)
        count, oldest = tx.lookups.since_for_agency(mine.id, T0 + minute)
        assert (count, oldest) == (1, T0 + 10 * minute) and is_utc(oldest)
        assert tx.lookups.since_for_agency(theirs.id, T0) == (1, T0 + 5 * minute)
        assert tx.lookups.since_for_agency("nobody", T0) == (0, None)
        assert tx.lookups.since_overall(T0) == (3, T0)
        assert tx.lookups.since_overall(T0 + minute) == (2, T0 + 5 * minute)
        assert tx.lookups.since_overall(T0 + 11 * minute) == (0, None)


@covers("lookups.hourly")
def test_the_three_counts_of_a_lookup_s_limits_come_together(store: Store) -> None:
    """``hourly`` answers what ``since``, ``since_for_agency`` and ``since_overall`` answer, in one read."""
    mine, theirs = factories.agency(created_at=T0), factories.agency(created_at=T0)
    a, b, c = person(mine), person(mine), person(theirs)
    minute = timedelta(minutes=1)
    with store.write() as tx:
        for who, at in ((a, T0), (b, T0 + 90 * timedelta(seconds=1)), (c, T0 + 5 * minute), (a, T0 + 61 * minute)):
            tx.lookups.add(lookup(who, at.astimezone(CHICAGO)))
    with store.read() as tx:
        for since in (T0 - minute, T0, T0 + 30 * timedelta(seconds=1), T0 + 2 * minute, T0 + 62 * minute):
            each = (tx.lookups.since(a.id, since), tx.lookups.since_for_agency(mine.id, since))
            assert tx.lookups.hourly(a.id, mine.id, since) == (*each, tx.lookups.since_overall(since)), since
        assert tx.lookups.hourly(a.id, mine.id, T0) == ((2, T0), (3, T0), (4, T0))
        assert tx.lookups.hourly("nobody", "none", T0 + 2 * minute) == ((0, None), (0, None), (2, T0 + 5 * minute))


@covers("lookups.cells_since", "lookups.mark_cells")
def test_a_scope_s_distinct_cells_are_counted_from_a_moment_on(store: Store) -> None:
    """Each cell counts once, at its latest time; an earlier mark never moves it back; scopes are apart."""
    minute = timedelta(minutes=1)
    one, two = "u:one:500", "u:two:500"
    with store.write() as tx:
        tx.lookups.mark_cells([one], "10:20", T0)
        tx.lookups.mark_cells([one], "10:21", T0 + minute)
        tx.lookups.mark_cells([one], "10:20", (T0 + 5 * minute).astimezone(CHICAGO))
        tx.lookups.mark_cells([one], "10:20", T0 + 2 * minute)  # later in the writer, earlier in time
        tx.lookups.mark_cells([two, "a:both:500"], "10:22", T0 + 3 * minute)
        tx.lookups.mark_cells([], "10:23", T0)  # no scope: nothing
    with store.read() as tx:
        assert tx.lookups.cells_since({one: 9, two: 9}, T0, "10:20") == {one: (2, True), two: (1, False)}
        assert tx.lookups.cells_since({one: 9}, T0, "99:99") == {one: (2, False)}
        assert tx.lookups.cells_since({one: 9}, T0 + 2 * minute, "10:21") == {one: (1, False)}
        assert tx.lookups.cells_since({one: 9}, T0 + 5 * minute, "10:20") == {one: (1, True)}
        assert tx.lookups.cells_since({one: 9}, T0 + 6 * minute, "10:20") == {one: (0, False)}
        assert tx.lookups.cells_since({"a:both:500": 9, two: 9}, T0, "10:22") == {
            "a:both:500": (1, True),
            two: (1, True),
        }
        assert tx.lookups.cells_since({"nobody": 9}, T0, "10:20") == {"nobody": (0, False)}
        assert tx.lookups.cells_since({}, T0, "10:20") == {}


@covers("lookups.cells_since")
def test_a_scope_s_cells_are_counted_no_further_than_asked(store: Store) -> None:
    """The count stops at ``most``: a 911 centre's thousand cells cost a look-up what the rule needs, not all."""
    scope = "a:centre:500"
    with store.write() as tx:
        for n in range(30):
            tx.lookups.mark_cells([scope, "u:one:500"], f"{n}:0", T0 + timedelta(seconds=n))
    with store.read() as tx:
        assert tx.lookups.cells_since({scope: 13, "u:one:500": 31}, T0, "29:0") == {
            scope: (13, True),
            "u:one:500": (30, True),
        }
        assert tx.lookups.cells_since({scope: 13}, T0 + timedelta(seconds=25), "3:0") == {scope: (5, False)}
        assert tx.lookups.cells_since({scope: 1}, T0, "99:0") == {scope: (1, False)}


@covers("lookups.recent_places")
def test_an_agency_s_recent_lookup_places_come_back_oldest_first(store: Store) -> None:
    """Who looked up where, and how wide, for the agency's people's look-ups from ``since`` on, in time order."""
    mine, theirs = factories.agency(created_at=T0), factories.agency(created_at=T0)
    a, b, c = person(mine), person(mine), person(theirs)
    minute = timedelta(minutes=1)
    later = lookup(b, (T0 + 10 * minute).astimezone(CHICAGO), lat=45.01, lon=-93.2, radius_m=150.0, results=0)
    first = lookup(a, T0 + minute)
    placeless = lookup(a, T0 + 2 * minute, lat=None, lon=None, radius_m=0.0)  # a plate verification
    with store.write() as tx:
        tx.lookups.add(placeless)
        tx.lookups.add(later)
        tx.lookups.add(lookup(a, T0 - minute))
        tx.lookups.add(first)
        tx.lookups.add(lookup(c, T0 + 5 * minute))
    with store.read() as tx:
        got = tx.lookups.recent_places(mine.id, T0)
        assert got == [LookupPlace(a.id, -93.265, 44.9778, 300.0), LookupPlace(b.id, -93.2, 45.01, 150.0)]
        assert tx.lookups.since(a.id, T0) == (2, T0 + minute)  # the placeless one counts for the limit
        assert tx.lookups.recent_places(mine.id, T0 + 11 * minute) == []
        assert [r.user_id for r in tx.lookups.recent_places(theirs.id, T0)] == [c.id]

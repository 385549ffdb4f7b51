"""Repository contract, remote notices and unchecked peers, on SQLite and PostGIS."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.domain.remote_notices import OwedNotice, RemoteNotice
from commonground.domain.reprobe import Unchecked
from commonground.domain.timewindow import isoformat
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def notice(agency_id: str = "ag-1", remote: str = "theirs-1", due_in: int = 0, **kw: object) -> RemoteNotice:
    fields: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "peer_id": "peer-1",
        "installation": "feds",
        "remote_operation_id": remote,
        "agency_id": agency_id,
        "kind": NoticeKind.ENTRY,
        "status": NoticeStatus.SCHEDULED,
        "due_at": (T0 + timedelta(minutes=due_in)).astimezone(CHICAGO),
        "sent_at": None,
        "created_at": T0.astimezone(CHICAGO),
        "operation": {"id": remote, "level_disclosed": "safety"},
    }
    fields.update(kw)
    return RemoteNotice(**fields)  # type: ignore[arg-type]


@covers("remote_notices.add", "remote_notices.get", "remote_notices.update", "remote_notices.of_operation")
def test_a_remote_notice_is_kept_read_back_in_utc_and_updated(store: Store) -> None:
    entry, other = notice(), notice(remote="theirs-2")
    with store.write() as tx:
        tx.remote_notices.add(entry)
        tx.remote_notices.add(other)
    with store.write() as tx:
        got = tx.remote_notices.get(entry.id)
        assert got is not None and got.remote_operation_id == "theirs-1" and is_utc(got.due_at)
        assert got.operation == entry.operation and got.kind is NoticeKind.ENTRY
        tx.remote_notices.update(replace(got, status=NoticeStatus.SENT, sent_at=T0 + timedelta(minutes=1)))
    with store.read() as tx:
        sent = tx.remote_notices.get(entry.id)
        assert sent is not None and sent.status is NoticeStatus.SENT and sent.sent_at == T0 + timedelta(minutes=1)
        assert [n.id for n in tx.remote_notices.of_operation("peer-1", "theirs-1")] == [entry.id]
        assert tx.remote_notices.of_operation("peer-2", "theirs-1") == []
        assert tx.remote_notices.get("missing") is None


@covers("remote_notices.due", "remote_notices.page")
def test_due_notices_come_soonest_first_and_an_agency_pages_only_its_own(store: Store) -> None:
    late, soon, sent = notice(due_in=30), notice(due_in=5), notice(due_in=1, status=NoticeStatus.SENT)
    elsewhere = notice(agency_id="ag-2", due_in=2)
    with store.write() as tx:
        for n in (late, soon, sent, elsewhere):
            tx.remote_notices.add(n)
    with store.read() as tx:
        due = [n.id for n in tx.remote_notices.due(T0 + timedelta(minutes=10), 10)]
        assert due[:2] == [elsewhere.id, soon.id] and late.id not in due and sent.id not in due
    sent_too = notice(due_in=3, status=NoticeStatus.SENT)
    with store.write() as tx:
        tx.remote_notices.add(sent_too)
    with store.read() as tx:
        page = tx.remote_notices.page("ag-1", 10, None)  # what the agency has been sent, as local notices
        assert {n.id for n in page.items} == {sent.id, sent_too.id}
        first = tx.remote_notices.page("ag-1", 1, None)
        assert len(first.items) == 1 and first.next is not None
        rest = tx.remote_notices.page("ag-1", 10, first.next)
        assert {first.items[0].id, *(n.id for n in rest.items)} == {sent.id, sent_too.id}
        assert tx.remote_notices.page("ag-2", 10, None).items == []


@covers("remote_notices.tell", "remote_notices.told", "remote_notices.forget")
def test_the_peers_told_of_an_operation_are_kept_until_forgotten(store: Store) -> None:
    with store.write() as tx:
        tx.remote_notices.tell("op-1", "peer-1", T0)
        tx.remote_notices.tell("op-1", "peer-2", T0)
    with store.write() as tx:
        assert tx.remote_notices.told("op-1") == {"peer-1", "peer-2"}
        assert tx.remote_notices.told("op-2") == set()
        tx.remote_notices.forget("op-1", "peer-1")
    with store.read() as tx:
        assert tx.remote_notices.told("op-1") == {"peer-2"}


def unchecked(operation_id: str = "op-1", peer_id: str = "peer-1", next_in: int = 0) -> Unchecked:
    at = T0.astimezone(CHICAGO)
    return Unchecked(operation_id, "ag-1", peer_id, at, 0, at + timedelta(seconds=next_in))


@covers("unchecked.mark", "unchecked.clear", "unchecked.peers_of")
def test_an_unchecked_pair_is_kept_once_and_cleared(store: Store) -> None:
    with store.write() as tx:
        assert tx.unchecked.mark(unchecked()) is True
        assert tx.unchecked.mark(unchecked()) is False
        assert tx.unchecked.mark(unchecked(peer_id="peer-2")) is True
    with store.write() as tx:
        assert sorted(tx.unchecked.peers_of("op-1")) == ["peer-1", "peer-2"]
        assert tx.unchecked.clear("op-1", "peer-1") is True
        assert tx.unchecked.clear("op-1", "peer-1") is False
    with store.read() as tx:
        assert tx.unchecked.peers_of("op-1") == ["peer-2"]


@covers("unchecked.due", "unchecked.retry")
def test_unchecked_pairs_come_due_soonest_first_and_a_retry_moves_them_on(store: Store) -> None:
    with store.write() as tx:
        tx.unchecked.mark(unchecked("op-1", next_in=20))
        tx.unchecked.mark(unchecked("op-2", next_in=5))
        tx.unchecked.mark(unchecked("op-3", next_in=600))
    with store.write() as tx:
        due = tx.unchecked.due(T0 + timedelta(seconds=60), 10)
        assert [u.operation_id for u in due] == ["op-2", "op-1"] and all(is_utc(u.next_at) for u in due)
        tx.unchecked.retry("op-2", "peer-1", 1, T0 + timedelta(seconds=120))
    with store.read() as tx:
        again = tx.unchecked.due(T0 + timedelta(seconds=60), 10)
        assert [u.operation_id for u in again] == ["op-1"]
        later = {u.operation_id: u for u in tx.unchecked.due(T0 + timedelta(seconds=121), 10)}
        assert later["op-2"].attempts == 1


@covers("remote_notices.owe", "remote_notices.owed_due", "remote_notices.settle")
def test_an_owed_notice_is_kept_once_per_pair_the_latest_word_winning_until_settled(store: Store) -> None:
    at = T0.astimezone(CHICAGO)
    with store.write() as tx:
        tx.remote_notices.owe(OwedNotice("op-1", "peer-1", False, 1, at + timedelta(seconds=30)))
        tx.remote_notices.owe(OwedNotice("op-2", "peer-1", False, 1, at + timedelta(seconds=5)))
        tx.remote_notices.owe(OwedNotice("op-3", "peer-1", False, 1, at + timedelta(hours=1)))
        tx.remote_notices.owe(OwedNotice("op-1", "peer-1", True, 2, at + timedelta(seconds=20)))  # replaces
    with store.write() as tx:
        due = tx.remote_notices.owed_due(T0 + timedelta(minutes=1), 10)
        assert [(o.operation_id, o.leaving, o.attempts) for o in due] == [("op-2", False, 1), ("op-1", True, 2)]
        assert all(is_utc(o.next_at) for o in due)
        assert [o.operation_id for o in tx.remote_notices.owed_due(T0 + timedelta(minutes=1), 1)] == ["op-2"]
        tx.remote_notices.settle("op-2", "peer-1")
        tx.remote_notices.settle("op-9", "peer-1")  # nothing owed: nothing happens
    with store.read() as tx:
        assert [o.operation_id for o in tx.remote_notices.owed_due(T0 + timedelta(days=1), 10)] == ["op-1", "op-3"]


@covers("remote_notices.retention_due", "remote_notices.purge")
def test_notices_of_peers_operations_that_ended_long_ago_are_found_by_id_until_reduced(store: Store) -> None:
    def ending(remote: str, hours: int) -> RemoteNotice:
        window = {"starts_at": isoformat(T0), "ends_at": isoformat(T0 + timedelta(hours=hours))}
        return notice(remote=remote, operation={"id": remote, "level_disclosed": "safety", "window": window})

    old, older, recent = ending("old", 2), ending("older", 1), ending("recent", 48)
    with store.write() as tx:
        for n in (old, older, recent):
            tx.remote_notices.add(n)
    cut = T0 + timedelta(hours=24)
    with store.write() as tx:
        due = tx.remote_notices.retention_due(cut, 10, None)
        assert sorted(n.id for n in due.items) == sorted([old.id, older.id]) and due.next is None
        first = tx.remote_notices.retention_due(cut, 1, None)
        assert len(first.items) == 1 and first.next == first.items[0].id  # by id, in pages
        rest = tx.remote_notices.retention_due(cut, 10, first.next)
        assert {first.items[0].id, *(n.id for n in rest.items)} == {old.id, older.id}
        tx.remote_notices.purge(old.id, {**old.operation, "purged_at": isoformat(cut)}, cut)
    with store.read() as tx:
        assert [n.id for n in tx.remote_notices.retention_due(cut, 10, None).items] == [older.id]  # a shell is done
        got = tx.remote_notices.get(old.id)
        assert got is not None and got.operation["purged_at"] == isoformat(cut)

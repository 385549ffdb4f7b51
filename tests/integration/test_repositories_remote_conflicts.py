"""Repository contract, remote conflicts: one row per (operation, peer, remote operation), on SQLite and PostGIS."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from commonground.domain.model import Acknowledgement, ConflictKind, ConflictStatus
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def pair(operation_id: str = "op-1", agency_id: str = "ag-1", remote: str = "theirs-1", **kw: object) -> RemoteConflict:
    fields: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "operation_id": operation_id,
        "agency_id": agency_id,
        "peer_id": "peer-1",
        "installation": "city-east",
        "remote_operation_id": remote,
        "counterpart": {"id": remote, "level_disclosed": "safety", "contact": {"name": "Sgt. Test"}},
        "distance_m": 12.5,
        "overlap": TimeWindow(T0.astimezone(CHICAGO), T0 + timedelta(hours=2)),
        "found_by": FoundBy.PROBE,
        "status": ConflictStatus.OPEN,
        "detected_at": T0.astimezone(CHICAGO),
    }
    fields.update(kw)
    return RemoteConflict(**fields)  # type: ignore[arg-type]


@covers("remote_conflicts.add", "remote_conflicts.get")
def test_a_pair_is_kept_once_per_side_whichever_probe_finds_it(store: Store) -> None:
    first = pair()
    with store.write() as tx:
        assert tx.remote_conflicts.add(first)
        # The peer's probe finds the same pair: a new id, the same (operation, peer, remote operation).
        assert not tx.remote_conflicts.add(pair(found_by=FoundBy.ANSWER))
        assert tx.remote_conflicts.add(pair(peer_id="peer-2"))  # another installation's operation of that id
        assert tx.remote_conflicts.add(pair(remote="theirs-2"))
    with store.read() as tx:
        got = tx.remote_conflicts.get(first.id)
        assert got == first and got is not None
        assert got.overlap is not None and is_utc(got.detected_at) and is_utc(got.overlap.starts_at)
        assert tx.remote_conflicts.get("nope") is None


@covers("remote_conflicts.add", "remote_conflicts.get")
def test_a_subject_pair_is_kept_beside_the_proximity_pair_of_the_same_operations(store: Store) -> None:
    near = pair()
    subject = pair(kind=ConflictKind.SUBJECT, matched="blinded_person", overlap=None)
    with store.write() as tx:
        assert tx.remote_conflicts.add(near)
        assert tx.remote_conflicts.add(subject)  # the kind is part of the pair's key, as locally
        assert not tx.remote_conflicts.add(pair(kind=ConflictKind.SUBJECT, matched="blinded_person"))
    with store.read() as tx:
        got = tx.remote_conflicts.get(subject.id)
        assert got == subject and got is not None and got.overlap is None
        assert got.to_dict()["kind"] == "subject" and got.to_dict()["matched"] == "blinded_person"
        assert tx.remote_conflicts.get(near.id) == near


@covers("remote_conflicts.update")
def test_this_sides_workflow_is_written_and_the_pair_itself_is_not(store: Store) -> None:
    first = pair()
    with store.write() as tx:
        assert tx.remote_conflicts.add(first)
    ack = Acknowledgement(T0 + timedelta(minutes=3), "user-1", on_behalf=True)
    closed = replace(
        first,
        ack=ack,
        status=ConflictStatus.RESOLVED,
        closed_at=T0 + timedelta(minutes=9),
        closed_by="user-2",
        note="spoke with them",
        distance_m=999.0,  # not a workflow field: never rewritten
    )
    with store.write() as tx:
        tx.remote_conflicts.update(closed)
    with store.read() as tx:
        got = tx.remote_conflicts.get(first.id)
    assert got == replace(closed, distance_m=first.distance_m)
    assert got is not None and got.ack is not None and is_utc(got.ack.at)


@covers("remote_conflicts.open_for")
def test_open_for_is_one_operations_pairs_not_yet_closed(store: Store) -> None:
    kept, acked, done = pair(), pair(remote="theirs-2"), pair(remote="theirs-3", status=ConflictStatus.DISMISSED)
    with store.write() as tx:
        for c in (kept, acked, done, pair("op-2", remote="theirs-4")):
            assert tx.remote_conflicts.add(c)
        tx.remote_conflicts.update(replace(acked, status=ConflictStatus.ACKNOWLEDGED))
    with store.read() as tx:
        assert sorted(c.id for c in tx.remote_conflicts.open_for("op-1")) == sorted([kept.id, acked.id])
        assert tx.remote_conflicts.open_for("op-none") == []


@covers("remote_conflicts.listing")
def test_listing_is_newest_first_and_one_agencys_unless_asked_for_all(store: Store) -> None:
    older = pair(detected_at=T0)
    newer = pair(remote="theirs-2", detected_at=T0 + timedelta(minutes=5))
    other = pair("op-9", "ag-2", detected_at=T0 + timedelta(minutes=1), status=ConflictStatus.RESOLVED)
    with store.write() as tx:
        for c in (older, newer, other):
            assert tx.remote_conflicts.add(c)
    with store.read() as tx:
        assert [c.id for c in tx.remote_conflicts.listing("ag-1", None, 10)] == [newer.id, older.id]
        assert [c.id for c in tx.remote_conflicts.listing(None, None, 10)] == [newer.id, other.id, older.id]
        assert [c.id for c in tx.remote_conflicts.listing(None, None, 1)] == [newer.id]
        assert [c.id for c in tx.remote_conflicts.listing(None, ConflictStatus.OPEN, 10)] == [newer.id, older.id]
        assert [c.id for c in tx.remote_conflicts.listing(None, ConflictStatus.RESOLVED, 1)] == [other.id]
        assert tx.remote_conflicts.listing("ag-1", ConflictStatus.RESOLVED, 10) == []


@covers("remote_conflicts.pair")
def test_a_peer_names_a_pair_by_both_operation_ids_and_its_acknowledgement_is_kept(store: Store) -> None:
    first = pair()
    with store.write() as tx:
        assert tx.remote_conflicts.add(first)
        assert tx.remote_conflicts.add(pair(peer_id="peer-2"))  # the same ids at another peer
        tx.remote_conflicts.update(replace(first, their_ack_at=T0.astimezone(CHICAGO) + timedelta(minutes=5)))
    with store.read() as tx:
        got = tx.remote_conflicts.pair("peer-1", "op-1", "theirs-1")
        assert got is not None and got.id == first.id
        assert got.their_ack_at == T0 + timedelta(minutes=5) and is_utc(got.their_ack_at)
        assert tx.remote_conflicts.pair("peer-1", "theirs-1", "op-1") is None  # the ids the wrong way round
        assert tx.remote_conflicts.pair("peer-3", "op-1", "theirs-1") is None


@covers("remote_conflicts.of_operation", "remote_conflicts.purge")
def test_every_pair_of_an_operation_is_found_and_its_counterpart_can_be_reduced(store: Store) -> None:
    open_one, closed = pair(), pair(remote="theirs-2", status=ConflictStatus.RESOLVED, note="same team")
    elsewhere = pair(operation_id="op-2")
    with store.write() as tx:
        for p in (open_one, closed, elsewhere):
            tx.remote_conflicts.add(p)
    with store.write() as tx:
        found = tx.remote_conflicts.of_operation("op-1")
        assert sorted(p.id for p in found) == sorted([open_one.id, closed.id])  # closed ones too
        tx.remote_conflicts.purge(closed.id, {"id": "theirs-2", "purged_at": "2026-12-07T00:00:00.000Z"})
    with store.read() as tx:
        reduced = tx.remote_conflicts.get(closed.id)
        assert reduced is not None and reduced.note is None and reduced.status is ConflictStatus.RESOLVED
        assert reduced.counterpart == {"id": "theirs-2", "purged_at": "2026-12-07T00:00:00.000Z"}
        assert tx.remote_conflicts.get(open_one.id) == open_one  # only that pair changed
        assert tx.remote_conflicts.of_operation("op-3") == []

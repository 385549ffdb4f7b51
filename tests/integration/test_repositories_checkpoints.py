"""Repository contract: the audit log's reads by position and its signed checkpoints, on both stores."""

from __future__ import annotations

from datetime import timedelta

from commonground.audit.checkpoints import Checkpoint
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, entry, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def write(store: Store, n: int) -> None:
    with store.write() as tx:
        for i in range(n):
            tx.audit.append(entry(), T0 + timedelta(seconds=i))


def checkpoint(size: int, minutes: int = 0) -> Checkpoint:
    return Checkpoint(
        size,
        f"{size:064x}",
        (T0 + timedelta(minutes=minutes)).astimezone(CHICAGO),
        f"{size + 1:064x}",
        "a2V5",
        "c2ln",
        (f"{size:064x}", "ab" * 32),
    )


@covers("audit.since", "audit.get", "audit.bounds", "audit.hashes")
def test_records_read_by_position(store: Store) -> None:
    """Records after a position, one by its ``seq``, the kept range and the hashes in a range, held appends seen."""
    with store.read() as tx:
        assert tx.audit.bounds() is None and tx.audit.get(1) is None and tx.audit.hashes(0, 10) == []
    write(store, 6)
    with store.write() as tx:
        tx.audit.append(entry(), T0 + timedelta(minutes=1))  # held: the reads below flush it first
        every = list(tx.audit.all())
        assert [r.seq for r in tx.audit.since(4)] == [5, 6, 7]
        assert tx.audit.get(3) == every[2] and tx.audit.get(8) is None
        assert tx.audit.bounds() == (1, 7)
        assert tx.audit.hashes(2, 5) == [r.hash for r in every[2:5]]


@covers("audit.prune")
def test_prune_removes_the_oldest_records_and_the_chain_goes_on(store: Store) -> None:
    """Pruning deletes up to a position; the next append still follows the newest record."""
    write(store, 5)
    with store.write() as tx:
        assert tx.audit.prune(3) == 3
    write(store, 1)
    with store.read() as tx:
        kept = list(tx.audit.all())
        assert [r.seq for r in kept] == [4, 5, 6] and kept[2].prev_hash == kept[1].hash
        assert tx.audit.bounds() == (4, 6)


@covers("checkpoints.add", "checkpoints.latest", "checkpoints.get", "checkpoints.all")
def test_checkpoints_are_kept_once_per_size(store: Store) -> None:
    """A second checkpoint of the same size is ignored; times come back as the same instant, in UTC."""
    with store.write() as tx:
        assert tx.checkpoints.latest() is None and tx.checkpoints.all() == []
        assert tx.checkpoints.add(checkpoint(10)) and tx.checkpoints.add(checkpoint(20, 5))
        assert not tx.checkpoints.add(checkpoint(10, 9))
    with store.read() as tx:
        latest = tx.checkpoints.latest()
        assert latest is not None and latest.tree_size == 20 and is_utc(latest.at)
        assert latest.at == T0 + timedelta(minutes=5) and latest.frontier == checkpoint(20).frontier
        assert tx.checkpoints.get(10) == checkpoint(10) and tx.checkpoints.get(15) is None
        assert [c.tree_size for c in tx.checkpoints.all()] == [10, 20]


@covers("checkpoints.page", "checkpoints.signed_before")
def test_checkpoints_page_newest_first_and_the_newest_signed_before(store: Store) -> None:
    """Pages run newest first by size; the prune target is the largest signed before a time, within a bound."""
    with store.write() as tx:
        for i in range(1, 6):
            tx.checkpoints.add(checkpoint(i * 10, i))
    with store.read() as tx:
        first = tx.checkpoints.page(2, None)
        assert [c.tree_size for c in first.items] == [50, 40] and first.next == "40"
        second = tx.checkpoints.page(2, int(first.next))
        last = tx.checkpoints.page(2, int(second.next or 0))
        assert [c.tree_size for c in second.items] == [30, 20] and [c.tree_size for c in last.items] == [10]
        assert last.next is None
        found = tx.checkpoints.signed_before(T0 + timedelta(minutes=3, seconds=30), 100)
        assert found is not None and found.tree_size == 30
        bounded = tx.checkpoints.signed_before(T0 + timedelta(hours=1), 25)
        assert bounded is not None and bounded.tree_size == 20
        assert tx.checkpoints.signed_before(T0, 100) is None

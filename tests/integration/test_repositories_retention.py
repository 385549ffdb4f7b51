"""Repository contract, retention: what a purge run finds, what it deletes, and the audit key it seals with."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from commonground.audit.keyed import Keyed, keyed_hash
from commonground.domain.retention import purged
from commonground.service.ports import Store
from commonground.store.audit_key import decode
from commonground.store.schema import audit_keys
from tests.integration.repository_kit import (
    CHICAGO,
    covers,
    entry,
    every_page,
    lookup,
    person,
    postgres_template,
    seed,
    store,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest

DAY = timedelta(days=1)


@covers("operations.retention_due")
def test_retention_due_finds_ended_or_old_operations_not_yet_purged(store: Store) -> None:
    """Ended before the first instant, or entered before the second; never one already purged; paged by id."""
    owner = factories.agency(created_at=T0)
    ended = factories.operation(owner, start=T0 - 100 * DAY)
    running = factories.operation(owner, start=T0 - 10 * DAY, hours=24 * 400, created_at=T0 - 2000 * DAY)
    recent = factories.operation(owner, start=T0 - 10 * DAY)
    already = purged(factories.operation(owner, start=T0 - 200 * DAY), T0 - 50 * DAY)
    seed(store, owner, ended, running, recent, already)
    ended_before, entered_before = (T0 - 90 * DAY).astimezone(CHICAGO), T0 - 1826 * DAY
    with store.read() as tx:
        pages = every_page(lambda after: tx.operations.retention_due(ended_before, entered_before, 1, after))
        got = tx.operations.get(already.id)
    assert [[op.id for op in page] for page in pages if page] == [[ended.id], [running.id]]
    assert pages[0][0] == ended
    assert got is not None and got.purged_at == T0 - 50 * DAY and got.title == "" and got.subjects == ()
    with store.read() as tx:
        assert tx.operations.retention_due(T0 - 1000 * DAY, T0 - 3000 * DAY, 10, None).items == []


@covers("lookups.prune")
def test_lookups_before_an_instant_are_deleted(store: Store) -> None:
    """Look-ups made before ``before`` go (their places and cells with them); later ones stay."""
    agency = factories.agency(created_at=T0)
    who = person(agency)
    seed(store, agency)
    with store.write() as tx:
        for days in (100, 91, 89):
            tx.lookups.add(lookup(who, (T0 - days * DAY).astimezone(CHICAGO)))
            tx.lookups.mark_cells(["u:who:500"], f"{days}:0", T0 - days * DAY)
    with store.write() as tx:
        assert tx.lookups.prune(T0 - 90 * DAY) == 2
        assert tx.lookups.prune(T0 - 90 * DAY) == 0
    with store.read() as tx:
        assert tx.lookups.since(who.id, T0 - 1000 * DAY) == (1, T0 - 89 * DAY)
        assert tx.lookups.cells_since({"u:who:500": 9}, T0 - 1000 * DAY, "89:0") == {"u:who:500": (1, True)}


@covers("subjects.forget_unused_terms")
def test_term_count_rows_at_zero_are_forgotten(store: Store) -> None:
    """A name whose every operation is gone leaves no count row; counts still in use are untouched."""
    with store.write() as tx:
        tx.subjects.set_terms("op-a", {"okonkwo": 1, "smith": 1})
        tx.subjects.set_terms("op-b", {"smith": 2})
    with store.write() as tx:
        tx.subjects.set_terms("op-a", {})
        assert tx.subjects.forget_unused_terms() >= 1
        assert tx.subjects.forget_unused_terms() == 0
    with store.read() as tx:
        assert tx.subjects.count_terms(["okonkwo", "smith"]) == {"smith": 2}


def test_the_audit_key_is_made_once_and_values_are_sealed_under_it(store: Store) -> None:
    """The first record with a keyed value makes the key; later ones (and a reopened store) use the same."""
    with store.write() as tx:
        tx.audit.append(entry(details={"username": Keyed("alice")}), T0)
    with store.write() as tx:
        tx.audit.append(entry(details={"who": [Keyed("alice"), Keyed("bob")], "n": 2}), T0)
    engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        [secret] = conn.execute(select(audit_keys.c.secret)).scalars().all()
    key = decode(secret)
    with store.read() as tx:
        first, second = [r.entry.details for r in tx.audit.all()]
    assert first == {"username": keyed_hash("alice", key)}
    assert second == {"who": [keyed_hash("alice", key), keyed_hash("bob", key)], "n": 2}
    assert keyed_hash("alice", key) != keyed_hash("bob", key)

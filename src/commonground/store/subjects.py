"""The blocking-key index that finds operations whose subjects may match, and name counts."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from commonground.domain.model import Operation
from commonground.store import records
from commonground.store.operations import LIVE
from commonground.store.repository import Repository
from commonground.store.schema import SUBJECT_TERM_SHARDS, operations, subject_keys, subject_term_counts, subject_terms


def term_shard(operation_id: str) -> int:
    """Return the count row an operation's terms are added to (stable across processes)."""
    return zlib.crc32(operation_id.encode()) % SUBJECT_TERM_SHARDS


class SqlSubjects(Repository):
    def set_keys(self, operation_id: str, keys: Iterable[str]) -> None:
        self.conn.execute(delete(subject_keys).where(subject_keys.c.operation_id == operation_id))
        rows = [{"key": k, "operation_id": operation_id} for k in sorted(set(keys))]
        if rows:
            self.conn.execute(insert(subject_keys), rows)

    def operations_with_keys(self, keys: Iterable[str], exclude: str) -> list[Operation]:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        ids = select(subject_keys.c.operation_id).where(subject_keys.c.key.in_(wanted))
        query = select(operations).where(
            operations.c.id.in_(ids),
            operations.c.id != exclude,
            operations.c.status.in_(LIVE),
        )
        return [records.operation_from(r) for r in self.conn.execute(query).mappings()]

    def set_terms(self, operation_id: str, terms: Mapping[str, int]) -> None:
        """Replace the operation's counted name terms and move the store's counts by the change."""
        gone = delete(subject_terms).where(subject_terms.c.operation_id == operation_id)
        old: dict[str, int] = dict(self.conn.execute(gone.returning(subject_terms.c.term, subject_terms.c.n)).all())
        new = {t: n for t, n in terms.items() if n > 0}
        if new:
            rows = [{"operation_id": operation_id, "term": t, "n": n} for t, n in sorted(new.items())]
            self.conn.execute(insert(subject_terms), rows)
        change = {t: new.get(t, 0) - old.get(t, 0) for t in old.keys() | new.keys()}
        shard = term_shard(operation_id)
        # Sorted, so that concurrent writers lock count rows in one order and cannot deadlock.
        rows = [{"term": t, "shard": shard, "n": d} for t, d in sorted(change.items()) if d]
        if rows:
            self.conn.execute(self._add_counts(), rows)

    def _add_counts(self) -> Any:
        table = subject_term_counts
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table)
        return stmt.on_conflict_do_update(
            index_elements=[table.c.term, table.c.shard], set_={"n": table.c.n + stmt.excluded.n}
        )

    def count_terms(self, terms: Iterable[str]) -> dict[str, int]:
        """Return how many stored persons carry each term (absent terms count zero)."""
        wanted = sorted(set(terms))
        if not wanted:
            return {}
        c = subject_term_counts.c
        query = select(c.term, func.sum(c.n)).where(c.term.in_(wanted)).group_by(c.term)
        return {str(row[0]): int(row[1]) for row in self.conn.execute(query)}

    def forget_unused_terms(self) -> int:
        """Delete count rows that have fallen to zero (a term is a name); return how many."""
        unused = delete(subject_term_counts).where(subject_term_counts.c.n <= 0)
        return int(self.conn.execute(unused).rowcount or 0)

"""Operations a peer has not yet answered a probe about: one row per (operation, peer) until it does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from commonground.domain.reprobe import Unchecked
from commonground.store.repository import Repository
from commonground.store.schema import federation_unchecked

T = federation_unchecked.c
CLEAR = delete(federation_unchecked).where(T.operation_id == bindparam("op"), T.peer_id == bindparam("peer"))


def _row(row: Any) -> Unchecked:
    return Unchecked(row.operation_id, row.agency_id, row.peer_id, row.since, row.attempts, row.next_at)


class SqlUnchecked(Repository):
    def mark(self, row: Unchecked) -> bool:
        """Keep the row unless that pair is already kept; return whether it was new."""
        values = {
            "operation_id": row.operation_id,
            "peer_id": row.peer_id,
            "agency_id": row.agency_id,
            "since": row.since,
            "attempts": row.attempts,
            "next_at": row.next_at,
        }
        done = self.conn.execute(self.insert_ignore(federation_unchecked).returning(T.operation_id), values)
        return done.first() is not None

    def clear(self, operation_id: str, peer_id: str) -> bool:
        gone = self.conn.execute(CLEAR, {"op": operation_id, "peer": peer_id})
        return bool(gone.rowcount)

    def retry(self, operation_id: str, peer_id: str, attempts: int, next_at: datetime) -> None:
        where = (T.operation_id == operation_id, T.peer_id == peer_id)
        self.conn.execute(update(federation_unchecked).where(*where).values(attempts=attempts, next_at=next_at))

    def due(self, at: datetime, limit: int) -> list[Unchecked]:
        query = select(federation_unchecked).where(T.next_at <= at).order_by(T.next_at, T.operation_id).limit(limit)
        return [_row(r) for r in self.conn.execute(query)]

    def peers_of(self, operation_id: str) -> list[str]:
        query = select(T.peer_id).where(T.operation_id == operation_id).order_by(T.peer_id)
        return [r.peer_id for r in self.conn.execute(query)]

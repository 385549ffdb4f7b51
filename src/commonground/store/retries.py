"""Idempotency keys: the first request of each (caller, key) and its answer (docs/retries.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from commonground.domain.retries import Answer, Attempt
from commonground.store.repository import Repository
from commonground.store.schema import retries

T = retries.c


def _attempt(row: Any) -> Attempt:
    answer = None
    if row.status is not None:
        headers = tuple((str(k), str(v)) for k, v in (row.headers or []))
        answer = Answer(int(row.status), str(row.media_type), headers, bytes(row.body))
    return Attempt(row.scope, row.key, row.fingerprint, row.claimed_at, answer)


def _values(attempt: Attempt) -> dict[str, Any]:
    fields = ("scope", "key", "fingerprint", "claimed_at")
    return {name: getattr(attempt, name) for name in fields}


class SqlRetries(Repository):
    def claim(self, attempt: Attempt) -> Attempt | None:
        done = self.conn.execute(self.insert_ignore(retries).returning(T.scope), _values(attempt))
        if done.first() is not None:
            return None
        row = self.conn.execute(select(retries).where(T.scope == attempt.scope, T.key == attempt.key)).one()
        return _attempt(row)

    def take_over(self, stale: Attempt, attempt: Attempt) -> bool:
        # Compare-and-set on the claim time: of two retries that both found the row stale, one wins.
        where = (T.scope == stale.scope, T.key == stale.key, T.claimed_at == stale.claimed_at)
        fresh = {**_values(attempt), "status": None, "media_type": None, "headers": None, "body": None}
        return bool(self.conn.execute(update(retries).where(*where).values(**fresh)).rowcount)

    def answer(self, scope: str, key: str, answer: Answer) -> None:
        values = {
            "status": answer.status,
            "media_type": answer.media_type,
            "headers": [list(h) for h in answer.headers],
            "body": answer.body,
        }
        self.conn.execute(update(retries).where(T.scope == scope, T.key == key).values(**values))

    def release(self, scope: str, key: str) -> None:
        self.conn.execute(delete(retries).where(T.scope == scope, T.key == key, T.status.is_(None)))

    def purge(self, before: datetime) -> int:
        return int(self.conn.execute(delete(retries).where(T.claimed_at < before)).rowcount or 0)

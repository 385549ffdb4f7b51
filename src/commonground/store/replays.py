"""Kept first answers to keyed requests (``Idempotency-Key``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from commonground.domain.retries import Replay
from commonground.store.repository import Repository
from commonground.store.schema import replays

R = replays.c


class SqlReplays(Repository):
    def get(self, owner: str, key: str) -> Replay | None:
        row = self.conn.execute(select(replays).where(R.owner == owner, R.key == key)).mappings().first()
        if row is None:
            return None
        return Replay(
            row["owner"],
            row["key"],
            row["fingerprint"],
            row["status"],
            bytes(row["body"]),
            row["content_type"],
            row["created_at"],
        )

    def add(self, replay: Replay) -> bool:
        result = self.conn.execute(
            self.insert_ignore(replays).returning(R.key),
            {
                "owner": replay.owner,
                "key": replay.key,
                "fingerprint": replay.fingerprint,
                "status": replay.status,
                "body": replay.body,
                "content_type": replay.content_type,
                "created_at": replay.created_at,
            },
        )
        return result.first() is not None

    def complete(self, owner: str, key: str, status: int, body: bytes, content_type: str) -> None:
        values = {"status": status, "body": body, "content_type": content_type}
        self.conn.execute(update(replays).where(R.owner == owner, R.key == key).values(values))

    def remove(self, owner: str, key: str) -> None:
        self.conn.execute(delete(replays).where(R.owner == owner, R.key == key))

    def prune(self, before: datetime) -> int:
        return int(self.conn.execute(delete(replays).where(R.created_at < before)).rowcount or 0)

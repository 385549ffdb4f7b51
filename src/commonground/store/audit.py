"""The hash-chained audit log and its signed checkpoints: appends are held and sealed in order at flush."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from commonground.audit.chain import AuditEntry
from commonground.audit.checkpoints import Checkpoint
from commonground.audit.verify import StoredRecord
from commonground.service.ports import AuditFilter, Page
from commonground.store import records
from commonground.store.repository import Repository, page
from commonground.store.schema import audit_checkpoints, audit_log


class SqlAudit(Repository):
    def append(self, entry: AuditEntry, at: datetime) -> None:
        self.unit.hold_audit(entry, at)

    def records(self, where: AuditFilter, limit: int, after: int | None) -> Page[StoredRecord]:
        self.unit.flush()
        order = audit_log.c.seq.desc() if where.newest_first else audit_log.c.seq
        query = select(audit_log).order_by(order).limit(limit + 1)
        if where.since:
            query = query.where(audit_log.c.at >= where.since)
        if where.actor:
            query = query.where(audit_log.c.actor_user_id == where.actor)
        if where.action:
            query = query.where(audit_log.c.action == where.action)
        if after is not None:
            query = query.where(audit_log.c.seq < after if where.newest_first else audit_log.c.seq > after)
        return page([records.audit_from(r) for r in self.conn.execute(query).mappings()], limit, key="seq")

    def all(self) -> Iterator[StoredRecord]:
        return self.since(0)

    def since(self, after: int) -> Iterator[StoredRecord]:
        self.unit.flush()
        query = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq)
        for row in self.conn.execute(query).mappings():
            yield records.audit_from(row)

    def get(self, seq: int) -> StoredRecord | None:
        self.unit.flush()
        row = self.conn.execute(select(audit_log).where(audit_log.c.seq == seq)).mappings().first()
        return None if row is None else records.audit_from(row)

    def bounds(self) -> tuple[int, int] | None:
        self.unit.flush()
        # Two queries: SQLite answers a lone min() or max() from the key's index, both together by a full scan.
        lo = self.conn.execute(select(func.min(audit_log.c.seq))).scalar()
        hi = self.conn.execute(select(func.max(audit_log.c.seq))).scalar()
        return None if lo is None or hi is None else (int(lo), int(hi))

    def hashes(self, after: int, through: int) -> list[str]:
        self.unit.flush()
        query = select(audit_log.c.hash).where(audit_log.c.seq > after, audit_log.c.seq <= through)
        return list(self.conn.execute(query.order_by(audit_log.c.seq)).scalars())

    def prune(self, through: int) -> int:
        self.unit.flush()
        return int(self.conn.execute(delete(audit_log).where(audit_log.c.seq <= through)).rowcount)


def _checkpoint(row: Mapping[Any, Any]) -> Checkpoint:
    return Checkpoint(
        row["tree_size"],
        row["root_hash"],
        row["at"],
        row["last_hash"],
        row["public_key"],
        row["signature"],
        tuple(row["frontier"]),
    )


class SqlCheckpoints(Repository):
    def add(self, checkpoint: Checkpoint) -> bool:
        values = {
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "at": checkpoint.at,
            "last_hash": checkpoint.last_hash,
            "public_key": checkpoint.public_key,
            "signature": checkpoint.signature,
            "frontier": list(checkpoint.frontier),
        }
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT DO NOTHING.
        query = self.insert_ignore(audit_checkpoints).values(values).returning(audit_checkpoints.c.tree_size)
        return self.conn.execute(query).first() is not None

    def _one(self, *where: Any) -> Checkpoint | None:
        query = select(audit_checkpoints).where(*where).order_by(audit_checkpoints.c.tree_size.desc()).limit(1)
        row = self.conn.execute(query).mappings().first()
        return None if row is None else _checkpoint(row)

    def latest(self) -> Checkpoint | None:
        return self._one()

    def get(self, tree_size: int) -> Checkpoint | None:
        return self._one(audit_checkpoints.c.tree_size == tree_size)

    def page(self, limit: int, after: int | None) -> Page[Checkpoint]:
        query = select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size.desc()).limit(limit + 1)
        if after is not None:
            query = query.where(audit_checkpoints.c.tree_size < after)
        return page([_checkpoint(r) for r in self.conn.execute(query).mappings()], limit, key="tree_size")

    def all(self) -> list[Checkpoint]:
        query = select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size)
        return [_checkpoint(r) for r in self.conn.execute(query).mappings()]

    def signed_before(self, at: datetime, through: int) -> Checkpoint | None:
        return self._one(audit_checkpoints.c.at < at, audit_checkpoints.c.tree_size <= through)

"""The hash-chained audit log: appends are held and sealed in order at flush (see ``held``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from commonground.audit.chain import AuditEntry
from commonground.audit.verify import StoredRecord
from commonground.service.ports import AuditFilter, Page
from commonground.store import records
from commonground.store.repository import Repository, page
from commonground.store.schema import audit_log


class SqlAudit(Repository):
    def append(self, entry: AuditEntry, at: datetime) -> None:
        self.unit.hold_audit(entry, at)

    def records(self, where: AuditFilter, limit: int, after: int | None) -> Page[StoredRecord]:
        self.unit.flush()
        query = select(audit_log).order_by(audit_log.c.seq).limit(limit + 1)
        if where.since:
            query = query.where(audit_log.c.at >= where.since)
        if where.actor:
            query = query.where(audit_log.c.actor_user_id == where.actor)
        if where.action:
            query = query.where(audit_log.c.action == where.action)
        if after is not None:
            query = query.where(audit_log.c.seq > after)
        return page([records.audit_from(r) for r in self.conn.execute(query).mappings()], limit, key="seq")

    def all(self) -> Iterator[StoredRecord]:
        self.unit.flush()
        for row in self.conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings():
            yield records.audit_from(row)

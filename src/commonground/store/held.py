"""Audit records and outbox events are held until the commit, then written one statement a table.

A submission appends several of each (its own audit record, one per conflict, two events per
conflict); one multi-row insert per table costs what one row did. Holding them also means the
audit chain's head is read, and on PostgreSQL its lock taken, only at the end of the
transaction, just before the commit. Readers of either table in the same transaction flush first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from commonground.audit.chain import GENESIS, AuditEntry, record_fields, seal
from commonground.audit.keyed import has_keyed, hash_keyed
from commonground.service.ports import Event
from commonground.store.audit_key import AuditKeyring
from commonground.store.memo import Memo
from commonground.store.schema import audit_log, events

AUDIT_HEAD = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
INSERT_AUDIT = insert(audit_log)
INSERT_EVENT = insert(events)


class HeldWrites:
    """The state a unit of work's repositories share: one connection, a memo and the held rows."""

    def __init__(self, conn: Connection, memo: Memo | None = None, keyring: AuditKeyring | None = None) -> None:
        self.conn = conn
        self.memo = memo or Memo()
        self.keyring = keyring or AuditKeyring()
        self._audit: list[tuple[AuditEntry, datetime]] = []
        self._outbox: list[dict[str, Any]] = []

    def lock_audit_chain(self) -> None:
        """Serialise appends; SQLite's write lock already does."""

    def hold_audit(self, entry: AuditEntry, at: datetime) -> None:
        self._audit.append((entry, at))

    def hold_event(self, event: Event) -> None:
        self._outbox.append(
            {
                "kind": event.kind,
                "object_id": event.object_id,
                "agency_id": event.agency_id,
                "for_watch": event.for_watch,
                "details": event.details,
                "created_at": event.created_at,
            }
        )

    def flush(self) -> None:
        """Write what is held. Under the audit-chain lock, held to commit, event sequence
        numbers are taken in commit order, so a reader resuming "after seq N" skips nothing."""
        audit, outbox = self._audit, self._outbox
        if not audit and not outbox:
            return
        self.lock_audit_chain()
        if audit:
            if self.memo.audit_head is None:
                last = self.conn.execute(AUDIT_HEAD).first()
                self.memo.audit_head = (last[0], last[1]) if last else (0, GENESIS)
            seq, prev = self.memo.audit_head
            rows = []
            for entry, at in audit:
                if has_keyed(entry.details):  # typed values are kept only as keyed hashes
                    entry = replace(entry, details=hash_keyed(entry.details, self.keyring.key(self.conn)))
                seq += 1
                digest = seal(seq, at, entry, prev)
                rows.append({**record_fields(seq, at, entry, prev), "hash": digest})
                prev = digest
            self.conn.execute(INSERT_AUDIT, rows)
            self.memo.audit_head = (seq, prev)
            audit.clear()
        if outbox:
            self.conn.execute(INSERT_EVENT, list(outbox))
            outbox.clear()

"""Reading and verifying the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commonground.audit.tags import Action
from commonground.audit.verify import Verdict, verify_chain
from commonground.domain.errors import NotPermitted
from commonground.domain.model import Role
from commonground.domain.timewindow import isoformat
from commonground.service.ports import AuditFilter, Clock, Page, Store
from commonground.service.principal import Principal


@dataclass
class AuditLog:
    store: Store
    clock: Clock

    def search(self, who: Principal, where: AuditFilter, limit: int, after: int | None) -> Page[dict[str, Any]]:
        if not who.has(Role.AUDITOR):
            raise NotPermitted("only auditors read the audit log")
        with self.store.write() as tx:
            page = tx.audit_records(where, limit, after)
            tx.append_audit(who.entry(Action.AUDIT_READ, object_type="audit", returned=len(page.items)), self.clock.now())
        items = [
            {
                "seq": r.seq,
                "at": isoformat(r.at),
                "actor_user_id": r.entry.actor_user_id,
                "actor_agency_id": r.entry.actor_agency_id,
                "action": r.entry.action,
                "object_type": r.entry.object_type,
                "object_id": r.entry.object_id,
                "outcome": r.entry.outcome,
                "details": r.entry.details,
                "hash": r.hash,
            }
            for r in page.items
        ]
        return Page(items, page.next)

    def verify(self) -> Verdict:
        with self.store.read() as tx:
            return verify_chain(tx.all_audit_records())

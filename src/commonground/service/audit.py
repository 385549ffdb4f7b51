"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.audit.checkpoints import Checkpoint
from commonground.audit.tags import Action
from commonground.audit.verify import Verdict
from commonground.domain.errors import NotPermitted
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import isoformat
from commonground.service.audit_proof import Ledger
from commonground.service.ports import AuditFilter, Clock, Page, Store, Transaction
from commonground.service.principal import Principal


def _details_of(tx: Transaction, action: Action) -> Iterator[dict[str, Any]]:
    """Every audited ``action``'s details, oldest first, a page at a time (the report counts them all)."""
    after: int | None = None
    while True:
        page = tx.audit.records(AuditFilter(action=action), 1000, after)
        for rec in page.items:
            yield dict(rec.entry.details or {})
        if page.next is None:
            return
        after = int(page.next)


@dataclass
class AuditLog:
    store: Store
    clock: Clock
    ledger: Ledger

    def search(self, who: Principal, where: AuditFilter, limit: int, after: int | None) -> Page[dict[str, Any]]:
        if not who.may(Permission.AUDIT):
            raise NotPermitted("only auditors read the audit log")
        with self.store.write() as tx:
            page = tx.audit.records(where, limit, after)
            tx.audit.append(
                who.entry(Action.AUDIT_READ, object_type="audit", returned=len(page.items)), self.clock.now()
            )
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

    def transparency(self, who: Principal) -> dict[str, Any]:
        """Counts an oversight body can publish: notices by status, suppressed matches, look-ups."""
        if not who.may(Permission.AUDIT):
            raise NotPermitted("only auditors read the transparency report")
        with self.store.write() as tx:
            names = {a.id: a.name for a in tx.agencies.page(100_000, None).items}
            per_agency: dict[str, dict[str, int]] = {}
            for agency_id, status, count in tx.notices.counts():
                per_agency.setdefault(agency_id, {})[f"notices_{status}"] = count
            suppressed: dict[str, int] = {}
            for details in _details_of(tx, Action.SUBJECT_MATCH_SUPPRESSED):
                key = str(details.get("restricting_agency"))
                suppressed[key] = suppressed.get(key, 0) + int(details.get("count", 1))
            answers: dict[tuple[str, str], int] = {}
            for details in _details_of(tx, Action.NOTICE_RESPOND):
                pair = (str(details.get("host_agency")), str(details.get("response")))
                answers[pair] = answers.get(pair, 0) + 1
            tx.audit.append(
                who.entry(Action.REPORT_READ, object_type="report", report="transparency"), self.clock.now()
            )
        return {
            "notices_by_operating_agency": [
                {"agency_id": k, "agency": names.get(k), **v} for k, v in sorted(per_agency.items())
            ],
            "suppressed_subject_matches_by_restricting_agency": [
                {"agency_id": k, "agency": names.get(k), "count": v} for k, v in sorted(suppressed.items())
            ],
            "notice_responses_by_host_agency": [
                {"agency_id": k, "agency": names.get(k), "response": r, "count": v}
                for (k, r), v in sorted(answers.items())
            ],
        }

    def verify(self, held: list[Checkpoint] | None = None) -> Verdict:
        """The full walk: every kept record, against every stored checkpoint and each one ``held``."""
        return self.ledger.verify(held or [])

    def verdict(self) -> Verdict:
        """The quick verdict a page or API read shows: from the latest signed checkpoint on."""
        return self.ledger.verdict()

    def checkpoint(self, force: bool = False) -> Checkpoint | None:
        return self.ledger.checkpoint(force)

    def checkpoints(self, who: Principal, limit: int, after: int | None) -> Page[dict[str, Any]]:
        """Signed checkpoints, newest first, for an auditor or the installation admin."""
        if not who.may(Permission.AUDIT_CHECKPOINTS):
            raise NotPermitted("only auditors and the installation admin read the audit checkpoints")
        with self.store.read() as tx:
            page = tx.checkpoints.page(limit, after)
        return Page([cp.exported() for cp in page.items], page.next)

    def prove(self, seq: int) -> dict[str, Any]:
        return self.ledger.prove(seq)

    def consistency(self, held: Checkpoint) -> dict[str, Any]:
        return self.ledger.consistency(held)

    def prune(self, before: datetime) -> int:
        """Delete records older than ``before`` (the retention period ago or more) up to a signed checkpoint."""
        return self.ledger.prune(before)

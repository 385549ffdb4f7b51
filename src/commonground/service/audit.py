"""Reading and verifying the audit log."""

from __future__ import annotations

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
from commonground.service.ports import AuditFilter, Clock, Page, Store
from commonground.service.principal import Principal


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

    def names(self, who: Principal, items: list[dict[str, Any]]) -> dict[str, str]:
        """People's and agencies' names for the ids in ``items``: an auditor reads names, not UUIDv7 prefixes."""
        if not who.may(Permission.AUDIT):
            raise NotPermitted("only auditors read the audit log")
        users = {r["actor_user_id"] for r in items} | {r["object_id"] for r in items if r["object_type"] == "user"}
        agencies = {r["actor_agency_id"] for r in items} | {
            r["object_id"] for r in items if r["object_type"] == "agency"
        }
        found: dict[str, str] = {}
        with self.store.read() as tx:
            for user_id in filter(None, users):
                user = tx.people.get(user_id)
                if user is not None:
                    found[user_id] = f"{user.display_name} ({user.username})"
            for agency_id in filter(None, agencies):
                agency = tx.agencies.get(agency_id)
                if agency is not None:
                    found[agency_id] = agency.name
        return found

    @staticmethod
    def actions() -> list[str]:
        """Every action the log records (docs/audit.md documents each), for a picker."""
        return sorted(a.value for a in Action)

    def transparency(self, who: Principal) -> dict[str, Any]:
        """Counts an oversight body can publish: notices by status, suppressed matches, look-ups."""
        if not who.may(Permission.AUDIT):
            raise NotPermitted("only auditors read the transparency report")
        with self.store.write() as tx:
            names = {a.id: a.name for a in tx.agencies.page(100_000, None).items}
            per_agency: dict[str, dict[str, int]] = {}
            for agency_id, status, count in tx.notices.counts():
                per_agency.setdefault(agency_id, {})[f"notices_{status}"] = count
            responses: dict[str, dict[str, int]] = {}
            for agency_id, response, count in tx.notice_responses.counts():
                responses.setdefault(agency_id, {})[response] = count
            suppressed: dict[str, int] = {}
            after: int | None = None
            while True:
                page = tx.audit.records(AuditFilter(action=Action.SUBJECT_MATCH_SUPPRESSED), 1000, after)
                for rec in page.items:
                    key = str((rec.entry.details or {}).get("restricting_agency"))
                    suppressed[key] = suppressed.get(key, 0) + int((rec.entry.details or {}).get("count", 1))
                if page.next is None:
                    break
                after = int(page.next)
            tx.audit.append(
                who.entry(Action.REPORT_READ, object_type="report", report="transparency"), self.clock.now()
            )
        return {
            "notices_by_operating_agency": [
                {"agency_id": k, "agency": names.get(k), **v} for k, v in sorted(per_agency.items())
            ],
            "host_responses_by_agency": [
                {"agency_id": k, "agency": names.get(k), **v} for k, v in sorted(responses.items())
            ],
            "suppressed_subject_matches_by_restricting_agency": [
                {"agency_id": k, "agency": names.get(k), "count": v} for k, v in sorted(suppressed.items())
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

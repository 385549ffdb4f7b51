"""Keep chasing: alert the watch center, then everyone, while a conflict stays unacknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain.model import Conflict, Operation
from commonground.domain.notifications import Escalation, EscalationKind, due_escalations
from commonground.service.events import EventKind, emit
from commonground.service.incidents import escalate_overdue
from commonground.service.ports import Clock, Store

BATCH = 500


@dataclass
class Escalator:
    store: Store
    clock: Clock
    ack_within: timedelta
    start_within: timedelta

    def run(self) -> int:
        """Raise every escalation now due, of conflicts and of critical incidents; safe from any process
        (each is recorded once)."""
        now = self.clock.now()
        return escalate_overdue(self.store, now) + self._conflicts(now)

    def _conflicts(self, now: datetime) -> int:
        due: list[tuple[Conflict, tuple[Operation, Operation], Escalation]] = []
        with self.store.read() as tx:
            conflicts = tx.escalations.candidates(now - self.ack_within, now + self.start_within, now, 100_000)
            for start in range(0, len(conflicts), BATCH):
                chunk = conflicts[start : start + BATCH]
                raised = tx.escalations.of_conflicts(c.id for c in chunk)
                for conflict in chunk:
                    a, b = tx.operations.get(conflict.operation_a), tx.operations.get(conflict.operation_b)
                    if a is None or b is None:
                        continue
                    for esc in due_escalations(
                        conflict, (a, b), now, self.ack_within, self.start_within, raised[conflict.id]
                    ):
                        due.append((conflict, (a, b), esc))
        if not due:
            return 0
        raised_now = 0
        with self.store.write() as tx:
            for conflict, (a, b), esc in due:
                if not tx.escalations.add(conflict.id, esc.side, esc.kind.value, now):
                    continue
                raised_now += 1
                starts = min(a.window.starts_at, b.window.starts_at)
                if esc.kind is EscalationKind.UNACKNOWLEDGED:
                    side = a if esc.side == a.id else b
                    details = {
                        "reason": "unacknowledged",
                        "operation_id": side.id,
                        "agency_id": side.agency_id,
                        "minutes": self.ack_within.total_seconds() / 60,
                    }
                    emit(tx, EventKind.CONFLICT_ESCALATED, conflict.id, now, for_watch=True, details=details)
                else:
                    details = {
                        "reason": "starts_soon",
                        "starts_at": starts.isoformat(),
                        "minutes": self.start_within.total_seconds() / 60,
                    }
                    emit(
                        tx,
                        EventKind.CONFLICT_URGENT,
                        conflict.id,
                        now,
                        agency_id=conflict.agency_a,
                        for_watch=True,
                        details=details,
                    )
                    if conflict.agency_b != conflict.agency_a:
                        emit(
                            tx,
                            EventKind.CONFLICT_URGENT,
                            conflict.id,
                            now,
                            agency_id=conflict.agency_b,
                            details=details,
                        )
                tx.audit.append(
                    AuditEntry(
                        action=Action.CONFLICT_ESCALATE,
                        outcome="success",
                        actor_user_id=None,
                        actor_agency_id=None,
                        object_type="conflict",
                        object_id=conflict.id,
                        details={"kind": esc.kind.value, "side": esc.side},
                    ),
                    now,
                )
        return raised_now

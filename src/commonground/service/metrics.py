"""The figures ``/metrics`` shows, read from the store at each scrape.

Read, not counted in memory: several API processes and a worker share one database, and a
counter kept in one process would show that process's share only, and start again at each restart."""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.audit.tags import Action
from commonground.service.ports import Clock, Store

CURSOR = "fanout"  # the delivery fan-out's cursor (service/delivery.py)
# metric name -> the audit action it counts (successes only)
COUNTED: dict[str, Action] = {
    "submissions": Action.OPERATION_CREATE,
    "conflicts_found": Action.CONFLICT_CREATE,
    "lookups": Action.LOOKUP,
    "escalations": Action.CONFLICT_ESCALATE,
    "sweep_findings": Action.LOOKUP_SWEEP,
    "deliveries_failing": Action.DELIVERY_FAILING,
}


@dataclass(frozen=True, slots=True)
class Reading:
    """One scrape's figures; ages in seconds, None when there is nothing to be old."""

    counts: dict[str, int]
    notices: int
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)
    outbox_lag_s: float = 0.0
    audit_length: int = 0
    checkpoint_age_s: float | None = None


@dataclass
class Figures:
    store: Store
    clock: Clock

    def read(self) -> Reading:
        """Read every figure in one read transaction."""
        now = self.clock.now()
        with self.store.read() as tx:
            m = tx.metrics
            by_action = m.audit_counts(a.value for a in COUNTED.values())
            counts = {name: _successes(by_action, action) for name, action in COUNTED.items()}
            oldest, checkpoint = m.oldest_undelivered(CURSOR), m.last_checkpoint()
            return Reading(
                counts=counts,
                notices=m.notices(),
                deliveries=m.deliveries(),
                outbox_lag_s=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
                audit_length=m.audit_length(),
                checkpoint_age_s=(now - checkpoint).total_seconds() if checkpoint else None,
            )


def _successes(by_action: dict[tuple[str, str], int], action: Action) -> int:
    # A look-up sweep and an escalation are recorded as what they are, whatever their outcome field says.
    if action in (Action.LOOKUP_SWEEP, Action.DELIVERY_FAILING, Action.CONFLICT_ESCALATE):
        return sum(n for (a, _), n in by_action.items() if a == action.value)
    return by_action.get((action.value, "success"), 0)

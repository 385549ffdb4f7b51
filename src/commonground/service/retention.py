"""Retention and purge: operation details go N days after the operation ends, subjects within five years.

``commonground purge`` and the sweep run it. One unit of work purges everything due and writes
one audit record with the counts; a dry run does the same work and rolls it back, so its
counts are exactly what a purge would remove. Conflicts, notices and the audit log keep their
rows, so the transparency report and conflict counts read the same before and after.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.retention import RetentionRule, purged, without_subjects
from commonground.service.ports import AuditPruner, Clock, Store, Transaction

BATCH = 500  # operations read per page of a run


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What one run removed (or, in a dry run, would remove)."""

    operations: int = 0  # operations reduced to their shell
    subjects: int = 0  # subject entries removed, from purged operations and from those past the subject period
    conflict_notes: int = 0  # conflict notes removed from conflicts of purged operations
    lookups: int = 0  # dispatcher look-ups (their places) older than the operation period
    audit_pruned: int | None = None  # audit records pruned; None in a dry run (pruning is not rehearsed)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The counts as the command line prints them, one per line."""
        verb = "would purge" if self.dry_run else "purged"
        audit = "not counted in a dry run" if self.audit_pruned is None else str(self.audit_pruned)
        return [
            f"purge: {verb} the details of {self.operations} operations",
            f"purge: {verb} {self.subjects} subjects",
            f"purge: {verb} {self.conflict_notes} conflict notes",
            f"purge: {verb} {self.lookups} look-ups",
            f"purge: audit records pruned: {audit}",
        ]


class NoAuditPruning:
    """The default pruner: keeps every audit record (pruning up to a signed checkpoint is wired at merge)."""

    def prune(self, before: datetime) -> int:
        return 0


class _Rehearsed(Exception):
    """Raised inside a dry run's unit of work, so that everything it did is rolled back."""

    def __init__(self, counts: PurgeCounts) -> None:
        super().__init__("dry run")
        self.counts = counts


@dataclass
class Retention:
    """The purge as a use-case (``commonground purge``, ``commonground sweep``)."""

    store: Store
    clock: Clock
    rule: RetentionRule
    pruner: AuditPruner

    def purge(self, *, dry_run: bool = False) -> PurgeCounts:
        """Remove what is past its period; with ``dry_run``, count it and change nothing."""
        now = self.clock.now()
        pruned = None if dry_run else self.pruner.prune(self.rule.audit_before(now))
        try:
            with self.store.write() as tx:
                counts = replace(self._remove(tx, now), audit_pruned=pruned, dry_run=dry_run)
                if dry_run:
                    raise _Rehearsed(counts)
                details = {k: v for k, v in asdict(counts).items() if k != "dry_run"}
                periods = {
                    "operation_days": self.rule.operation_days,
                    "subject_days": self.rule.subject_days,
                    "audit_days": self.rule.audit_days,
                }
                tx.audit.append(
                    AuditEntry(
                        Action.RETENTION_PURGE, Outcome.SUCCESS, object_type="retention", details=details | periods
                    ),
                    now,
                )
        except _Rehearsed as rehearsal:
            return rehearsal.counts
        return counts

    def _remove(self, tx: Transaction, now: datetime) -> PurgeCounts:
        ended_before = self.rule.operations_ended_before(now)
        entered_before = self.rule.subjects_entered_before(now)
        operations = subjects = notes = 0
        after: str | None = None
        while True:
            page = tx.operations.retention_due(ended_before, entered_before, BATCH, after)
            for op in page.items:
                ended = op.window.ends_at < ended_before
                if not ended and not op.subjects:
                    continue  # entered long ago and still running, with no subjects left
                tx.operations.update(purged(op, now) if ended else without_subjects(op, now))
                tx.subjects.set_keys(op.id, ())
                tx.subjects.set_terms(op.id, {})
                subjects += len(op.subjects)
                if ended:
                    operations += 1
                    notes += self._reduce_conflicts(tx, op.id)
            if page.next is None:
                break
            after = page.next
        if subjects:
            tx.subjects.forget_unused_terms()  # a count row at zero would still hold the name
        return PurgeCounts(operations, subjects, notes, tx.lookups.prune(ended_before))

    @staticmethod
    def _reduce_conflicts(tx: Transaction, operation_id: str) -> int:
        """Keep each conflict of a purged operation for the counts, without its free-text note."""
        reduced = 0
        for conflict in tx.conflicts.of_operation(operation_id):
            if conflict.note is not None:
                tx.conflicts.update(replace(conflict, note=None))
                reduced += 1
        return reduced

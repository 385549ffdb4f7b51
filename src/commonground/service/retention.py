"""Retention and purge: operation details go N days after the operation ends, subjects within five years.

``commonground purge`` and the sweep run it. Each unit of work purges one batch of operations
(so a backlog never holds SQLite's one writer for long); the run's last unit writes its one
audit record with the totals. A dry run does the same work and rolls each unit back, so its
counts are exactly what a purge would remove. Conflicts, notices and the audit log keep their
rows, so the transparency report and conflict counts read the same before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import partial

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.retention import (
    RetentionRule,
    is_shell,
    purged,
    purged_disclosure,
    purged_target,
    without_subjects,
)
from commonground.domain.retries import KEPT_FOR
from commonground.service.ports import AuditPruner, Clock, Store, Transaction

BATCH = 100  # operations purged per unit of work: each holds the writer for a moment only


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What one run removed (or, in a dry run, would remove)."""

    operations: int = 0  # operations reduced to their shell
    subjects: int = 0  # subject entries removed, from purged operations and from those past the subject period
    conflict_notes: int = 0  # conflict notes removed from conflicts of purged operations
    incident_summaries: int = 0  # the words of purged operations' critical incidents (kind, time, place stay)
    lookups: int = 0  # dispatcher look-ups (their places) older than the operation period
    replays: int = 0  # kept answers to keyed requests past their day (they hold response bodies)
    remote_pairs: int = 0  # pairs of purged operations with peers' operations: the peer's details go too
    remote_notices: int = 0  # host agencies' notices of peers' operations that ended as long ago
    targets: int = 0  # case targets expired or withdrawn as long ago: case number, subjects, contact
    audit_pruned: int | None = None  # audit records pruned; None in a dry run (pruning is not rehearsed)
    dry_run: bool = False

    def plus(self, other: PurgeCounts) -> PurgeCounts:
        """Add the counts of another unit of the same run."""
        return replace(
            self,
            operations=self.operations + other.operations,
            subjects=self.subjects + other.subjects,
            conflict_notes=self.conflict_notes + other.conflict_notes,
            incident_summaries=self.incident_summaries + other.incident_summaries,
            lookups=self.lookups + other.lookups,
            replays=self.replays + other.replays,
            remote_pairs=self.remote_pairs + other.remote_pairs,
            remote_notices=self.remote_notices + other.remote_notices,
            targets=self.targets + other.targets,
        )

    def lines(self) -> list[str]:
        """The counts as the command line prints them, one per line."""
        verb = "would purge" if self.dry_run else "purged"
        audit = "not counted in a dry run" if self.dry_run else "none (commonground purge prunes the audit log)"
        audit = audit if self.audit_pruned is None else str(self.audit_pruned)
        return [
            f"purge: {verb} the details of {self.operations} operations",
            f"purge: {verb} {self.subjects} subjects",
            f"purge: {verb} {self.conflict_notes} conflict notes",
            f"purge: {verb} {self.incident_summaries} incident summaries",
            f"purge: {verb} {self.lookups} look-ups",
            f"purge: {verb} {self.replays} kept answers to retried requests",
            f"purge: {verb} the details of peers' operations in {self.remote_pairs} pairs",
            f"purge: {verb} the details of peers' operations in {self.remote_notices} notices",
            f"purge: {verb} the details of {self.targets} case targets",
            f"purge: audit records pruned: {audit}",
        ]


class NoAuditPruning:
    """The default pruner: keeps every audit record (pruning up to a signed checkpoint is wired at merge)."""

    def prune(self, before: datetime) -> int:
        return 0


class _Rehearsed(Exception):
    """Raised inside a dry run's unit of work, so that everything it did is rolled back."""

    def __init__(self, done: tuple[PurgeCounts, str | None]) -> None:
        super().__init__("dry run")
        self.done = done


@dataclass
class Retention:
    """The purge as a use-case (``commonground purge``, ``commonground sweep``)."""

    store: Store
    clock: Clock
    rule: RetentionRule
    pruner: AuditPruner

    def purge(self, *, dry_run: bool = False, record_empty: bool = True, audit: bool = True) -> PurgeCounts:
        """Remove what is past its period; with ``dry_run``, count it and change nothing.

        ``record_empty=False`` (the sweep, every few minutes) writes no audit record for a run that
        removed nothing; ``commonground purge`` records every run. ``audit=False`` (the sweep) leaves
        the audit log alone: on PostgreSQL only the owner role may delete audit records, and the
        sweep runs as the app role."""
        now = self.clock.now()
        pruned = None if dry_run or not audit else self.pruner.prune(self.rule.audit_before(now))
        totals = PurgeCounts(audit_pruned=pruned, dry_run=dry_run)
        cursor: str | None = None
        reduced: set[str] = set()  # conflicts whose note went: a dry run must not count one twice
        while True:  # one unit of work a batch: a submission waits for one batch at most
            batch, cursor = self._unit(partial(self._batch, now=now, after=cursor, reduced=reduced), dry_run)
            totals = totals.plus(batch)
            if cursor is None:
                break
        for step in (self._notices_batch, self._targets_batch):  # peers' operations in notices; case targets
            while True:
                batch, cursor = self._unit(partial(step, now=now, after=cursor), dry_run)
                totals = totals.plus(batch)
                if cursor is None:
                    break
        last, _ = self._unit(partial(self._finish, now=now, totals=totals, record_empty=record_empty), dry_run)
        return totals.plus(last)

    def _unit(
        self, work: Callable[[Transaction], tuple[PurgeCounts, str | None]], dry_run: bool
    ) -> tuple[PurgeCounts, str | None]:
        """Run ``work`` in one unit of work; in a dry run, roll it back and keep only its counts."""
        try:
            with self.store.write() as tx:
                done = work(tx)
                if dry_run:
                    raise _Rehearsed(done)
        except _Rehearsed as rehearsal:
            return rehearsal.done
        return done

    def _batch(
        self, tx: Transaction, now: datetime, after: str | None, reduced: set[str]
    ) -> tuple[PurgeCounts, str | None]:
        """Purge one page of what is due; return its counts and where the next page starts."""
        ended_before = self.rule.operations_ended_before(now)
        page = tx.operations.retention_due(ended_before, self.rule.subjects_entered_before(now), BATCH, after)
        operations = subjects = notes = summaries = pairs = 0
        for op in page.items:
            ended = op.window.ends_at < ended_before
            if not ended and not op.subjects:
                continue  # entered long ago and still running, with no subjects left
            tx.operations.update(purged(op, now) if ended else without_subjects(op, now))
            if op.subjects:
                tx.subjects.set_keys(op.id, ())
                tx.subjects.set_terms(op.id, {})
                subjects += len(op.subjects)
            if ended:
                operations += 1
                notes += self._reduce_conflicts(tx, op.id, reduced)
                summaries += tx.incidents.purge_summaries(op.id)
                pairs += self._reduce_remote_pairs(tx, op.id, now)
        return PurgeCounts(operations, subjects, notes, summaries, remote_pairs=pairs), page.next

    def _notices_batch(self, tx: Transaction, now: datetime, after: str | None) -> tuple[PurgeCounts, str | None]:
        """Shell one page of notices whose peer's operation ended before the period."""
        page = tx.remote_notices.retention_due(self.rule.operations_ended_before(now), BATCH, after)
        for notice in page.items:
            tx.remote_notices.purge(notice.id, purged_disclosure(notice.operation, now), now)
        return PurgeCounts(remote_notices=len(page.items)), page.next

    def _targets_batch(self, tx: Transaction, now: datetime, after: str | None) -> tuple[PurgeCounts, str | None]:
        """Shell one page of case targets that expired or were withdrawn before the period."""
        page = tx.targets.retention_due(self.rule.operations_ended_before(now), BATCH, after)
        subjects = 0
        for target in page.items:
            tx.targets.purge(purged_target(target, now))
            tx.subjects.set_keys(target.id, ())
            tx.subjects.set_terms(target.id, {})
            subjects += len(target.subjects)
        return PurgeCounts(subjects=subjects, targets=len(page.items)), page.next

    @staticmethod
    def _reduce_remote_pairs(tx: Transaction, operation_id: str, now: datetime) -> int:
        """Keep each pair of a purged operation with a peer's, the peer's operation reduced to its shell."""
        count = 0
        for pair in tx.remote_conflicts.of_operation(operation_id):
            if not is_shell(pair.counterpart):
                tx.remote_conflicts.purge(pair.id, purged_disclosure(pair.counterpart, now))
                count += 1
        return count

    def _finish(
        self, tx: Transaction, now: datetime, totals: PurgeCounts, record_empty: bool
    ) -> tuple[PurgeCounts, None]:
        """Remove old look-ups and emptied name counts; write the run's one audit record with its totals."""
        if totals.subjects:
            tx.subjects.forget_unused_terms()  # a count row at zero would still hold the name
        last = PurgeCounts(
            lookups=tx.lookups.prune(self.rule.operations_ended_before(now)), replays=tx.replays.prune(now - KEPT_FOR)
        )
        details = {k: v for k, v in asdict(totals.plus(last)).items() if k != "dry_run"}
        if not record_empty and not any(details.values()):
            return last, None
        periods = {
            "operation_days": self.rule.operation_days,
            "subject_days": self.rule.subject_days,
            "audit_days": self.rule.audit_days,
        }
        entry = AuditEntry(Action.RETENTION_PURGE, Outcome.SUCCESS, object_type="retention", details=details | periods)
        tx.audit.append(entry, now)
        return last, None

    @staticmethod
    def _reduce_conflicts(tx: Transaction, operation_id: str, reduced: set[str]) -> int:
        """Keep each conflict of a purged operation for the counts, without its free-text note."""
        count = 0
        for conflict in tx.conflicts.of_operation(operation_id):
            if conflict.note is not None and conflict.id not in reduced:
                tx.conflicts.update(replace(conflict, note=None))
                reduced.add(conflict.id)
                count += 1
        return count

"""Run the conflict check inside a write transaction and keep recorded conflicts true."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain import conflicts as rule
from commonground.domain.model import Agency, Conflict, ConflictStatus, Operation
from commonground.domain.policy import Policy
from commonground.domain.targets import Side, Target
from commonground.service.clock import new_id
from commonground.service.events import EventKind, emit_conflict
from commonground.service.ports import Transaction
from commonground.service.subjects import remember_restriction, subject_findings


class AgencyCache:
    """Agencies looked up once per transaction."""

    def __init__(self, tx: Transaction, *known: Agency) -> None:
        self.tx = tx
        self._seen: dict[str, Agency] = {a.id: a for a in known}

    def __call__(self, agency_id: str) -> Agency:
        agency = self._seen.get(agency_id)
        if agency is None:
            found = self.tx.agencies.get(agency_id)
            if found is None:
                raise LookupError(f"agency {agency_id} vanished")
            agency = self._seen[agency_id] = found
        return agency

    def prime(self, agency_ids: Iterable[str]) -> None:
        """Read the agencies not yet seen at once, before the rule asks for them one by one."""
        missing = {key for key in agency_ids if key not in self._seen}
        if missing:
            self._seen |= self.tx.agencies.get_many(missing)

    def policy(self, agency_id: str) -> Policy:
        return self(agency_id).policy


def conflict_from_finding(finding: rule.Finding, at: datetime) -> Conflict:
    a, b = sorted((finding.operation, finding.other), key=lambda op: op.id)
    return Conflict(
        id=new_id(),
        kind=finding.kind,
        operation_a=a.id,
        operation_b=b.id,
        agency_a=a.agency_id,
        agency_b=b.agency_id,
        status=ConflictStatus.OPEN,
        detected_at=at,
        distance_m=finding.distance_m,
        overlap=finding.overlap,
        match_kind=finding.match_kind,
        target_a=isinstance(a, Target),
        target_b=isinstance(b, Target),
    )


def side_getter(tx: Transaction) -> Callable[[str], Side | None]:
    """Return a look-up of a conflict's side by id: an operation, else a case target."""

    def side(side_id: str) -> Side | None:
        return tx.operations.get(side_id) or tx.targets.get(side_id)

    return side


@dataclass(frozen=True, slots=True)
class CheckResult:
    conflicts: list[Conflict]
    created: list[Conflict]
    others: dict[str, Side]


def find_findings(tx: Transaction, op: Operation, agencies: AgencyCache) -> list[rule.Finding]:
    """Return every proximity finding for ``op`` among the store's candidates."""
    max_proximity, max_buffer = tx.agencies.reach()
    reach = rule.reach(agencies.policy(op.agency_id), max_proximity, max_buffer)
    near = tx.operations.candidates(op.area, op.window, reach, exclude=op.id)
    agencies.prime(other.agency_id for other in near)
    return rule.find_proximity(op, near, agencies.policy)


def check(
    tx: Transaction, op: Side, agencies: AgencyCache, at: datetime, actor: AuditEntry, *, new: bool = False
) -> CheckResult:
    """Record what the rule finds for ``op``; close what it no longer finds; audit each.

    ``op`` is an operation, or a case target (its subjects only: a case has no place).
    ``new``: ``op`` was inserted in this transaction, so nothing is recorded against it yet
    and no other writer can have paired it (the store need not look).
    """
    near = [] if isinstance(op, Target) else find_findings(tx, op, agencies)
    found = near + subject_findings(tx, op, agencies, at, actor, new=new)
    for f in found:  # in conflict now: a restriction either way holds for the operations' whole lives
        mine, theirs = agencies(f.operation.agency_id), agencies(f.other.agency_id)
        remember_restriction(tx, f.operation, theirs, mine.missions)
        remember_restriction(tx, f.other, mine, theirs.missions)
    findings = {(f.kind, f.other.id): f for f in found}
    current: list[Conflict] = []
    created: list[Conflict] = []
    for existing in [] if new else tx.conflicts.of_operation(op.id):
        finding = findings.pop((existing.kind, existing.other_operation(op.id)), None)
        if finding is None:
            if not existing.status.is_closed:
                closed = replace(
                    existing,
                    status=ConflictStatus.DISMISSED,
                    closed_at=at,
                    closed_by=actor.actor_user_id,
                    note="no longer in conflict after a change",
                )
                tx.conflicts.update(closed)
                tx.audit.append(_about(actor, Action.CONFLICT_CLOSE, closed, reason="moved apart"), at)
                emit_conflict(tx, EventKind.CONFLICT_UPDATED, closed, at)
            continue
        status = existing.status
        if status.is_closed:  # the operations came back together: ask both sides again
            existing = replace(existing, ack_a=None, ack_b=None, closed_at=None, closed_by=None, note=None)
            status = ConflictStatus.OPEN
        updated = replace(
            existing,
            status=status,
            distance_m=finding.distance_m,
            overlap=finding.overlap,
            match_kind=finding.match_kind,
        )
        tx.conflicts.update(updated)
        emit_conflict(tx, EventKind.CONFLICT_UPDATED, updated, at)
        current.append(updated)
    fresh = [conflict_from_finding(finding, at) for finding in findings.values()]
    if new:  # nothing can be paired with it yet: every finding is a new conflict, in one insert
        tx.conflicts.add_new(fresh)
    else:
        fresh = [conflict for conflict in fresh if tx.conflicts.add(conflict)]
    for conflict in fresh:
        tx.audit.append(_about(actor, Action.CONFLICT_CREATE, conflict, distance_m=conflict.distance_m), at)
        emit_conflict(tx, EventKind.CONFLICT_CREATED, conflict, at)
        current.append(conflict)
        created.append(conflict)
    return CheckResult(current, created, {f.other.id: f.other for f in found})


def close_all(tx: Transaction, op: Side, at: datetime, actor: AuditEntry, reason: str) -> list[Conflict]:
    """Close the open conflicts of an operation that was cancelled or completed, or of a deleted case target."""
    closed = []
    for conflict in tx.conflicts.of_operation(op.id):
        if conflict.status.is_closed:
            continue
        done = replace(
            conflict, status=ConflictStatus.RESOLVED, closed_at=at, closed_by=actor.actor_user_id, note=reason
        )
        tx.conflicts.update(done)
        tx.audit.append(_about(actor, Action.CONFLICT_CLOSE, done, reason=reason), at)
        emit_conflict(tx, EventKind.CONFLICT_UPDATED, done, at)
        closed.append(done)
    return closed


def _about(actor: AuditEntry, action: str, conflict: Conflict, **details: object) -> AuditEntry:
    return replace(
        actor,
        action=action,
        object_type="conflict",
        object_id=conflict.id,
        details={"operations": [conflict.operation_a, conflict.operation_b], **details},
    )

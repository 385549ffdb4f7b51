"""A periodic sweep: recompute every proximity pair among live operations.

The check at submission is the guarantee; the sweep is the independent witness. It
reads every live operation, asks the store for candidates and the domain rule for
findings, exactly as a submission does, and records any conflict the store lacks.
A non-zero answer means something upstream is wrong (a lost lock, a restore from an
old backup, a hand edit) and is worth an alert.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain import conflicts as rule
from commonground.domain.model import ConflictKind, Operation, OperationStatus
from commonground.service.deconfliction import AgencyCache, conflict_from_finding
from commonground.service.ports import Clock, OperationFilter, Store, Transaction

Pair = tuple[str, str]


def live_operations(tx: Transaction, page: int = 500) -> Iterator[Operation]:
    """Yield every planned or active operation of every agency."""
    after_agency: str | None = None
    while True:
        agencies = tx.agencies.page(page, after_agency)
        for agency in agencies.items:
            for status in (OperationStatus.PLANNED, OperationStatus.ACTIVE):
                after: str | None = None
                while True:
                    ops = tx.operations.page(OperationFilter(agency.id, status=status), page, after)
                    yield from ops.items
                    if ops.next is None:
                        break
                    after = ops.next
        if agencies.next is None:
            return
        after_agency = agencies.next


def expected_pairs(tx: Transaction) -> set[Pair]:
    """Return every proximity pair the rule finds among live operations, ids sorted."""
    agencies = AgencyCache(tx)
    max_proximity, max_buffer = tx.agencies.reach()
    pairs: set[Pair] = set()
    for op in live_operations(tx):
        if op.purged_at is not None:  # a shell's area is only the box around it: never a new finding
            continue
        reach = rule.reach(agencies.policy(op.agency_id), max_proximity, max_buffer)
        near = [o for o in tx.operations.candidates(op.area, op.window, reach, exclude=op.id) if o.purged_at is None]
        for finding in rule.find_proximity(op, near, agencies.policy):
            a, b = sorted((op.id, finding.other.id))
            pairs.add((a, b))
    return pairs


def missing_pairs(store: Store) -> list[Pair]:
    """Return the expected proximity pairs that have no recorded conflict (of any status)."""
    with store.read() as tx:
        expected = expected_pairs(tx)
        missing = []
        for a, b in sorted(expected):
            recorded = {c.other_operation(a) for c in tx.conflicts.of_operation(a) if c.kind is ConflictKind.PROXIMITY}
            if b not in recorded:
                missing.append((a, b))
    return missing


def _record(store: Store, clock: Clock, pair: Pair) -> bool:
    """Re-decide one pair under the store's write lock and record it; return whether new."""
    now = clock.now()
    with store.write() as tx:
        first = tx.operations.get(pair[0])
        if first is None:
            return False
        agencies = AgencyCache(tx)
        max_proximity, max_buffer = tx.agencies.reach()
        reach = rule.reach(agencies.policy(first.agency_id), max_proximity, max_buffer)
        # candidates() takes the same locks a submission takes, then reads fresh rows.
        others = [
            o for o in tx.operations.candidates(first.area, first.window, reach, exclude=first.id) if o.id == pair[1]
        ]
        first = tx.operations.get(pair[0])
        if first is None or not others:
            return False
        found = rule.find_proximity(first, others, agencies.policy)
        if not found:
            return False
        conflict = conflict_from_finding(found[0], now)
        if not tx.conflicts.add(conflict):
            return False
        tx.audit.append(
            AuditEntry(
                action=Action.CONFLICT_CREATE,
                outcome=Outcome.SUCCESS,
                object_type="conflict",
                object_id=conflict.id,
                details={
                    "operations": list(pair),
                    "distance_m": conflict.distance_m,
                    "source": "sweep",
                },
            ),
            now,
        )
        return True


def sweep(store: Store, clock: Clock) -> int:
    """Record every missing proximity conflict among live operations; return how many."""
    # No duplicate can slip in between the read and the write: _record takes the same
    # store locks as a submission and add_conflict skips a pair already recorded.
    return sum(_record(store, clock, pair) for pair in missing_pairs(store))


@dataclass
class Sweep:
    """The sweep as a use-case the wiring hands out (``commonground sweep``, a scheduler)."""

    store: Store
    clock: Clock

    def run(self) -> int:
        """Record every missing conflict among live operations; return how many."""
        return sweep(self.store, self.clock)

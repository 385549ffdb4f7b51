"""Alerts raised when a conflict stays unacknowledged, and the conflicts that may owe one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from commonground.domain.model import Conflict, ConflictStatus
from commonground.domain.notifications import EscalationKind
from commonground.store import records
from commonground.store.repository import Repository
from commonground.store.schema import conflicts, escalations, operations


class SqlEscalations(Repository):
    def candidates(
        self, detected_before: datetime, starting_before: datetime, now: datetime, limit: int
    ) -> list[Conflict]:
        """Open conflicts a side has not acknowledged that may owe an escalation now: a side
        unacknowledged since ``detected_before`` and not yet escalated, or one of the pair
        starting before ``starting_before`` (and not over) with no urgent alert yet. The
        domain decides; this keeps the scan from decoding every open conflict every pass."""
        c = conflicts.c

        def raised(side: Any, kind: EscalationKind) -> Any:
            e = escalations.c
            found = select(e.conflict_id).where(e.conflict_id == c.id, e.side == side, e.kind == kind.value)
            return found.exists()

        def either(*clauses: Any) -> Any:
            o = operations.c
            return select(o.id).where(o.id.in_([c.operation_a, c.operation_b]), *clauses).exists()

        overdue = and_(
            c.detected_at <= detected_before,
            or_(
                and_(c.ack_a_at.is_(None), ~raised(c.operation_a, EscalationKind.UNACKNOWLEDGED)),
                and_(c.ack_b_at.is_(None), ~raised(c.operation_b, EscalationKind.UNACKNOWLEDGED)),
            ),
        )
        imminent = and_(
            ~raised("both", EscalationKind.URGENT),
            either(operations.c.starts_at <= starting_before),
            either(operations.c.ends_at > now),
        )
        query = (
            select(conflicts)
            .where(
                c.status == ConflictStatus.OPEN.value,
                or_(c.ack_a_at.is_(None), c.ack_b_at.is_(None)),
                or_(overdue, imminent),
            )
            .order_by(c.detected_at)
            .limit(limit)
        )
        return [records.conflict_from(r) for r in self.conn.execute(query).mappings()]

    def of_conflicts(self, conflict_ids: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
        wanted = sorted(set(conflict_ids))
        found: dict[str, set[tuple[str, str]]] = {c: set() for c in wanted}
        if wanted:
            rows = self.conn.execute(select(escalations).where(escalations.c.conflict_id.in_(wanted))).mappings()
            for r in rows:
                found[r["conflict_id"]].add((r["side"], r["kind"]))
        return found

    def add(self, conflict_id: str, side: str, kind: str, at: datetime) -> bool:
        """Record an escalation; return False when another process raised it first."""
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT DO NOTHING.
        row = {"conflict_id": conflict_id, "side": side, "kind": kind, "at": at}
        inserted = self.conn.execute(self.insert_ignore(escalations).returning(escalations.c.conflict_id), row)
        return inserted.first() is not None

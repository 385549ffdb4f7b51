"""What the participation reports count, read in one pass per table over a period."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from commonground.domain.participation import ConflictFact, EntryFact
from commonground.store.repository import Repository
from commonground.store.schema import (
    conflicts,
    incidents,
    lookups,
    near_miss_operations,
    near_misses,
    notice_responses,
    operations,
)


class SqlParticipation(Repository):
    def entries(self, since: datetime, until: datetime) -> list[EntryFact]:
        c = operations.c
        query = select(c.agency_id, c.type, c.exigent_reason.is_not(None), c.phone_in, c.notice, c.created_at).where(
            c.created_at >= since, c.created_at < until
        )
        # phone_in is JSON: an absent one is stored as JSON null, so it is tested here, not in SQL.
        return [
            EntryFact(str(r[0]), str(r[1]), bool(r[2]), bool(r[3]), str(r[4] or "none"), r[5].astimezone(UTC).date())
            for r in self.conn.execute(query)
        ]

    def conflicts(self, since: datetime, until: datetime) -> list[ConflictFact]:
        c = conflicts.c
        query = select(
            c.agency_a, c.agency_b, c.kind, c.status, c.outcome, c.detected_at, c.ack_a_at, c.ack_b_at
        ).where(c.detected_at >= since, c.detected_at < until)
        return [
            ConflictFact(
                agency_a=r.agency_a,
                agency_b=r.agency_b,
                kind=r.kind,
                status=r.status,
                outcome=r.outcome,
                detected_at=r.detected_at,
                ack_a_at=r.ack_a_at,
                ack_b_at=r.ack_b_at,
            )
            for r in self.conn.execute(query).mappings()
        ]

    def host_responses(self, since: datetime, until: datetime) -> list[tuple[str, str]]:
        r, o = notice_responses.c, operations.c
        query = (
            select(o.agency_id, r.response)
            .join(operations, o.id == r.operation_id)
            .where(r.responded_at >= since, r.responded_at < until)
        )
        return [(str(row[0]), str(row[1])) for row in self.conn.execute(query)]

    def lookups(self, since: datetime, until: datetime) -> dict[str, int]:
        c = lookups.c
        query = select(c.agency_id, func.count()).where(c.at >= since, c.at < until).group_by(c.agency_id)
        rows: list[tuple[str, int]] = [(str(r[0]), int(r[1])) for r in self.conn.execute(query)]
        return dict(rows)

    def near_misses(self, since: datetime, until: datetime) -> dict[str, int]:
        m, o = near_misses.c, near_miss_operations.c
        query = (
            select(o.near_miss_id, o.agency_id)
            .join(near_misses, m.id == o.near_miss_id)
            .where(m.at >= since, m.at < until)
            .distinct()
        )
        return dict(Counter(str(r[1]) for r in self.conn.execute(query)))

    def incidents(self, since: datetime, until: datetime) -> dict[str, int]:
        c = incidents.c
        query = select(c.agency_id, func.count()).where(c.at >= since, c.at < until).group_by(c.agency_id)
        return {str(r[0]): int(r[1]) for r in self.conn.execute(query)}

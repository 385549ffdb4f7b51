"""What ``/metrics`` reads at each scrape: counts over indexed columns, and two ages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from commonground.domain.notifications import DeliveryStatus
from commonground.store.repository import Repository
from commonground.store.schema import audit_checkpoints, audit_log, deliveries, delivery_cursors, events, notices


class SqlMetrics(Repository):
    def audit_counts(self, actions: Iterable[str]) -> dict[tuple[str, str], int]:
        wanted = list(actions)
        query = (
            select(audit_log.c.action, audit_log.c.outcome, func.count())
            .where(audit_log.c.action.in_(wanted))
            .group_by(audit_log.c.action, audit_log.c.outcome)
        )
        return {(str(row[0]), str(row[1])): int(row[2]) for row in self.conn.execute(query)}

    def notices(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(notices)).scalar_one())

    def deliveries(self) -> dict[tuple[str, str], int]:
        c = deliveries.c
        query = select(c.channel, c.status, func.count()).group_by(c.channel, c.status)
        return {(str(row[0]), str(row[1])): int(row[2]) for row in self.conn.execute(query)}

    def oldest_undelivered(self, cursor: str) -> datetime | None:
        at = self.conn.execute(select(delivery_cursors.c.seq).where(delivery_cursors.c.name == cursor)).scalar()
        waiting = self.conn.execute(select(func.min(events.c.created_at)).where(events.c.seq > (at or 0))).scalar()
        pending = self.conn.execute(
            select(func.min(deliveries.c.created_at)).where(deliveries.c.status == DeliveryStatus.PENDING.value)
        ).scalar()
        found = [t for t in (waiting, pending) if t is not None]
        return min(found) if found else None

    def audit_length(self) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(audit_log.c.seq), 0))).scalar_one())

    def last_checkpoint(self) -> datetime | None:
        found: datetime | None = self.conn.execute(select(func.max(audit_checkpoints.c.at))).scalar()
        return found

"""One row per event, channel and recipient: what was sent, what is due again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from commonground.domain.notifications import ChannelKind, Delivery, DeliveryStatus
from commonground.store.repository import Repository
from commonground.store.schema import deliveries


def delivery_from(row: Any) -> Delivery:
    return Delivery(
        row["key"],
        row["event_seq"],
        row["object_id"],
        row["agency_id"],
        ChannelKind(row["channel"]),
        row["channel_id"],
        row["target"],
        DeliveryStatus(row["status"]),
        row["attempts"],
        row["next_attempt_at"],
        row["last_error"],
        row["created_at"],
        row["sent_at"],
    )


def delivery_row(d: Delivery) -> dict[str, Any]:
    return {
        "key": d.key,
        "event_seq": d.event_seq,
        "object_id": d.object_id,
        "agency_id": d.agency_id,
        "channel": d.channel.value,
        "channel_id": d.channel_id,
        "target": d.target[:500],
        "status": d.status.value,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "sent_at": d.sent_at,
    }


class SqlDeliveries(Repository):
    def add(self, rows: list[Delivery]) -> None:
        """Insert deliveries; one whose key is already recorded is left as it is."""
        if rows:
            self.conn.execute(self.insert_ignore(deliveries), [delivery_row(d) for d in rows])

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        query = (
            select(deliveries)
            .where(deliveries.c.status == DeliveryStatus.PENDING.value, deliveries.c.next_attempt_at <= now)
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [delivery_from(r) for r in self.conn.execute(query).mappings()]

    def update(self, d: Delivery) -> None:
        self.conn.execute(
            update(deliveries)
            .where(deliveries.c.key == d.key)
            .values(
                status=d.status.value,
                attempts=d.attempts,
                next_attempt_at=d.next_attempt_at,
                last_error=d.last_error,
                sent_at=d.sent_at,
            )
        )

    def of_object(self, object_id: str) -> list[Delivery]:
        query = select(deliveries).where(deliveries.c.object_id == object_id).order_by(deliveries.c.seq)
        return [delivery_from(r) for r in self.conn.execute(query).mappings()]

"""One row per event, channel and recipient: what was sent, what is due again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from commonground.domain.notifications import ChannelKind, Delivery, DeliveryStatus
from commonground.service.ports import Page
from commonground.store.repository import Repository, page
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
        row["seq"],
        row["failing_at"],
        row["retry_from"],
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
        "failing_at": d.failing_at,
        "retry_from": d.retry_from,
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
                failing_at=d.failing_at,
                retry_from=d.retry_from,
            )
        )

    def of_object(self, object_id: str) -> list[Delivery]:
        query = select(deliveries).where(deliveries.c.object_id == object_id).order_by(deliveries.c.seq)
        return [delivery_from(r) for r in self.conn.execute(query).mappings()]

    def get(self, seq: int) -> Delivery | None:
        row = self.conn.execute(select(deliveries).where(deliveries.c.seq == seq)).mappings().first()
        return delivery_from(row) if row else None

    def unraised(self, tried_before: datetime, limit: int) -> list[Delivery]:
        """Return deliveries not yet raised as failing that may be: failed, or tried and erring since
        before ``tried_before``; the delivery rule (``failing_now``) decides exactly."""
        c = deliveries.c
        erring = and_(
            c.status == DeliveryStatus.PENDING.value,
            c.last_error.is_not(None),
            func.coalesce(c.retry_from, c.created_at) <= tried_before,
        )
        query = (
            select(deliveries)
            .where(c.failing_at.is_(None), or_(c.status == DeliveryStatus.FAILED.value, erring))
            .order_by(c.seq)
            .limit(limit)
        )
        return [delivery_from(r) for r in self.conn.execute(query).mappings()]

    def of_agency(self, agency_id: str | None, status: str, limit: int, after: int | None) -> Page[Delivery]:
        """Page an agency's (None: the watch center's) deliveries by status, newest first;
        ``failed`` also holds those raised as failing and still retrying."""
        c = deliveries.c
        owner = c.agency_id.is_(None) if agency_id is None else c.agency_id == agency_id
        if status == DeliveryStatus.FAILED.value:
            wanted = or_(c.status == status, and_(c.status == DeliveryStatus.PENDING.value, c.failing_at.is_not(None)))
        else:
            wanted = c.status == status
        query = select(deliveries).where(owner, wanted).order_by(c.seq.desc()).limit(limit + 1)
        if after is not None:
            query = query.where(c.seq < after)
        return page([delivery_from(r) for r in self.conn.execute(query).mappings()], limit, key="seq")

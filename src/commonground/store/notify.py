"""Queries for notifications: channels, deliveries, the fan-out cursor and escalations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from commonground.domain.model import Conflict, ConflictStatus
from commonground.domain.notifications import Channel, ChannelKind, Delivery, DeliveryStatus, EscalationKind
from commonground.service.ports import Event
from commonground.store import records
from commonground.store.held import HeldWrites
from commonground.store.schema import (
    channels,
    conflicts,
    deliveries,
    delivery_cursors,
    escalations,
    events,
    operations,
)
from commonground.store.sharing import event_from


def channel_from(row: Any) -> Channel:
    return Channel(
        row["id"],
        row["agency_id"],
        ChannelKind(row["kind"]),
        row["target"],
        frozenset(row["events"] or ()),
        row["secret"],
        row["created_at"],
    )


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


class NotifyQueries(HeldWrites):
    # --- channels --------------------------------------------------------------------
    def channels_of(self, agency_id: str | None) -> list[Channel]:
        owner = channels.c.agency_id.is_(None) if agency_id is None else channels.c.agency_id == agency_id
        rows = self.conn.execute(select(channels).where(owner).order_by(channels.c.kind, channels.c.target))
        return [channel_from(r) for r in rows.mappings()]

    def set_channels(self, agency_id: str | None, wanted: list[Channel]) -> None:
        owner = channels.c.agency_id.is_(None) if agency_id is None else channels.c.agency_id == agency_id
        self.conn.execute(delete(channels).where(owner))
        if wanted:
            self.conn.execute(
                insert(channels),
                [
                    {
                        "id": c.id,
                        "agency_id": agency_id,
                        "kind": c.kind.value,
                        "target": c.target,
                        "events": sorted(c.events),
                        "secret": c.secret,
                        "created_at": c.created_at,
                    }
                    for c in wanted
                ],
            )

    def all_channels(self) -> list[Channel]:
        return [channel_from(r) for r in self.conn.execute(select(channels)).mappings()]

    def get_channel(self, channel_id: str) -> Channel | None:
        row = self.conn.execute(select(channels).where(channels.c.id == channel_id)).mappings().first()
        return channel_from(row) if row else None

    # --- fan-out ---------------------------------------------------------------------
    def claim_cursor(self, name: str) -> int:
        """Return the cursor, locking its row until the transaction ends (one fan-out at a time)."""
        query = select(delivery_cursors.c.seq).where(delivery_cursors.c.name == name)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        seq: int | None = self.conn.execute(query).scalar_one_or_none()
        if seq is None:
            self.conn.execute(self._insert_ignore(delivery_cursors), [{"name": name, "seq": 0}])
            seq = self.conn.execute(query).scalar_one()
        return int(seq)

    def move_cursor(self, name: str, seq: int) -> None:
        self.conn.execute(update(delivery_cursors).where(delivery_cursors.c.name == name).values(seq=seq))

    def all_events_after(self, seq: int, limit: int) -> list[Event]:
        self.flush()
        query = select(events).where(events.c.seq > seq).order_by(events.c.seq).limit(limit)
        return [event_from(r) for r in self.conn.execute(query).mappings()]

    def events_by_seq(self, seqs: Iterable[int]) -> dict[int, Event]:
        self.flush()
        wanted = sorted(set(seqs))
        if not wanted:
            return {}
        rows = self.conn.execute(select(events).where(events.c.seq.in_(wanted))).mappings()
        return {e.seq: e for e in (event_from(r) for r in rows)}

    # --- deliveries ------------------------------------------------------------------
    def _insert_ignore(self, table: Any) -> Any:
        if self.conn.dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    def add_deliveries(self, rows: list[Delivery]) -> None:
        """Insert deliveries; one whose key is already recorded is left as it is."""
        if rows:
            self.conn.execute(self._insert_ignore(deliveries), [delivery_row(d) for d in rows])

    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        query = (
            select(deliveries)
            .where(deliveries.c.status == DeliveryStatus.PENDING.value, deliveries.c.next_attempt_at <= now)
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [delivery_from(r) for r in self.conn.execute(query).mappings()]

    def update_delivery(self, d: Delivery) -> None:
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

    def deliveries_of(self, object_id: str) -> list[Delivery]:
        query = select(deliveries).where(deliveries.c.object_id == object_id).order_by(deliveries.c.seq)
        return [delivery_from(r) for r in self.conn.execute(query).mappings()]

    # --- escalation ------------------------------------------------------------------
    def escalation_candidates(
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

    def escalations_of(self, conflict_ids: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
        wanted = sorted(set(conflict_ids))
        found: dict[str, set[tuple[str, str]]] = {c: set() for c in wanted}
        if wanted:
            rows = self.conn.execute(select(escalations).where(escalations.c.conflict_id.in_(wanted))).mappings()
            for r in rows:
                found[r["conflict_id"]].add((r["side"], r["kind"]))
        return found

    def add_escalation(self, conflict_id: str, side: str, kind: str, at: datetime) -> bool:
        """Record an escalation; return False when another process raised it first."""
        result = self.conn.execute(
            self._insert_ignore(escalations), [{"conflict_id": conflict_id, "side": side, "kind": kind, "at": at}]
        )
        return bool(result.rowcount)

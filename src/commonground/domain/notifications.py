"""Notification rules: channels, delivery records, retry schedule and escalation. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from commonground.domain.model import Conflict, ConflictStatus, Operation


class ChannelKind(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    STREAM = "stream"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class EscalationKind(StrEnum):
    UNACKNOWLEDGED = "unacked"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class Channel:
    """Where an agency (``agency_id`` None: the watch center) hears of events; empty ``events`` means all."""

    id: str
    agency_id: str | None
    kind: ChannelKind
    target: str
    events: frozenset[str]
    secret: str | None
    created_at: datetime
    # A rotated-out webhook secret still signs until ``previous_until`` (docs/notifications.md).
    previous_secret: str | None = None
    previous_until: datetime | None = None

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events

    def rollover(self, now: datetime) -> tuple[str, ...]:
        """The rotated-out secret, while its rollover lasts: deliveries are signed with it too."""
        if self.previous_secret and self.previous_until is not None and now < self.previous_until:
            return (self.previous_secret,)
        return ()


# How long a replaced webhook secret keeps signing, so receivers can switch without a gap.
SECRET_ROLLOVER = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event to one recipient over one channel; ``key`` makes a retry recognisable."""

    key: str
    event_seq: int
    object_id: str
    agency_id: str | None
    channel: ChannelKind
    channel_id: str | None
    target: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None = None


def delivery_key(event_seq: int, channel: str, recipient: str) -> str:
    """Return the idempotency key: event sequence, channel and recipient."""
    return f"{event_seq}:{channel}:{recipient}"[:200]


def backoff(attempts: int, base_s: float, cap_s: float) -> timedelta:
    """Return the wait before attempt ``attempts + 1``: doubling from ``base_s``, capped."""
    return timedelta(seconds=min(cap_s, base_s * (2 ** max(0, attempts - 1))))


@dataclass(frozen=True, slots=True)
class Escalation:
    conflict_id: str
    side: str  # the operation id of the side that has not acknowledged, or "both"
    kind: EscalationKind


def due_escalations(
    conflict: Conflict,
    operations: tuple[Operation, Operation],
    now: datetime,
    ack_within: timedelta,
    start_within: timedelta,
    raised: Iterable[tuple[str, str]],
) -> list[Escalation]:
    """Return the escalations ``conflict`` needs now that were not raised before.

    A side that has not acknowledged within ``ack_within`` of detection alerts the watch
    center; an unacknowledged conflict whose earlier operation starts within
    ``start_within`` (and has not ended) is urgent for both sides and the watch center.
    """
    if conflict.status is not ConflictStatus.OPEN:
        return []
    done = set(raised)
    found: list[Escalation] = []
    acks = {conflict.operation_a: conflict.ack_a, conflict.operation_b: conflict.ack_b}
    unacked = [op for op in operations if acks.get(op.id) is None]
    if not unacked:
        return []
    if now - conflict.detected_at >= ack_within:
        for op in unacked:
            if (op.id, EscalationKind.UNACKNOWLEDGED.value) not in done:
                found.append(Escalation(conflict.id, op.id, EscalationKind.UNACKNOWLEDGED))
    starts = min(op.window.starts_at for op in operations)
    ends = max(op.window.ends_at for op in operations)
    if starts - now <= start_within and now < ends and ("both", EscalationKind.URGENT.value) not in done:
        found.append(Escalation(conflict.id, "both", EscalationKind.URGENT))
    return found


def check_webhook_url(url: str) -> None:
    """Refuse what can never be a webhook target (raise ValueError); where it resolves is checked at send."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials")

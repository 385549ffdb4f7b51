"""Notification rules: channels, delivery records, retry schedule and escalation. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from commonground.domain.model import Conflict, ConflictStatus, Operation

# How long a replaced webhook secret keeps signing beside the new one, so receivers switch without a gap.
SECRET_ROLLOVER = timedelta(hours=24)


class ChannelKind(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    STREAM = "stream"
    PEER = "peer"  # a conflict-status message to a peer installation (target: the peer's id)
    TAK = "tak"  # Cursor-on-Target events to a TAK server (target: ``tcp://host:port`` or ``tls://host:port``)
    CAD = "cad"  # premise alerts to a CAD endpoint, signed as webhooks are (target: the URL)


# The events a TAK channel carries: each concerns operations whose areas a map can show.
TAK_EVENTS = frozenset(
    {
        "conflict.created",
        "conflict.updated",
        "conflict.escalated",
        "conflict.urgent",
        "notice.created",
        "notice.responded",
        "lookup.nearby",
        "federation.unchecked",
        "federation.checked",
    }
)
# The alert events a CAD channel carries, each a jurisdiction notice of that kind seen by a 911 centre.
CAD_BY_NOTICE = {"entry": "cad.alert.created", "update": "cad.alert.updated", "exit": "cad.alert.expired"}
CAD_EVENTS = frozenset(CAD_BY_NOTICE.values())


def remote_notice(kind: str, details: Mapping[str, Any] | None) -> bool:
    """Say whether the event is a notice of a peer installation's operation (its view is the peer's, not ours)."""
    return kind == "notice.created" and "installation" in (details or {})


def cad_event(kind: str, details: Mapping[str, Any] | None) -> str | None:
    """The CAD alert event a local jurisdiction notice event is, or None when it is none."""
    if kind != "notice.created" or remote_notice(kind, details):
        return None
    return CAD_BY_NOTICE.get(str((details or {}).get("kind", "")))


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
    # A rotated-out secret still signs until ``previous_until`` (docs/notifications.md, rotation).
    previous_secret: str | None = None
    previous_until: datetime | None = None

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events

    def rollover(self, now: datetime) -> tuple[str, ...]:
        """The rotated-out secret while its rollover lasts: deliveries are signed with it too."""
        if self.previous_secret and self.previous_until is not None and now < self.previous_until:
            return (self.previous_secret,)
        return ()

    def carries(self, kind: str, details: Mapping[str, Any] | None = None) -> bool:
        """Say whether an outbox event of ``kind`` goes to this channel: a TAK or CAD channel carries only its own."""
        if self.kind is ChannelKind.TAK:
            return kind in TAK_EVENTS and not remote_notice(kind, details) and self.wants(kind)
        if self.kind is ChannelKind.CAD:
            alert = cad_event(kind, details)
            return alert is not None and self.wants(alert)
        return self.wants(kind)


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
    seq: int = field(default=0, compare=False)  # the row's number (the API's delivery id); set by the store
    failing_at: datetime | None = None  # when it was raised as ``delivery.failing``
    retry_from: datetime | None = None  # when it was last redelivered by hand

    @property
    def failing(self) -> bool:
        """Raised as failing and not delivered since: what an agency's failed list shows."""
        return self.status is DeliveryStatus.FAILED or (
            self.failing_at is not None and self.status is DeliveryStatus.PENDING
        )


def failing_now(d: Delivery, now: datetime, after: timedelta) -> bool:
    """Say whether ``d`` must be raised as failing: out of retries, or failing for longer than ``after``.

    Measured from its creation, or from the last redelivery by hand; a delivery not yet tried
    (no error) is only late, which the outbox lag shows."""
    if d.failing_at is not None or d.status is DeliveryStatus.SENT:
        return False
    if d.status is DeliveryStatus.FAILED:
        return True
    return d.last_error is not None and now - (d.retry_from or d.created_at) >= after


def redelivered(d: Delivery, now: datetime) -> Delivery:
    """Return ``d`` due again at once with its retries back, its failing state cleared."""
    return replace(
        d,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        last_error=None,
        failing_at=None,
        retry_from=now,
    )


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


def check_tak_host(host: object) -> str:
    """Refuse (ValueError) what can never be a TAK server's host; where it resolves is checked at send."""
    bare = host.strip("[]") if isinstance(host, str) else ""
    if not bare or len(bare) > 253 or any(c in bare for c in " /@?#[]\\%"):
        raise ValueError("must be a host name or address")
    if ":" in bare:  # only an IPv6 address has colons; a port goes in ``port``
        try:
            ipaddress.IPv6Address(bare)
        except ValueError as exc:
            raise ValueError("must be a host name or address, without a port") from exc
    return bare


def check_tak_port(port: object) -> int:
    """Refuse (ValueError) what is not a TCP port."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError("must be a port number from 1 to 65535")
    return port


def tak_target(host: str, port: int, tls: bool) -> str:
    """The stored target of a TAK channel (``host`` and ``port`` checked)."""
    bare = check_tak_host(host)
    literal = f"[{bare}]" if ":" in bare else bare
    return f"{'tls' if tls else 'tcp'}://{literal}:{check_tak_port(port)}"


def parse_tak_target(target: str) -> tuple[str, int, bool]:
    """Host, port and whether TLS is used, from a stored TAK target."""
    parts = urlsplit(target)
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or parts.port is None:
        raise ValueError(f"not a TAK target: {target}")
    return parts.hostname, parts.port, parts.scheme == "tls"

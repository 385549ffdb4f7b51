"""Failed alerts are loud: raise ``delivery.failing``, list the failed deliveries, send one again.

For an officer-safety alert, a webhook or mailbox that silently stops answering is the worst
failure. A delivery out of retries, or erring for longer than ``COMMONGROUND_DELIVERY_FAILING_SECONDS``,
is raised once to the watch center and its agency (on their other channels: the fan-out skips the
failing one), logged with ids only, audited, and listed until it is delivered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain.errors import InvalidInput, NotFound
from commonground.domain.notifications import Delivery, DeliveryStatus, failing_now, redelivered
from commonground.domain.permissions import Permission
from commonground.domain.strings import serial
from commonground.domain.timewindow import isoformat
from commonground.service.events import EventKind, emit
from commonground.service.ports import Clock, Page, Store
from commonground.service.principal import Principal

log = logging.getLogger(__name__)
BATCH = 500
STATUSES = frozenset(s.value for s in DeliveryStatus)


def failing_details(d: Delivery) -> dict[str, Any]:
    """What a ``delivery.failing`` alert, its audit record and its log line carry: ids, never the target."""
    return {
        "delivery_id": d.seq,
        "agency_id": d.agency_id,
        "channel": d.channel.value,
        "channel_id": d.channel_id,
        "status": d.status.value,
        "attempts": d.attempts,
        "event_seq": d.event_seq,
    }


@dataclass
class FailingAlarm:
    """The pass that raises each failing delivery once (any process may run it: the flag is a write)."""

    store: Store
    clock: Clock
    after: timedelta

    def run(self) -> int:
        """Raise every delivery now failing that was not raised before; return how many."""
        now = self.clock.now()
        with self.store.write() as tx:
            found = [d for d in tx.deliveries.unraised(now - self.after, BATCH) if failing_now(d, now, self.after)]
            if not found:
                return 0
            kinds = {seq: e.kind for seq, e in tx.outbox.by_seq({d.event_seq for d in found}).items()}
            for d in found:
                tx.deliveries.update(_flagged(d, now))
                details = failing_details(d)
                if kinds.get(d.event_seq) == EventKind.DELIVERY_FAILING.value:
                    continue  # an alert about an alert is listed, not raised again: no cascade
                emit(
                    tx,
                    EventKind.DELIVERY_FAILING,
                    str(d.seq),
                    now,
                    agency_id=d.agency_id,
                    for_watch=True,
                    details=details,
                )
                tx.audit.append(
                    AuditEntry(
                        action=Action.DELIVERY_FAILING,
                        outcome="failure",
                        actor_user_id=None,
                        actor_agency_id=None,
                        object_type="delivery",
                        object_id=str(d.seq),
                        details=details,
                    ),
                    now,
                )
                log.warning("delivery failing", extra={"cg": details})
        return len(found)


def _flagged(d: Delivery, now: datetime) -> Delivery:
    return replace(d, failing_at=now)


def delivery_public(d: Delivery) -> dict[str, Any]:
    """A delivery as its own agency's admin sees it (its own channel's target included)."""
    out: dict[str, Any] = {
        "id": d.seq,
        "event_seq": d.event_seq,
        "channel": d.channel.value,
        "to": d.target,
        "status": d.status.value,
        "attempts": d.attempts,
        "created_at": isoformat(d.created_at),
        "sent_at": isoformat(d.sent_at) if d.sent_at else None,
        "next_attempt_at": isoformat(d.next_attempt_at) if d.next_attempt_at else None,
        "failing_since": isoformat(d.failing_at) if d.failing_at else None,
        "last_error": d.last_error,
    }
    return out


@dataclass
class FailedDeliveries:
    """An agency's deliveries by status, and redelivery: its admin, or the installation admin (any, the watch's too)."""

    store: Store
    clock: Clock

    def _owner(self, who: Principal, agency_id: str | None) -> None:
        if who.may(Permission.INSTALLATION_ADMIN):
            return
        if agency_id is None or not who.may(Permission.AGENCY_ADMIN) or who.agency.id != agency_id:
            raise NotFound("no such agency's deliveries")

    def list(self, who: Principal, agency_id: str, status: str, limit: int, after: str | None) -> Page[dict[str, Any]]:
        """Page the agency's deliveries with ``status`` (``failed``: also those raised as failing), newest first."""
        self._owner(who, agency_id)
        if status not in STATUSES:
            raise InvalidInput("status", f"must be one of {', '.join(sorted(STATUSES))}")
        cursor = _cursor(after)
        with self.store.read() as tx:
            if tx.agencies.get(agency_id) is None:
                raise NotFound("no such agency's deliveries")
            found = tx.deliveries.of_agency(agency_id, status, limit, cursor)
        return Page([delivery_public(d) for d in found.items], found.next)

    def redeliver(self, who: Principal, delivery_id: str) -> dict[str, Any]:
        """Send a delivery again at once, with its retries back; audited."""
        seq = _cursor(delivery_id, field="delivery_id")
        now = self.clock.now()
        with self.store.write() as tx:
            found = tx.deliveries.get(seq) if seq is not None else None
            if found is None:
                raise NotFound("no such delivery")
            self._owner(who, found.agency_id)
            again = redelivered(found, now)
            tx.deliveries.update(again)
            tx.audit.append(
                who.entry(
                    Action.DELIVERY_REDELIVER,
                    object_type="delivery",
                    object_id=str(seq),
                    status=found.status.value,
                    attempts=found.attempts,
                ),
                now,
            )
        log.info("delivery redelivered", extra={"cg": {"delivery_id": seq, "agency_id": found.agency_id}})
        return delivery_public(again)


def _cursor(value: str | None, field: str = "cursor") -> int | None:
    if value is None:
        return None
    return serial(value, field, "must be a delivery id")

"""Write outbox events inside the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from commonground.domain.model import Conflict
from commonground.service.ports import Event, Transaction


class EventKind(StrEnum):
    CONFLICT_CREATED = "conflict.created"
    CONFLICT_UPDATED = "conflict.updated"
    NOTICE_CREATED = "notice.created"
    NOTICE_RESPONDED = "notice.responded"  # a host agency answered a notice: the operating agency
    LOOKUP_NEARBY = "lookup.nearby"
    VERIFY_NEARBY = "verify.nearby"  # a local officer is verifying the team on scene (a place or a plate)
    LOOKUP_SWEEP = "lookup.sweep_suspected"  # look-ups spread over a grid: the operations' agencies and the watch
    PURPOSE_CHANGED = "operation.purpose_changed"  # to an agency that restricts the operation's purpose
    CONFLICT_ESCALATED = "conflict.escalated"  # a side has not acknowledged in time: the watch center
    CONFLICT_URGENT = "conflict.urgent"  # unacknowledged and about to start: both sides and the watch center
    FEDERATION_UNCHECKED = "federation.unchecked"  # a peer could not be checked about an operation: its agency
    DELIVERY_FAILING = "delivery.failing"  # a delivery keeps failing: the watch center and its agency, elsewhere
    INCIDENT_REPORTED = "incident.reported"  # a critical incident: host and conflicting agencies, the watch center
    INCIDENT_ACKNOWLEDGED = "incident.acknowledged"  # an agency told of it has it: the operating agency
    INCIDENT_ESCALATED = "incident.escalated"  # nobody acknowledged it in 5 minutes: the watch center
    FEDERATION_CHECKED = "federation.checked"  # that peer has now answered, with the conflicts found: its agency


def emit(
    tx: Transaction,
    kind: EventKind,
    object_id: str,
    at: datetime,
    *,
    agency_id: str | None = None,
    for_watch: bool = False,
    details: dict[str, Any] | None = None,
) -> None:
    tx.outbox.add(Event(0, kind.value, object_id, agency_id, for_watch, details, at))


def emit_conflict(tx: Transaction, kind: EventKind, conflict: Conflict, at: datetime) -> None:
    """Tell both sides and the watch center; each sees it through its own disclosure."""
    emit(tx, kind, conflict.id, at, agency_id=conflict.agency_a, for_watch=True)
    if conflict.agency_b != conflict.agency_a:
        emit(tx, kind, conflict.id, at, agency_id=conflict.agency_b)

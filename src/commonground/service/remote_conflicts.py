"""Keep conflicts with peer installations' operations, once per side, and tell this side's agency."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain.errors import InvalidInput
from commonground.domain.federation import Peer, Probe
from commonground.domain.model import ConflictStatus, Operation
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.timewindow import TimeWindow
from commonground.service.clock import new_id
from commonground.service.events import EventKind, emit
from commonground.service.ports import Transaction

log = logging.getLogger(__name__)


def record(tx: Transaction, conflict: RemoteConflict) -> bool:
    """Store the pair unless this side has it; a new one goes to the outbox as ``conflict.created``."""
    if not tx.remote_conflicts.add(conflict):
        return False
    emit(
        tx, EventKind.CONFLICT_CREATED, conflict.id, conflict.detected_at, agency_id=conflict.agency_id, for_watch=True
    )
    return True


def record_answered(
    tx: Transaction, peer: Peer, probe: Probe, found: Sequence[tuple[Operation, Mapping[str, Any]]], at: datetime
) -> int:
    """The answering side: each local operation the peer's probe hit, against the operation it carried."""
    if probe.operation is None:
        return 0  # a probe without its operation (an older peer): that side alone records the pair
    kept = 0
    for op, hit in found:
        overlap = TimeWindow.parse(hit["overlap"]["starts_at"], hit["overlap"]["ends_at"])
        pair = RemoteConflict(
            new_id(),
            op.id,
            op.agency_id,
            peer.id,
            peer.name,
            probe.ref,
            probe.operation,
            float(hit["distance_m"]),
            overlap,
            FoundBy.ANSWER,
            ConflictStatus.OPEN,
            at,
        )
        kept += record(tx, pair)
    return kept


def record_asked(tx: Transaction, operation_id: str, agency_id: str, peer: Peer, hits: list[Any], at: datetime) -> int:
    """The asking side: each of the peer's operations its answer disclosed; a malformed hit is logged, not kept."""
    kept = 0
    for hit in hits:
        try:
            disclosed = dict(hit["operation"])
            remote_id = disclosed["id"]
            overlap = TimeWindow.parse(hit["overlap"]["starts_at"], hit["overlap"]["ends_at"])
            distance = float(hit["distance_m"])
            if not isinstance(remote_id, str) or not 0 < len(remote_id) <= 100:
                raise ValueError("the operation id must be a string of 1-100 characters")
        except (KeyError, TypeError, ValueError, InvalidInput) as exc:
            log.warning("peer %s answered a hit that cannot be kept: %s", peer.name, exc)
            continue
        pair = RemoteConflict(
            new_id(),
            operation_id,
            agency_id,
            peer.id,
            peer.name,
            remote_id,
            disclosed,
            distance,
            overlap,
            FoundBy.PROBE,
            ConflictStatus.OPEN,
            at,
        )
        kept += record(tx, pair)
    return kept


def close_for(tx: Transaction, op: Operation, at: datetime, actor: AuditEntry, reason: str) -> int:
    """Close this side's copies of a finished operation's pairs, as ``close_all`` does (the peer is not told)."""
    closing = tx.remote_conflicts.open_for(op.id)
    for pair in closing:
        done = replace(pair, status=ConflictStatus.RESOLVED, closed_at=at, closed_by=actor.actor_user_id, note=reason)
        tx.remote_conflicts.update(done)
        details = {"operations": [op.id], "installation": pair.installation, "reason": reason}
        tx.audit.append(
            replace(actor, action=Action.CONFLICT_CLOSE, object_type="conflict", object_id=done.id, details=details), at
        )
        emit(tx, EventKind.CONFLICT_UPDATED, done.id, at, agency_id=done.agency_id, for_watch=True)
    return len(closing)

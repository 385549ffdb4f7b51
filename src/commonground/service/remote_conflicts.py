"""Keep conflicts with peer installations' operations, once per side, and tell this side's agency."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain.conflict_status import PeerState, StatusChange
from commonground.domain.disclosure import disclose_status_to_peer
from commonground.domain.errors import InvalidInput
from commonground.domain.federation import Peer, Probe
from commonground.domain.model import ConflictStatus, Operation
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.timewindow import TimeWindow
from commonground.service.clock import new_id
from commonground.service.events import EventKind, emit
from commonground.service.ports import Event, Transaction

log = logging.getLogger(__name__)
# The outbox kind of a status message owed to a peer: no channel or stream hears it (no agency,
# not for the watch); the delivery loop sends it to the peer and retries until the peer has it.
PEER_STATUS_KIND = "federation.conflict_status"


def tell_peer(
    tx: Transaction,
    pair: RemoteConflict,
    state: PeerState,
    at: datetime,
    *,
    reason: str | None = None,
    note: str | None = None,
) -> None:
    """Owe the peer this step of the pair, in the change's own unit: the outbox keeps it until delivered."""
    op = tx.operations.get(pair.operation_id)
    owner = None if op is None else tx.agencies.get(op.agency_id)
    if op is None or owner is None:
        return  # nothing of this side left to speak for
    carried = disclose_status_to_peer(op, owner, note)
    change = StatusChange(
        new_id(),
        pair.operation_id,
        pair.remote_operation_id,
        state,
        at,
        carried["agency"],
        reason,
        carried.get("note"),
        pair.kind,
    )
    details = {"peer_id": pair.peer_id, "conflict_id": pair.id, "body": change.to_dict()}
    tx.outbox.add(Event(0, PEER_STATUS_KIND, pair.id, None, False, details, at))


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


def close_for(
    tx: Transaction, op: Operation, at: datetime, actor: AuditEntry, reason: str, only: set[str] | None = None
) -> int:
    """Close this side's copies of an operation's pairs (``only`` those ids) and tell each peer it is closed."""
    closing = [p for p in tx.remote_conflicts.open_for(op.id) if only is None or p.id in only]
    for pair in closing:
        done = replace(pair, status=ConflictStatus.RESOLVED, closed_at=at, closed_by=actor.actor_user_id, note=reason)
        tx.remote_conflicts.update(done)
        details = {"operations": [op.id], "installation": pair.installation, "reason": reason}
        tx.audit.append(
            replace(actor, action=Action.CONFLICT_CLOSE, object_type="conflict", object_id=done.id, details=details), at
        )
        emit(tx, EventKind.CONFLICT_UPDATED, done.id, at, agency_id=done.agency_id, for_watch=True)
        tell_peer(tx, done, PeerState.CLOSED, at, reason=reason)
    return len(closing)

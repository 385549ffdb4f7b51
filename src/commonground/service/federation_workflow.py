"""A remote conflict's workflow across installations: send each step to the peer, apply the peer's steps here.

This side's step is owed to the peer in the change's own unit (``remote_conflicts.tell_peer``
puts it in the outbox); the delivery loop sends it here (``send_status``) and retries until the
peer has it. A peer's step (``answer``) changes this side's copy and tells this side's agency.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.conflict_status import StatusChange, parse_status
from commonground.domain.errors import DeliveryError, SignatureRefused
from commonground.domain.model import ConflictKind, ConflictStatus
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.service.events import EventKind, emit
from commonground.service.federation import Checked, Federation, Inbound, refusal
from commonground.service.peer_contact import note_contact
from commonground.service.principal import Principal
from commonground.service.remote_conflicts import close_for

log = logging.getLogger(__name__)
STATUS_PATH = "/conflict-status"
MOVED_AWAY = "operation moved away"


def applied_to(pair: RemoteConflict, change: StatusChange, installation: str, now: datetime) -> RemoteConflict:
    """This side's copy after the peer's step: its acknowledgement noted, or the copy closed with the reason."""
    closes_as = change.state.closes_as
    if closes_as is None:
        both = pair.ack is not None
        return replace(pair, their_ack_at=change.at, status=ConflictStatus.ACKNOWLEDGED if both else pair.status)
    return replace(pair, status=closes_as, closed_at=now, closed_by=None, note=change.closing_note(installation))


@dataclass
class ConflictWorkflow:
    """The peer half of a remote conflict's workflow, over the federation's signed messages."""

    federation: Federation

    # --- sending (the delivery loop's ``PeerSender``) ------------------------------------------
    def send_status(self, peer_id: str, body: dict[str, Any], key: str) -> None:
        """Send one owed step; ``DeliveryError`` (retried) when the peer is down or its answer is refused."""
        fed = self.federation
        with fed.store.read() as tx:
            peer = tx.peers.get(peer_id)
        if peer is None:
            raise DeliveryError("the peer is no longer registered", retry=False)
        try:
            answer = fed.call(peer, STATUS_PATH, body)
            if answer.get("ref") != body.get("ref") or not isinstance(answer.get("applied"), bool):
                raise SignatureRefused("malformed: the answer is not an answer to this status")
        except DeliveryError:
            with fed.store.write() as tx:
                note_contact(tx, peer, False, fed.clock.now())
            raise
        except (SignatureRefused, ValueError, KeyError) as exc:
            entry = refusal("signature" if "malformed" not in str(exc) else "malformed", peer=peer.name)
            with fed.store.write() as tx:
                details = {**(entry.details or {}), "direction": "answer", "endpoint": "conflict-status"}
                tx.audit.append(
                    AuditEntry(entry.action, entry.outcome, None, None, "peer", peer.id, details), fed.clock.now()
                )
            raise DeliveryError(f"peer {peer.name} answered a status with something refused: {exc}") from exc
        now = fed.clock.now()
        with fed.store.write() as tx:
            note_contact(tx, peer, True, now)
            tx.audit.append(
                AuditEntry(
                    Action.FEDERATION_STATUS_SEND,
                    Outcome.SUCCESS,
                    None,
                    None,
                    "peer",
                    peer.id,
                    {
                        "peer": peer.name,
                        "ref": body.get("ref"),
                        "key": key,
                        "state": body.get("state"),
                        "operation": body.get("operation_id"),
                        "counterpart_operation": body.get("counterpart_operation_id"),
                        "applied": answer["applied"],
                    },
                ),
                now,
            )

    # --- answering ----------------------------------------------------------------------------
    def answer(self, inbound: Inbound) -> dict[str, Any]:
        """Apply a peer's step to this side's copy of the pair; tell this side's agency (``conflict.updated``)."""
        fed, peer = self.federation, inbound.peer
        change = parse_status(inbound.body)
        now = fed.clock.now()
        # One unit: the nonce, the peer's status, the change, its event and the record commit together.
        with fed.store.write() as tx:
            fresh = tx.peers.use_nonce(inbound.nonce, now)
            if fresh:
                tx.peers.prune_nonces(now - timedelta(seconds=2 * fed.max_age_seconds))
                note_contact(tx, peer, True, now)
                pair = tx.remote_conflicts.pair(
                    peer.id, change.counterpart_operation_id, change.operation_id, change.kind
                )
                applied = pair is not None and not pair.status.is_closed
                if pair is not None and applied:
                    changed = applied_to(pair, change, peer.name, now)
                    tx.remote_conflicts.update(changed)
                    emit(tx, EventKind.CONFLICT_UPDATED, changed.id, now, agency_id=changed.agency_id, for_watch=True)
                details: dict[str, object] = {
                    "peer": peer.name,
                    "ref": change.ref,
                    "state": change.state.value,
                    "operation": change.counterpart_operation_id,
                    "counterpart_operation": change.operation_id,
                    "by_agency": change.agency.get("name"),
                    "applied": applied,
                }
                if pair is None:
                    details["reason"] = "no such pair here"
                object_id = None if pair is None else pair.id
                tx.audit.append(
                    AuditEntry(
                        Action.FEDERATION_STATUS_ANSWER, Outcome.SUCCESS, None, None, "conflict", object_id, details
                    ),
                    now,
                )
        if not fresh:
            fed.refuse_replay(peer, "conflict-status")
        return {"installation": fed.name, "ref": change.ref, "applied": applied}

    # --- a change that moves an operation away -------------------------------------------------
    def moved_apart(
        self, who: Principal, operation_id: str, checked: Checked, probed_at: datetime, *, changed: bool
    ) -> Sequence[RemoteConflict]:
        """Close the pairs a re-probe's checked peers no longer found, telling each peer; return those still open.

        Only pairs kept before the probe went out (``probed_at``): one kept meanwhile, from the
        peer's own probe, may be absent from an answer searched before the peer's operation committed.
        Only for a change (``changed``): a new operation's pairs were all found by this probe or after
        it, and two stores' searches near the rule's edge need not agree (see docs/federation.md)."""
        if not checked.checked and not checked.unchecked:
            return []  # no peers: a submission pays nothing
        fed = self.federation
        if not changed:
            return list(checked.pairs)
        found = {(h["installation"]["name"], h["operation"]["id"]) for h in checked.hits}
        with fed.store.read() as tx:
            pairs = tx.remote_conflicts.open_for(operation_id)
            op = tx.operations.get(operation_id)
        apart = {
            p.id
            for p in pairs
            if p.kind is ConflictKind.PROXIMITY  # a subject pair does not end by moving
            and p.detected_at < probed_at  # kept meanwhile by the peer's own probe: this answer may predate it
            and p.installation in checked.checked
            and (p.installation, p.remote_operation_id) not in found
        }
        if apart and op is not None:
            with fed.store.write() as tx:
                close_for(tx, op, fed.clock.now(), who.entry(Action.CONFLICT_CLOSE), MOVED_AWAY, only=apart)
        return [p for p in pairs if p.id not in apart]

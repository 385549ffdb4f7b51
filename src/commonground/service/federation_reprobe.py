"""Never a false clear: keep which peers could not be checked about an operation, and ask them again."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.disclosure import disclose_to_peer
from commonground.domain.federation import Peer, Probe
from commonground.domain.model import Agency, Operation, OperationStatus
from commonground.domain.notices import NoticeKind
from commonground.domain.policy import NoticeTiming
from commonground.domain.remote_notices import OwedNotice, notice_due
from commonground.domain.reprobe import Unchecked, checked_message, next_attempt, unchecked_message
from commonground.service.events import EventKind, emit
from commonground.service.peer_contact import note_contact
from commonground.service.ports import Clock, Store, Transaction
from commonground.service.remote_conflicts import record_asked
from commonground.service.sweep import live_operations

log = logging.getLogger(__name__)
DUE_BATCH = 200  # re-probes taken in one round; the rest wait for the next
LIVE = (OperationStatus.PLANNED, OperationStatus.ACTIVE)


def note_answers(
    tx: Transaction,
    op: Operation | None,
    peers: Iterable[Peer],
    answered: Mapping[str, bool],
    at: datetime,
    base_seconds: float,
    *,
    new: bool = False,
) -> None:
    """In the submission's unit: keep a silent peer as unchecked (its agency told once); forget one that answered.

    A ``new`` operation's first probe has nothing kept to forget: only this unit marks one."""
    if op is None:
        return
    for peer in peers:
        if answered.get(peer.name):
            if not new:
                tx.unchecked.clear(op.id, peer.id)
        elif tx.unchecked.mark(Unchecked(op.id, op.agency_id, peer.id, at, 1, next_attempt(at, 1, base_seconds))):
            details = {"installation": peer.name, "message": unchecked_message(peer.name)}
            emit(tx, EventKind.FEDERATION_UNCHECKED, op.id, at, agency_id=op.agency_id, details=details)


def owe_notice(
    tx: Transaction, op: Operation, peer: Peer, jurisdictions: object, at: datetime, *, changed: bool
) -> None:
    """After a re-probe's answer: owe the peer the notice it missed (sent by ``FederatedNotices.retry_due``).

    An update only when the peer missed a change (it was unchecked); the sweep never repeats one."""
    hosts = isinstance(jurisdictions, int) and jurisdictions > 0
    told = peer.id in tx.remote_notices.told(op.id)
    kind = notice_due(hosts=hosts, told=told, live=True, withheld=op.notice is NoticeTiming.WITHHELD)
    if kind is not None and (kind is not NoticeKind.UPDATE or changed):
        tx.remote_notices.owe(OwedNotice(op.id, peer.id, kind is NoticeKind.EXIT, 0, at))


def probe_for(op: Operation, agency: Agency) -> Probe:
    """The probe a submission of ``op`` sends, built from the stored operation (no one is signed in here)."""
    policy = agency.policy
    return Probe(
        op.id,
        op.area,
        op.window,
        policy.proximity_m,
        policy.time_buffer_min,
        op.purpose,
        agency.level,
        disclose_to_peer(op, agency).to_dict(),
    )


@dataclass
class Round:
    """What one round of re-probes did: the counts the audit record and ``commonground sweep`` report."""

    asked: int = 0
    answered: int = 0
    still_unchecked: int = 0
    ended: int = 0  # rows dropped because the operation is no longer live or the peer was removed
    conflicts: int = 0
    peers: set[str] = field(default_factory=set)

    def details(self) -> dict[str, Any]:
        return {
            "asked": self.asked,
            "answered": self.answered,
            "still_unchecked": self.still_unchecked,
            "ended": self.ended,
            "conflicts": self.conflicts,
            "peers": sorted(self.peers),
        }


class Asker(Protocol):
    """What the re-probe needs of ``Federation``: the peers and one signed probe (None when unanswered)."""

    def known_peers(self) -> list[Peer]: ...
    def ask(self, peer: Peer, payload: Mapping[str, Any]) -> dict[str, Any] | None: ...


@dataclass
class Reprobe:
    """Ask unchecked peers again (the loop), or every peer about every live operation (the sweep)."""

    store: Store
    clock: Clock
    federation: Asker
    base_seconds: float

    def unchecked_names(self, agency_id: str, operation_id: str) -> list[str]:
        """The peers not yet checked about an operation, by name, for its own agency only (others learn nothing)."""
        with self.store.read() as tx:
            op = tx.operations.get(operation_id)
            if op is None or op.agency_id != agency_id:
                return []
            ids = tx.unchecked.peers_of(operation_id)
        if not ids:
            return []
        names = {p.id: p.name for p in self.federation.known_peers()}
        return sorted(names[i] for i in ids if i in names)

    def run_due(self) -> Round:
        """One round: each due (operation, peer) asked again; an answer clears it, silence backs off."""
        now = self.clock.now()
        with self.store.read() as tx:
            due = tx.unchecked.due(now, DUE_BATCH)
        done = Round()
        peers = {p.id: p for p in self.federation.known_peers()}
        for row in due:
            peer = peers.get(row.peer_id)
            self._one(row.operation_id, peer, row, done, reason="reprobe")
        self._audit(done, "reprobe")
        return done

    def sweep(self) -> Round:
        """Ask every peer about every live operation: the independent re-check, whether the loop runs or not."""
        with self.store.read() as tx:
            live = [op.id for op in live_operations(tx) if op.purged_at is None]
        done = Round()
        for peer in self.federation.known_peers():
            for op_id in live:
                self._one(op_id, peer, None, done, reason="sweep")
        self._audit(done, "sweep")
        return done

    def _one(self, op_id: str, peer: Peer | None, row: Unchecked | None, done: Round, reason: str) -> None:
        with self.store.read() as tx:
            op = tx.operations.get(op_id)
            agency = None if op is None else tx.agencies.get(op.agency_id)
        if peer is None or op is None or agency is None or op.status not in LIVE or op.purged_at is not None:
            if row is not None:
                with self.store.write() as tx:
                    done.ended += tx.unchecked.clear(row.operation_id, row.peer_id)
            return
        done.asked += 1
        done.peers.add(peer.name)
        answer = self.federation.ask(peer, probe_for(op, agency).to_dict())
        now = self.clock.now()
        with self.store.write() as tx:
            if answer is None:
                note_contact(tx, peer, False, now)
                done.still_unchecked += 1
                if row is not None:
                    tx.unchecked.retry(
                        op.id, peer.id, row.attempts + 1, next_attempt(now, row.attempts + 1, self.base_seconds)
                    )
                else:
                    note_answers(tx, op, [peer], {}, now, self.base_seconds)
                return
            note_contact(tx, peer, True, now)
            kept = record_asked(tx, op.id, op.agency_id, peer, answer["hits"], now)
            owe_notice(tx, op, peer, answer.get("jurisdictions"), now, changed=row is not None)
            done.answered += 1
            done.conflicts += kept
            if tx.unchecked.clear(op.id, peer.id):
                details = {
                    "installation": peer.name,
                    "conflicts": kept,
                    "hits": len(answer["hits"]),
                    "message": checked_message(peer.name, len(answer["hits"])),
                    "by": reason,
                }
                emit(tx, EventKind.FEDERATION_CHECKED, op.id, now, agency_id=op.agency_id, details=details)

    def _audit(self, done: Round, reason: str) -> None:
        if done.asked == 0 and done.ended == 0:
            return  # a quiet round every few seconds: no empty records
        entry = AuditEntry(
            Action.FEDERATION_REPROBE, Outcome.SUCCESS, object_type="peer", details={"by": reason, **done.details()}
        )
        with self.store.write() as tx:
            tx.audit.append(entry, self.clock.now())

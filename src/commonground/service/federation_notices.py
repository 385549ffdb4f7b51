"""Jurisdiction notices across installations: tell the peers that host an operation, keep theirs here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.disclosure import disclose_notice_to_peer
from commonground.domain.errors import DeliveryError, SignatureRefused
from commonground.domain.federation import Peer
from commonground.domain.geometry import bounding_boxes
from commonground.domain.model import Agency, Operation
from commonground.domain.notices import NoticeKind, NoticeStatus, first_status, plan
from commonground.domain.policy import NoticeTiming
from commonground.domain.remote_notices import (
    NoticeMessage,
    OwedNotice,
    RemoteNotice,
    hosts,
    notice_due,
    parse_notice_message,
)
from commonground.domain.reprobe import next_attempt
from commonground.service.clock import new_id
from commonground.service.federation import Checked, Federation, Inbound
from commonground.service.federation_reprobe import LIVE
from commonground.service.notices import send_remote
from commonground.service.peer_contact import note_contact
from commonground.service.ports import Transaction
from commonground.service.principal import Principal

log = logging.getLogger(__name__)
NOTICE_PATH = "/notice"
DUE_BATCH = 100  # owed notices sent in one round; the rest wait for the next
EVERYTHING = timedelta(days=36500)  # the sweep sends every owed notice, whatever its backoff
CLAIM = timedelta(seconds=30)  # a claimed row comes due again after this if its process died sending it


@dataclass
class FederatedNotices:
    federation: Federation

    # --- telling peers ----------------------------------------------------------------------
    def after_check(self, who: Principal, operation_id: str, checked: Checked, op: Operation | None = None) -> None:
        """Tell each peer hosting the operation of its entry or update, and one it left of its exit.

        A peer that did not answer the probe is left to the re-probe: once it answers, its notice is owed.
        ``op`` is the operation as stored when the caller has it (else it is read); who was told is in ``checked``."""
        if not checked.checked:
            return  # no peer answered: none to tell, and no write
        if op is None:
            with self.federation.store.read() as tx:
                op = tx.operations.get(operation_id)
        if op is None:
            return
        told = checked.told
        withheld = op.notice is NoticeTiming.WITHHELD
        kinds: dict[str, NoticeKind] = {}
        for peer in self.federation.known_peers():
            if peer.name not in checked.checked:
                continue
            kind = notice_due(hosts=peer.name in checked.hosts, told=peer.id in told, live=True, withheld=withheld)
            if kind is not None:
                kinds[peer.name] = kind
        self._tell(who, who.agency, op, kinds, withheld=sorted(checked.hosts) if withheld else [])

    def finished(self, who: Principal, operation_id: str) -> None:
        """Tell every peer told of a cancelled or completed operation of its exit."""
        with self.federation.store.read() as tx:
            op = tx.operations.get(operation_id)
            told = tx.remote_notices.told(operation_id) if op else set()
        if op is None or not told:
            return
        kinds = {peer.name: NoticeKind.EXIT for peer in self.federation.known_peers() if peer.id in told}
        self._tell(who, who.agency, op, kinds, withheld=[])

    def retry_due(self, *, everything: bool = False) -> int:
        """Send again the notices peers did not take (all of them for the sweep); return how many landed.

        The kind is worked out again from what the peer was told and where the operation now is, so a
        peer down for a while gets the latest word (its entry, the update, or only the exit), once."""
        fed = self.federation
        now = fed.clock.now()
        due_at = now + (EVERYTHING if everything else timedelta(0))
        with fed.store.read() as tx:
            if not tx.remote_notices.owed_due(due_at, 1):
                return 0  # the usual round: one read, no write
        with fed.store.write() as tx:  # claimed: another process of this installation leaves them alone a while
            owed = tx.remote_notices.owed_due(due_at, DUE_BATCH)
            for row in owed:
                tx.remote_notices.owe(replace(row, next_at=now + CLAIM))
        peers = {p.id: p for p in fed.known_peers()}
        by_operation: dict[str, list[OwedNotice]] = {}
        for row in owed:
            by_operation.setdefault(row.operation_id, []).append(row)
        landed = 0
        for operation_id, rows in by_operation.items():
            with fed.store.read() as tx:
                op = tx.operations.get(operation_id)
                owner = None if op is None else tx.agencies.get(op.agency_id)
                told = tx.remote_notices.told(operation_id)
            kinds: dict[str, NoticeKind] = {}
            attempts: dict[str, int] = {}
            for row in rows:
                peer = peers.get(row.peer_id)
                live = op is not None and op.status in LIVE and op.purged_at is None
                withheld = op is not None and op.notice is NoticeTiming.WITHHELD
                kind = notice_due(hosts=not row.leaving, told=row.peer_id in told, live=live, withheld=withheld)
                if peer is None or op is None or owner is None or kind is None:
                    with fed.store.write() as tx:  # the peer is gone, or nothing is owed any more
                        tx.remote_notices.settle(row.operation_id, row.peer_id)
                    continue
                kinds[peer.name], attempts[peer.id] = kind, row.attempts
            if op is not None and owner is not None and kinds:
                landed += len(self._tell(None, owner, op, kinds, withheld=[], attempts=attempts))
        return landed

    def _tell(
        self,
        who: Principal | None,
        owner: Agency,
        op: Operation,
        kinds: dict[str, NoticeKind],
        withheld: list[str],
        attempts: Mapping[str, int] | None = None,
    ) -> dict[str, str]:
        """Send each peer its notice at once; one that does not take it is owed it (sent again later)."""
        fed = self.federation
        peers = {peer.name: peer for peer in fed.known_peers() if peer.name in kinds}
        if not peers and not withheld:
            return {}
        view = disclose_notice_to_peer(op, owner).to_dict()
        timing = (op.notice or NoticeTiming.AT_SUBMIT).value
        pool = fed.probe_pool()
        futures = {
            name: pool.submit(
                self._send, peer, {"ref": new_id(), "kind": kinds[name].value, "timing": timing, "operation": view}
            )
            for name, peer in peers.items()
        }
        wait(futures.values(), timeout=fed.timeout_seconds)
        sent = {
            name: kinds[name].value for name, f in futures.items() if f.done() and f.exception() is None and f.result()
        }
        now = fed.clock.now()
        tried = attempts or {}
        with fed.store.write() as tx:  # one unit: who was told, what is still owed, and the record
            for name, peer in peers.items():
                if name not in sent:
                    tries = tried.get(peer.id, 0) + 1
                    leaving = kinds[name] is NoticeKind.EXIT
                    tx.remote_notices.owe(
                        OwedNotice(op.id, peer.id, leaving, tries, next_attempt(now, tries, fed.reprobe_seconds))
                    )
                    continue
                tx.remote_notices.settle(op.id, peer.id)
                if kinds[name] is NoticeKind.EXIT:
                    tx.remote_notices.forget(op.id, peer.id)
                else:
                    tx.remote_notices.tell(op.id, peer.id, now)
            details: dict[str, object] = {
                "sent": sent,
                "failed": sorted(set(peers) - set(sent)),  # owed: sent again until each takes it
                "withheld": withheld,
                "level": view["level_disclosed"],
            }
            entry = AuditEntry(Action.FEDERATION_NOTICE_SEND, Outcome.SUCCESS, None, None, "operation", op.id, details)
            if who is None:
                details["by"] = "retry"  # the re-probe loop or the sweep: no one here asked
            else:
                entry = replace(entry, actor_user_id=who.user.id, actor_agency_id=who.agency.id)
            tx.audit.append(entry, now)
        return sent

    def _send(self, peer: Peer, payload: dict[str, Any]) -> bool:
        """Whether the peer took the notice; a silent or refused answer is logged and the notice owed."""
        try:
            answer = self.federation.call(peer, NOTICE_PATH, payload)
            return bool(answer.get("ref") == payload["ref"])
        except (DeliveryError, SignatureRefused, ValueError) as exc:
            log.warning("peer %s did not take a jurisdiction notice: %s", peer.name, exc)
            return False

    # --- a peer's notices -------------------------------------------------------------------
    def answer(self, inbound: Inbound) -> dict[str, Any]:
        """Keep a peer's notice for each agency here whose jurisdiction its operation reaches, by its timing."""
        message = parse_notice_message(inbound.body)
        federation, peer = self.federation, inbound.peer
        now = federation.clock.now()
        with federation.store.write() as tx:  # one unit: the nonce, the notices, their events and the record
            fresh = tx.peers.use_nonce(inbound.nonce, now)
            if fresh:
                tx.peers.prune_nonces(now - timedelta(seconds=2 * federation.max_age_seconds))
                note_contact(tx, peer, True, now)
                counts = track_remote(tx, peer, message, now)
                details: dict[str, object] = {
                    "peer": peer.name,
                    "ref": message.ref,
                    "kind": message.kind.value,
                    "timing": message.timing.value,
                    "level": message.operation["level_disclosed"],
                    **counts,
                }
                tx.audit.append(
                    AuditEntry(Action.FEDERATION_NOTICE_ANSWER, Outcome.SUCCESS, None, None, "peer", peer.id, details),
                    now,
                )
        if not fresh:
            federation.refuse_replay(peer, "notice")
        return {"installation": federation.name, "ref": message.ref}


def track_remote(tx: Transaction, peer: Peer, message: NoticeMessage, at: datetime) -> dict[str, int]:
    """Bring a peer's operation's notices here in line with where and whether it now is (as ``track``)."""
    reached: set[str] = set()
    if message.kind is not NoticeKind.EXIT:
        nearby = tx.agencies.with_jurisdiction_in(bounding_boxes(message.area))
        reached = {agency.id for agency in hosts(message.area, nearby)}
    made: list[RemoteNotice] = []

    def new(agency_id: str, kind: NoticeKind, status: NoticeStatus) -> None:
        due = message.window.starts_at if status is NoticeStatus.SCHEDULED else at
        notice = RemoteNotice(
            new_id(),
            peer.id,
            peer.name,
            message.operation_id,
            agency_id,
            kind,
            status,
            due,
            None,
            at,
            message.operation,
        )
        if status is NoticeStatus.SENT:
            notice = send_remote(tx, notice, at)
        tx.remote_notices.add(notice)
        made.append(notice)

    todo = plan(reached, tx.remote_notices.of_operation(peer.id, message.operation_id))
    for agency_id in todo.enter:
        new(agency_id, NoticeKind.ENTRY, first_status(message.timing))
    for n in todo.reschedule:
        tx.remote_notices.update(replace(n, due_at=message.window.starts_at))
    for agency_id in todo.update:
        new(agency_id, NoticeKind.UPDATE, NoticeStatus.SENT)
    for n in todo.cancel:
        tx.remote_notices.update(replace(n, status=NoticeStatus.CANCELLED))
    for agency_id in todo.exit:
        new(agency_id, NoticeKind.EXIT, NoticeStatus.SENT)
    statuses = [n.status for n in made]
    return {
        "agencies": len(reached),
        "sent": statuses.count(NoticeStatus.SENT),
        "scheduled": statuses.count(NoticeStatus.SCHEDULED),
    }

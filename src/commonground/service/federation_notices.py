"""Jurisdiction notices across installations: tell the peers that host an operation, keep theirs here."""

from __future__ import annotations

import logging
from concurrent.futures import wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.disclosure import disclose_notice_to_peer
from commonground.domain.errors import DeliveryError, SignatureRefused
from commonground.domain.federation import Peer, PeerStatus
from commonground.domain.geometry import bounding_boxes
from commonground.domain.model import Operation
from commonground.domain.notices import NoticeKind, NoticeStatus, first_status, plan
from commonground.domain.policy import NoticeTiming
from commonground.domain.remote_notices import NoticeMessage, RemoteNotice, hosts, parse_notice_message
from commonground.service.clock import new_id
from commonground.service.federation import Checked, Federation, Inbound
from commonground.service.notices import send_remote
from commonground.service.ports import Transaction
from commonground.service.principal import Principal

log = logging.getLogger(__name__)
NOTICE_PATH = "/notice"


@dataclass
class FederatedNotices:
    federation: Federation

    # --- telling peers ----------------------------------------------------------------------
    def after_check(self, who: Principal, operation_id: str, checked: Checked) -> None:
        """Tell each peer hosting the operation of its entry or update, and one it left of its exit."""
        if not checked.checked:
            return  # no peer answered: none to tell, and no write
        with self.federation.store.read() as tx:
            op = tx.operations.get(operation_id)
            told = tx.remote_notices.told(operation_id) if op else set()
        if op is None:
            return
        kinds: dict[str, NoticeKind] = {}
        for peer in self.federation.known_peers():
            if peer.name in checked.hosts and op.notice is not NoticeTiming.WITHHELD:
                kinds[peer.name] = NoticeKind.UPDATE if peer.id in told else NoticeKind.ENTRY
            elif peer.id in told and peer.name in checked.checked:
                kinds[peer.name] = NoticeKind.EXIT  # it answered: the operation no longer reaches its agencies
        self._tell(who, op, kinds, withheld=sorted(checked.hosts) if op.notice is NoticeTiming.WITHHELD else [])

    def finished(self, who: Principal, operation_id: str) -> None:
        """Tell every peer told of a cancelled or completed operation of its exit."""
        with self.federation.store.read() as tx:
            op = tx.operations.get(operation_id)
            told = tx.remote_notices.told(operation_id) if op else set()
        if op is None or not told:
            return
        kinds = {peer.name: NoticeKind.EXIT for peer in self.federation.known_peers() if peer.id in told}
        self._tell(who, op, kinds, withheld=[])

    def _tell(self, who: Principal, op: Operation, kinds: dict[str, NoticeKind], withheld: list[str]) -> None:
        peers = {peer.name: peer for peer in self.federation.known_peers() if peer.name in kinds}
        if not peers and not withheld:
            return
        view = disclose_notice_to_peer(op, who.agency).to_dict()
        timing = (op.notice or NoticeTiming.AT_SUBMIT).value
        pool = self.federation.probe_pool()
        futures = {
            name: pool.submit(
                self._send, peer, {"ref": new_id(), "kind": kinds[name].value, "timing": timing, "operation": view}
            )
            for name, peer in peers.items()
        }
        wait(futures.values(), timeout=self.federation.timeout_seconds)
        sent = {
            name: kinds[name].value for name, f in futures.items() if f.done() and f.exception() is None and f.result()
        }
        now = self.federation.clock.now()
        with self.federation.store.write() as tx:  # one unit: who was told, and the record
            for name in sent:
                if kinds[name] is NoticeKind.EXIT:
                    tx.remote_notices.forget(op.id, peers[name].id)
                else:
                    tx.remote_notices.tell(op.id, peers[name].id, now)
            tx.audit.append(
                who.entry(
                    Action.FEDERATION_NOTICE_SEND,
                    object_type="operation",
                    object_id=op.id,
                    sent=sent,
                    failed=sorted(set(peers) - set(sent)),
                    withheld=withheld,
                    level=view["level_disclosed"],
                ),
                now,
            )

    def _send(self, peer: Peer, payload: dict[str, Any]) -> bool:
        """Whether the peer took the notice; a silent or refused answer is logged and audited as failed."""
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
                tx.peers.set_status(peer.id, PeerStatus.REACHABLE, now)
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

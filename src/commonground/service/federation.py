"""Federation: this installation's identity, the peers it trusts, and signed messages between them."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NoReturn

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.disclosure import Context, Viewer, disclose_operation, disclose_to_peer
from commonground.domain.errors import (
    DeliveryError,
    InvalidInput,
    NotFound,
    NotPermitted,
    SignatureRefused,
    StateConflict,
)
from commonground.domain.federation import (
    Peer,
    PeerStatus,
    Probe,
    check_name,
    check_peer_url,
    decode_key,
    parse_probe,
    probe_reach,
    remote_finding,
)
from commonground.domain.federation_subjects import probe_subjects
from commonground.domain.geometry import bounding_boxes
from commonground.domain.model import Operation
from commonground.domain.permissions import Permission
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.domain.remote_notices import hosts
from commonground.domain.timewindow import isoformat, window_dict
from commonground.domain.views import OperationView
from commonground.service.clock import new_id
from commonground.service.federation_reprobe import note_answers
from commonground.service.federation_subjects import record_subject_answered, record_subject_asked, subject_hits
from commonground.service.peer_contact import note_contact
from commonground.service.ports import Clock, FederationLink, Store, Transaction
from commonground.service.principal import Principal
from commonground.service.remote_conflicts import record_answered, record_asked

log = logging.getLogger(__name__)
WIRE_PREFIX = "/federation/v1"
NONCE_PRUNE_S = 10.0  # old nonces are only refused by age meanwhile, so pruning late changes no answer
PEERS_TTL_S = 1.0  # how stale this process's list of peers may be when another process changed it
# Threads kept for probes across submissions: one is started only when all are busy, so a
# submission does not pay a thread start per peer; enough that a probe never queues for long.
PROBE_THREADS = 64
JSON_TYPE = "application/json"


def peer_public(peer: Peer) -> dict[str, Any]:
    return {
        "id": peer.id,
        "name": peer.name,
        "url": peer.url,
        "public_key": peer.public_key,
        "status": peer.status.value,
        "last_contact_at": isoformat(peer.last_contact_at) if peer.last_contact_at else None,
    }


def refusal(reason: str, **details: object) -> AuditEntry:
    """The audit record of a refused federation message (no actor: no one here asked)."""
    return AuditEntry(
        Action.FEDERATION_REFUSE, Outcome.DENIED, object_type="peer", details={"reason": reason, **details}
    )


@dataclass(frozen=True, slots=True)
class Inbound:
    """A verified request from a peer: who sent it and its JSON body."""

    peer: Peer
    body: dict[str, Any]
    nonce: str  # recorded by the unit that acts on the request: a replay is refused there


@dataclass(frozen=True, slots=True)
class Checked:
    """What the peers said of one submission: who answered, who could not be checked, and the hits."""

    checked: list[str]
    unchecked: list[str]
    hits: list[dict[str, Any]]
    hosts: tuple[str, ...] = ()  # the peers whose agencies' jurisdiction the area reaches (they get its notice)
    # Read in the unit that kept the answers, so nothing is read again after it:
    pairs: tuple[RemoteConflict, ...] = ()  # the operation's open pairs with peers' operations
    told: frozenset[str] = frozenset()  # the ids of the peers already told of it (its jurisdiction notice)

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "unchecked": self.unchecked, "hits": self.hits}


class Probing:
    """Probe and answer: the mixin of ``Federation`` that finds conflicts across installations."""

    store: Store
    clock: Clock
    name: str
    timeout_seconds: float
    max_age_seconds: float
    reprobe_seconds: float

    def call(self, peer: Peer, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError  # Federation's

    def known_peers(self) -> list[Peer]:
        raise NotImplementedError  # Federation's

    def probe_pool(self) -> ThreadPoolExecutor:
        raise NotImplementedError  # Federation's

    def nonces_due(self) -> bool:
        raise NotImplementedError  # Federation's

    def _refuse(self, reason: str, peer: Peer | None, message: str, **details: object) -> NoReturn:
        raise NotImplementedError  # Federation's

    def answer_probe(self, inbound: Inbound) -> dict[str, Any]:
        """Run the local check for a peer's probe; each hit disclosed in the federation context."""
        probe = parse_probe(inbound.body)
        now = self.clock.now()
        hits: list[dict[str, Any]] = []
        subject_answers: list[dict[str, Any]] = []
        jurisdictions = 0
        # One unit: the nonce, the peer's status, the search and the audit record commit together.
        with self.store.write() as tx:
            fresh = tx.peers.use_nonce(inbound.nonce, now)
            if fresh:
                if self.nonces_due():
                    tx.peers.prune_nonces(now - timedelta(seconds=2 * self.max_age_seconds))
                note_contact(tx, inbound.peer, True, now)
                found = self._hits(tx, probe)
                hits = [hit for _, hit in found]
                recorded = record_answered(tx, inbound.peer, probe, found, now)
                by_subject = subject_hits(tx, inbound.peer, probe, now)
                subject_answers = [hit for _, hit in by_subject]
                recorded += record_subject_answered(tx, inbound.peer, probe, by_subject, now)
                jurisdictions = len(hosts(probe.area, tx.agencies.with_jurisdiction_in(bounding_boxes(probe.area))))
                tx.audit.append(
                    AuditEntry(
                        Action.FEDERATION_PROBE_ANSWER,
                        Outcome.SUCCESS,
                        None,
                        None,
                        "peer",
                        inbound.peer.id,
                        {
                            "peer": inbound.peer.name,
                            "ref": probe.ref,
                            "hits": len(hits),
                            "levels": sorted({h["operation"]["level_disclosed"] for h in hits}),
                            "operations": [h["operation"]["id"] for h in hits],
                            "recorded": recorded,
                            "subject_hits": len(subject_answers),
                            "jurisdictions": jurisdictions,
                        },
                    ),
                    now,
                )
        if not fresh:
            self._refuse("replay", inbound.peer, "this nonce was used before")
        extra = {"subject_hits": subject_answers} if probe.subjects is not None else {}
        return {"installation": self.name, "ref": probe.ref, "hits": hits, "jurisdictions": jurisdictions, **extra}

    @staticmethod
    def _hits(tx: Transaction, probe: Probe) -> list[tuple[Operation, dict[str, Any]]]:
        viewer = Viewer(None, probe.agency_level)
        hits: list[tuple[Operation, dict[str, Any]]] = []
        widest_m, widest_min = tx.agencies.reach()
        for other in tx.operations.candidates(probe.area, probe.window, probe_reach(probe, widest_m, widest_min), None):
            owner = tx.agencies.get(other.agency_id)
            found = None if owner is None else remote_finding(probe, other, owner.policy)
            if owner is None or found is None:
                continue
            view = disclose_operation(other, owner, viewer, Context.FEDERATION, probe.purpose)
            hits.append(
                (other, {"operation": view.to_dict(), "distance_m": found[0], "overlap": window_dict(found[1])})
            )
        return hits

    def check(self, who: Principal, view: OperationView, op: Operation | None = None, *, new: bool = False) -> Checked:
        """Probe every peer at once about a submitted operation; a silent or wrong peer is ``unchecked``.

        ``op`` is the operation as stored, when the caller has it in hand (else it is read here);
        ``new`` when it was just entered (no probe about it came before)."""
        peers = self.known_peers()
        if not peers:
            return Checked([], [], [])
        policy = who.agency.policy
        purpose = view.operational.purpose if view.operational else None
        if purpose is None:
            raise InvalidInput("purpose", "the submitter's own view carries the purpose")
        if op is None:
            with self.store.read() as tx:
                op = tx.operations.get(view.id)
        carried = None if op is None else disclose_to_peer(op, who.agency).to_dict()
        probe = Probe(
            view.id,
            view.area,
            view.window,
            policy.proximity_m,
            policy.time_buffer_min,
            purpose,
            who.agency.level,
            carried,
            None if op is None else probe_subjects(op.subjects, policy.restricted_purposes, who.agency.missions),
        )
        payload = probe.to_dict()
        answers: dict[str, dict[str, Any] | None] = {}
        pool = self.probe_pool()
        futures = {pool.submit(self._ask, peer, payload): peer for peer in peers}
        wait(futures, timeout=self.timeout_seconds)  # a peer still talking is unchecked
        for future, peer in futures.items():
            # One still queued never starts; one still running ends at its own timeout.
            if future.cancel() or not future.done():
                answers[peer.name] = None
            elif (error := future.exception()) is not None:
                log.error("probing peer %s failed", peer.name, exc_info=error)
                answers[peer.name] = None
            else:
                answers[peer.name] = future.result()
        checked = sorted(name for name, a in answers.items() if a is not None)
        unchecked = sorted(name for name, a in answers.items() if a is None)
        hits = [
            {"installation": {"name": name}, **hit} for name in checked for hit in (answers[name] or {}).get("hits", [])
        ]
        now = self.clock.now()
        recorded: dict[str, int] = {}
        with self.store.write() as tx:  # one unit for the statuses, the pairs and the record, whatever the peer count
            for peer in peers:
                answer = answers[peer.name]
                note_contact(tx, peer, answer is not None, now)
                if answer is not None:
                    recorded[peer.name] = record_asked(tx, view.id, who.agency.id, peer, answer["hits"], now)
                    recorded[peer.name] += record_subject_asked(
                        tx, view.id, who.agency.id, peer, answer.get("subject_hits"), now
                    )
            answered = {n: a is not None for n, a in answers.items()}
            note_answers(tx, op, peers, answered, now, self.reprobe_seconds, new=new)
            pairs = tuple(tx.remote_conflicts.open_for(view.id))
            # A new operation's notices go out after this (``after_check``): no peer has been told yet.
            told = frozenset(tx.remote_notices.told(view.id)) if checked and not new else frozenset()
            tx.audit.append(
                who.entry(
                    Action.FEDERATION_PROBE_SEND,
                    object_type="operation",
                    object_id=view.id,
                    checked=checked,
                    unchecked=unchecked,
                    hits={name: len((answers[name] or {}).get("hits", [])) for name in checked},
                    recorded=recorded,
                    subjects_sent=0 if probe.subjects is None else len(probe.subjects.encodings),
                ),
                now,
            )
        hosting = tuple(name for name in checked if _count((answers[name] or {}).get("jurisdictions")) > 0)
        return Checked(checked, unchecked, hits, hosting, pairs, told)

    def ask(self, peer: Peer, payload: Mapping[str, Any]) -> dict[str, Any] | None:
        """One peer's answer to one probe, or ``None``: what the re-probe of an unchecked peer sends."""
        return self._ask(peer, payload)

    def _ask(self, peer: Peer, payload: Mapping[str, Any]) -> dict[str, Any] | None:
        """One peer's answer, or ``None`` (audited when refused) when it cannot be trusted as one."""
        try:
            answer = self.call(peer, "/probe", payload)
            hits = answer.get("hits")
            if answer.get("ref") != payload["ref"] or not isinstance(hits, list):
                raise SignatureRefused("malformed: the answer is not an answer to this probe")
        except DeliveryError as exc:
            log.warning("peer %s could not be checked: %s", peer.name, exc)
            return None
        except (SignatureRefused, ValueError, KeyError) as exc:
            log.warning("peer %s answered something refused: %s", peer.name, exc)
            with self.store.write() as tx:
                tx.audit.append(
                    AuditEntry(
                        Action.FEDERATION_REFUSE,
                        Outcome.DENIED,
                        None,
                        None,
                        "peer",
                        peer.id,
                        {"reason": _reason(str(exc)), "peer": peer.name, "direction": "answer"},
                    ),
                    self.clock.now(),
                )
            return None
        return answer


@dataclass
class Federation(Probing):
    store: Store
    clock: Clock
    link: FederationLink
    name: str
    url: str
    max_age_seconds: float
    timeout_seconds: float
    fixed_key: str | None = None  # from COMMONGROUND_FEDERATION_KEY_FILE
    reprobe_seconds: float = 10.0  # COMMONGROUND_FEDERATION_REPROBE_SECONDS: the first wait before asking again
    _key: str | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _peers: tuple[float, list[Peer]] | None = field(default=None, init=False, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _nonces_pruned: float = field(default=-NONCE_PRUNE_S, init=False, repr=False)

    def nonces_due(self) -> bool:
        """Whether to forget old nonces now: once a ``NONCE_PRUNE_S`` per process, not in every answer's unit."""
        now = time.monotonic()
        if now - self._nonces_pruned < NONCE_PRUNE_S:
            return False
        self._nonces_pruned = now
        return True

    def probe_pool(self) -> ThreadPoolExecutor:
        """The probe threads, kept for the process's life (made on the first probe, ended by ``close``)."""
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=PROBE_THREADS, thread_name_prefix="probe")
        return self._pool

    def close(self) -> None:
        """End the probe threads and the peers' kept connections (at shutdown)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self.link.close()

    # --- identity -------------------------------------------------------------------------
    def private_key(self) -> str:
        """Return the installation's private key, making and keeping one on first use."""
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = self.fixed_key or self._stored_key()
        return self._key

    def _stored_key(self) -> str:
        with self.store.read() as tx:
            found = tx.peers.own_key()
        if found is not None:
            return found
        with self.store.write() as tx:
            return tx.peers.set_own_key(self.link.new_private_key(), self.clock.now())

    def public_key(self) -> str:
        return self.link.public_key(self.private_key())

    def identity(self) -> dict[str, str]:
        return {"name": self.name, "url": self.url, "public_key": self.public_key()}

    # --- peers (installation admin) ---------------------------------------------------------
    @staticmethod
    def _admin(who: Principal) -> None:
        if not who.may(Permission.INSTALLATION_ADMIN):
            raise NotPermitted("only the installation admin manages peers")

    def add_peer(self, who: Principal | None, body: Mapping[str, Any]) -> dict[str, Any]:
        """Register a peer installation; refuse a bad name, URL or key, and a duplicate (409).

        ``who`` is ``None`` for the operator at the command line (who holds the database)."""
        if who is not None:
            self._admin(who)
        peer = self._valid_peer(body)
        details = {"name": peer.name, "url": peer.url, "public_key": peer.public_key}
        if who is None:
            entry = AuditEntry(Action.PEER_ADD, Outcome.SUCCESS, None, None, "peer", peer.id, {**details, "via": "cli"})
        else:
            entry = who.entry(Action.PEER_ADD, object_type="peer", object_id=peer.id, **details)
        with self.store.write() as tx:
            if not tx.peers.add(peer):
                raise StateConflict("a peer with that name or key is already registered")
            tx.audit.append(entry, peer.created_at)
        self._forget_peers()
        return peer_public(peer)

    def _valid_peer(self, body: Mapping[str, Any]) -> Peer:
        values: dict[str, str] = {}
        for name in ("name", "url", "public_key"):
            value = body.get(name)
            if not isinstance(value, str) or not value:
                raise InvalidInput(name, "is required")
            values[name] = value
        try:
            check_name(values["name"])
        except ValueError as exc:
            raise InvalidInput("name", str(exc)) from exc
        try:
            url = check_peer_url(values["url"])
        except ValueError as exc:
            raise InvalidInput("url", str(exc)) from exc
        try:
            decode_key(values["public_key"])
        except ValueError as exc:
            raise InvalidInput("public_key", str(exc)) from exc
        if values["public_key"] == self.public_key():
            raise InvalidInput("public_key", "is this installation's own key")
        return Peer(new_id(), values["name"], url, values["public_key"], PeerStatus.UNKNOWN, None, self.clock.now())

    def peers(self, who: Principal) -> list[dict[str, Any]]:
        self._admin(who)
        with self.store.read() as tx:
            return [peer_public(p) for p in tx.peers.all()]

    def remove_peer(self, who: Principal, peer_id: str) -> None:
        self._admin(who)
        with self.store.write() as tx:
            peer = tx.peers.get(peer_id)
            if peer is None or not tx.peers.remove(peer_id):
                raise NotFound("no such peer")
            tx.audit.append(
                who.entry(Action.PEER_REMOVE, object_type="peer", object_id=peer_id, name=peer.name), self.clock.now()
            )
        self._forget_peers()

    def known_peers(self) -> list[Peer]:
        """The peers to probe, read at most once a ``PEERS_TTL_S``: a submission with no peers costs nothing.

        A change made in this process is seen at once; one made by another process of the same
        installation within ``PEERS_TTL_S``."""
        now = time.monotonic()
        cached = self._peers
        if cached is None or now - cached[0] > PEERS_TTL_S:
            with self.store.read() as tx:
                cached = self._peers = (now, tx.peers.all())
        return cached[1]

    def _forget_peers(self) -> None:
        self._peers = None

    # --- signed messages ------------------------------------------------------------------
    def receive(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> Inbound:
        """Verify a peer's signed request; refuse (audited) an unknown key, an altered, old or replayed one."""
        try:
            key = self.link.signer_key(headers)
        except SignatureRefused as exc:
            self._refuse("malformed", None, str(exc))
        peer = next((p for p in self.known_peers() if p.public_key == key), None)
        if peer is None:  # perhaps registered since the list was read: ask the store
            with self.store.read() as tx:
                peer = tx.peers.by_key(key)
        if peer is None:
            self._refuse("unknown-key", None, "no registered peer holds this key", key=key)
        try:
            signed = self.link.verify(peer.public_key, method, url, headers, body, self.max_age_seconds)
        except SignatureRefused as exc:
            self._refuse(_reason(str(exc)), peer, str(exc))
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            self._refuse("malformed", peer, "the body is not a JSON object")
        return Inbound(peer, parsed, signed.nonce)

    def _refuse(self, reason: str, peer: Peer | None, message: str, **details: object) -> NoReturn:
        """Audit a refusal, then raise it (after the unit, so the record survives)."""
        entry = refusal(reason, peer=peer.name if peer else None, **details)
        with self.store.write() as tx:
            tx.audit.append(
                AuditEntry(entry.action, entry.outcome, None, None, "peer", peer.id if peer else None, entry.details),
                self.clock.now(),
            )
        raise SignatureRefused(f"federation request refused: {message}")

    def refuse_replay(self, peer: Peer, endpoint: str) -> NoReturn:
        """Audit and refuse a request whose nonce this installation already accepted (401)."""
        self._refuse("replay", peer, "this nonce was used before", endpoint=endpoint)

    def reply(self, method: str, url: str, status: int, payload: Mapping[str, Any]) -> tuple[dict[str, str], bytes]:
        """Sign an answer to a peer's request: the same method and path, and the status, are covered."""
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        headers = self.link.sign(self.private_key(), method, url, {"Content-Type": JSON_TYPE}, body, status)
        return headers, body

    def call(self, peer: Peer, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST a signed request to a peer and return its verified JSON answer.

        Raise ``DeliveryError`` when it did not answer and ``SignatureRefused`` when its answer
        does not verify; neither is ever read as "nothing found"."""
        url = f"{peer.url}{WIRE_PREFIX}{path}"
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        headers = self.link.sign(self.private_key(), "POST", url, {"Content-Type": JSON_TYPE}, body)
        answer = self.link.post(url, headers, body, self.timeout_seconds)
        if answer.status != 200:
            raise SignatureRefused(f"peer {peer.name} answered {answer.status}")
        try:
            signed = self.link.verify(
                peer.public_key, "POST", url, answer.headers, answer.body, self.max_age_seconds, 200
            )
        except SignatureRefused:
            if self.link.signer_key(answer.headers) != peer.public_key:  # read only to say why
                raise SignatureRefused(f"peer {peer.name} answered with another key") from None
            raise
        if signed.key != peer.public_key:
            raise SignatureRefused(f"peer {peer.name} answered with another key")
        parsed = json.loads(answer.body)
        if not isinstance(parsed, dict):
            raise SignatureRefused(f"peer {peer.name} answered something other than a JSON object")
        return parsed


def _count(value: object) -> int:
    """A peer's count as an int; anything else (an older peer says nothing) is none."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _reason(message: str) -> str:
    for reason in ("digest", "too-old", "malformed"):
        if message.startswith(reason):
            return reason
    return "signature"

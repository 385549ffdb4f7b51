"""Dispatcher look-ups across installations: ask every peer at once, answer a peer's within its hourly limit."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action, Outcome
from commonground.domain.disclosure import Viewer, disclose_lookup_hit
from commonground.domain.errors import DeliveryError, InvalidInput, RateLimited, SignatureRefused
from commonground.domain.federation import Peer
from commonground.domain.federation_lookups import LookupAsk, parse_lookup_ask, remote_lookup_hit
from commonground.domain.geometry import point_area
from commonground.domain.views import LookupResult
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache
from commonground.service.federation import Federation, Inbound, refusal
from commonground.service.lookups import (
    DEFAULT_RADIUS_M,
    MAX_RADIUS_M,
    WINDOW,
    Lookups,
    near_details,
    operations_near,
    tell_team,
)
from commonground.service.peer_contact import note_contact
from commonground.service.ports import LookupRecord, Transaction
from commonground.service.principal import Principal

log = logging.getLogger(__name__)
LOOKUP_PATH = "/lookup"
ANSWERED_STATUS = re.compile(r" answered \d{3}$")  # Federation.call's words for an answer that is not a 200


def place_of(lat: float, lon: float) -> Keyed:
    """The look-up's place as the audit keeps it: a keyed hash, matchable across records, never the point."""
    return Keyed(f"{lat:.5f},{lon:.5f}")


def refusal_reason(message: str) -> str:
    """The audited reason for a refused answer, from the refusal's message (``status``: not a 200)."""
    if ANSWERED_STATUS.search(message):
        return "status"
    head = message.split(":", 1)[0]
    return head if head in ("digest", "too-old", "malformed", "signature") else "signature"


@dataclass(frozen=True, slots=True)
class FederatedLookup:
    """A look-up's answer here and from the peers: a peer that did not answer is ``unchecked``, never empty."""

    local: LookupResult
    remote: tuple[dict[str, Any], ...]
    checked: list[str]
    unchecked: list[str]

    def to_dict(self) -> dict[str, Any]:
        answer = self.local.to_dict()
        merged = [*(hit.to_dict() for hit in self.local.operations), *self.remote]
        merged.sort(key=lambda hit: float(hit["distance_m"]))  # stable: a tie keeps the local one first
        return {**answer, "operations": merged, "federation": {"checked": self.checked, "unchecked": self.unchecked}}


Answer = list[dict[str, Any]] | str  # a peer's hits, or why it is unchecked


def ask_all(peers: Sequence[Peer], ask: Callable[[Peer], Answer], timeout: float) -> dict[str, Answer]:
    """Ask every peer at once; one still talking after ``timeout`` seconds is ``"timeout"``, one failing ``"error"``."""
    pool = ThreadPoolExecutor(max_workers=min(len(peers), 16), thread_name_prefix="lookup")
    futures = {peer.name: pool.submit(ask, peer) for peer in peers}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False)  # a slow peer's thread ends at the link's own timeout
    answers: dict[str, Answer] = {}
    for name, future in futures.items():
        if not future.done():
            answers[name] = "timeout"
        elif future.exception() is not None:
            log.error("look-up to peer %s failed", name, exc_info=future.exception())
            answers[name] = "error"
        else:
            answers[name] = future.result()
    return answers


@dataclass
class FederatedLookups:
    lookups: Lookups
    federation: Federation
    limit_per_hour: int = 600  # answered look-ups per peer per hour

    # --- asking -----------------------------------------------------------------------------
    def lookup(
        self, who: Principal, lat: float, lon: float, radius_m: float | None, at: datetime | None
    ) -> FederatedLookup:
        """Look here (limits, audit and team notices as ever), then ask every peer at once."""
        local = self.lookups.lookup(who, lat, lon, radius_m, at)
        peers = self.federation.known_peers()
        if not peers:
            return FederatedLookup(local, (), [], [])
        radius = DEFAULT_RADIUS_M if radius_m is None else radius_m
        ask = LookupAsk(new_id(), lat, lon, radius, local.at, who.agency.name, who.agency.ori, who.agency.level)
        payload = ask.to_dict()
        answers = ask_all(peers, lambda peer: self._ask(peer, payload), self.federation.timeout_seconds)
        hits = {name: found for name, found in answers.items() if not isinstance(found, str)}
        why = {name: found for name, found in answers.items() if isinstance(found, str)}
        checked, unchecked = sorted(hits), sorted(why)
        remote = tuple(hit for name in checked for hit in hits[name])
        now = self.federation.clock.now()
        with self.federation.store.write() as tx:  # one unit: the peers' statuses and the record
            for peer in peers:
                answered = peer.name in hits
                note_contact(tx, peer, answered, now)
            tx.audit.append(
                who.entry(
                    Action.FEDERATION_LOOKUP_SEND,
                    object_type="lookup",
                    object_id=ask.ref,
                    place=place_of(lat, lon),
                    radius_m=radius,
                    checked=checked,
                    unchecked=unchecked,
                    hits={name: len(hits[name]) for name in checked},
                    why_unchecked=why,
                ),
                now,
            )
        return FederatedLookup(local, remote, checked, unchecked)

    def _ask(self, peer: Peer, payload: dict[str, object]) -> Answer:
        """One peer's hits, or why it is unchecked: ``unreachable``, ``limited`` or ``refused`` (audited)."""
        try:
            answer = self.federation.call(peer, LOOKUP_PATH, payload)
            items = answer.get("operations")
            if answer.get("ref") != payload["ref"] or not isinstance(items, list):
                raise SignatureRefused("malformed: the answer is not an answer to this look-up")
            return [remote_lookup_hit(peer.name, item) for item in items]
        except DeliveryError as exc:
            log.warning("peer %s could not be asked: %s", peer.name, exc)
            return "unreachable"
        except (SignatureRefused, ValueError) as exc:
            if str(exc).endswith(" answered 429"):  # the peer's limit: said so, not distrusted
                log.warning("peer %s refused the look-up: its hourly limit for this installation", peer.name)
                return "limited"  # the peer audited its refusal; nothing here to distrust
            log.warning("peer %s answered a look-up with something refused: %s", peer.name, exc)
            entry = refusal(refusal_reason(str(exc)), peer=peer.name)
            with self.federation.store.write() as tx:
                details = {**(entry.details or {}), "direction": "answer", "endpoint": "lookup"}
                tx.audit.append(
                    AuditEntry(entry.action, entry.outcome, None, None, "peer", peer.id, details),
                    self.federation.clock.now(),
                )
            return "refused"

    # --- answering --------------------------------------------------------------------------
    def answer(self, inbound: Inbound) -> dict[str, Any]:
        """Answer a peer's look-up at ``safety``, tell each team found that units are coming, count it."""
        ask = parse_lookup_ask(inbound.body, MAX_RADIUS_M)
        clock, peer = self.federation.clock, inbound.peer
        now = clock.now()
        if abs(ask.at - now) > self.lookups.at_window:
            minutes = round(self.lookups.at_window.total_seconds() / 60)
            raise InvalidInput("at", f"must be within {minutes} minutes of now")
        limited: RateLimited | None = None
        hits: list[dict[str, Any]] = []
        # One unit: the nonce, the count, the search, the teams' events and the record commit together.
        with self.federation.store.write() as tx:
            fresh = tx.peers.use_nonce(inbound.nonce, now)
            if fresh:
                tx.peers.prune_nonces(now - timedelta(seconds=2 * self.federation.max_age_seconds))
                note_contact(tx, peer, True, now)
                limited = self._limit(tx, peer, now)
                if limited is None:
                    hits = self._hits(tx, peer, ask, now)
                self._record(tx, peer, ask, hits, limited, now)
        if not fresh:
            self.federation.refuse_replay(peer, "lookup")
        if limited is not None:
            raise limited
        return {"installation": self.federation.name, "ref": ask.ref, "operations": hits}

    def _limit(self, tx: Transaction, peer: Peer, now: datetime) -> RateLimited | None:
        """The per-peer hourly limit, and the installation's: a peer's look-ups are kept under its id."""
        for whose, limit, (count, oldest) in (
            (f"installation {peer.name}", self.limit_per_hour, tx.lookups.since(peer.id, now - WINDOW)),
            ("this installation", self.lookups.installation_limit_per_hour, tx.lookups.since_overall(now - WINDOW)),
        ):
            if count >= limit:
                wait_s = ceil(((oldest or now) + WINDOW - now).total_seconds()) if oldest else 60
                return RateLimited(f"at most {limit} look-ups an hour for {whose}", max(1, wait_s))
        return None

    @staticmethod
    def _hits(tx: Transaction, peer: Peer, ask: LookupAsk, now: datetime) -> list[dict[str, Any]]:
        agencies = AgencyCache(tx)
        viewer = Viewer(None, ask.agency_level)
        place = point_area(ask.lat, ask.lon, 0.0, "lookup")
        hits: list[dict[str, Any]] = []
        for op, distance in operations_near(tx, place, ask.at, ask.radius_m):
            hits.append(disclose_lookup_hit(op, agencies(op.agency_id), viewer, distance).to_dict())
            by = {"by_agency": ask.agency_name, "by_ori": ask.agency_ori, "by_installation": peer.name}
            tell_team(tx, op, now, near_details(distance, ask.lat, ask.lon, **by))
        hits.sort(key=lambda hit: float(hit["distance_m"]))
        tx.lookups.add(LookupRecord(new_id(), peer.id, peer.id, now, ask.lat, ask.lon, ask.radius_m, len(hits)))
        return hits

    @staticmethod
    def _record(
        tx: Transaction,
        peer: Peer,
        ask: LookupAsk,
        hits: list[dict[str, Any]],
        limited: Exception | None,
        now: datetime,
    ) -> None:
        details: dict[str, object] = {
            "peer": peer.name,
            "ref": ask.ref,
            "by_agency": ask.agency_name,
            "by_ori": ask.agency_ori,
            "place": place_of(ask.lat, ask.lon),
            "radius_m": ask.radius_m,
        }
        if limited is not None:
            details["reason"] = "peer rate limit"
        else:
            details["hits"] = len(hits)
            details["levels"] = sorted({str(h["level_disclosed"]) for h in hits})
            details["operations"] = [h["id"] for h in hits]
        outcome = Outcome.DENIED if limited is not None else Outcome.SUCCESS
        tx.audit.append(AuditEntry(Action.FEDERATION_LOOKUP_ANSWER, outcome, None, None, "peer", peer.id, details), now)

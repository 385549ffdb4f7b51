"""A peer's status and last contact, as probes in both directions leave them on either store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.federation import Peer, PeerStatus
from commonground.service.clock import ManualClock
from commonground.service.federation import Inbound
from commonground.service.peer_contact import note_contact
from tests.integration.test_remote_conflict_delivery import federal_probe

START = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def kept(services: Services, peer_id: str) -> Peer:
    with services.store.read() as tx:
        peer = tx.peers.get(peer_id)
    assert peer is not None
    return peer


def answer(services: Services, peer_id: str) -> Peer:
    """Answer one probe from the peer as ``receive`` hands it over (the peer as last read), then re-read it."""
    services.federation.answer_probe(Inbound(kept(services, peer_id), federal_probe("fed-op"), uuid.uuid4().hex))
    return kept(services, peer_id)


def test_a_busy_peer_s_last_contact_is_kept_to_five_seconds_and_a_new_status_at_once(store_url: str) -> None:
    clock = ManualClock(START)
    timed = build_services(Settings(database_url=store_url), clock=clock)
    try:
        contacts(timed, clock)
    finally:
        timed.close()


def contacts(timed: Services, clock: ManualClock) -> None:
    peer = Peer(str(uuid.uuid4()), "feds", "https://feds.example.gov", "a" * 44, PeerStatus.UNKNOWN, None, START)
    with timed.store.write() as tx:
        assert tx.peers.add(peer)
    first = answer(timed, peer.id)
    assert (first.status, first.last_contact_at) == (PeerStatus.REACHABLE, START)
    clock.advance(timedelta(seconds=4))
    assert answer(timed, peer.id).last_contact_at == START  # within the grain: nothing written
    clock.advance(timedelta(seconds=1))
    assert answer(timed, peer.id).last_contact_at == START + timedelta(seconds=5)

    clock.advance(timedelta(seconds=1))
    with timed.store.write() as tx:  # a probe it did not answer
        note_contact(tx, kept(timed, peer.id), False, clock.now())
    silent = kept(timed, peer.id)
    assert (silent.status, silent.last_contact_at) == (PeerStatus.UNREACHABLE, START + timedelta(seconds=5))
    clock.advance(timedelta(seconds=1))
    back = answer(timed, peer.id)  # back within the grain of its last contact: kept at once
    assert (back.status, back.last_contact_at) == (PeerStatus.REACHABLE, START + timedelta(seconds=7))

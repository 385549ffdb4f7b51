"""What a contact with a peer leaves behind: its status and, when it answered, the time of it."""

from __future__ import annotations

from datetime import datetime

from commonground.domain.federation import Peer, PeerStatus, contact_news
from commonground.service.ports import Transaction


def note_contact(tx: Transaction, peer: Peer, reachable: bool, at: datetime) -> None:
    """In the contact's unit: keep how it went, unless that is what is kept already (``contact_news``)."""
    if contact_news(peer, reachable, at):
        status = PeerStatus.REACHABLE if reachable else PeerStatus.UNREACHABLE
        tx.peers.set_status(peer.id, status, at if reachable else None)

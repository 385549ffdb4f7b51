"""Federation: the installation's key, the peers it trusts, and the nonces it has accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from commonground.domain.federation import Peer, PeerStatus
from commonground.store.repository import Repository
from commonground.store.schema import federation_keys, federation_nonces, federation_peers

OWN = "installation"
# Built once, bound per call: these run in every probe's unit, on both sides.
_STATUS = update(federation_peers).where(federation_peers.c.id == bindparam("key"))
SET_STATUS = _STATUS.values(status=bindparam("status"))
SET_CONTACT = _STATUS.values(status=bindparam("status"), last_contact_at=bindparam("at"))
USE_NONCE = {
    name: dialect.insert(federation_nonces).on_conflict_do_nothing().returning(federation_nonces.c.nonce)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _peer(row: Any) -> Peer:
    return Peer(row.id, row.name, row.url, row.public_key, PeerStatus(row.status), row.last_contact_at, row.created_at)


class SqlPeers(Repository):
    def own_key(self) -> str | None:
        """Return the installation's private key (base64), if one was made."""
        row = self.conn.execute(select(federation_keys.c.private_key).where(federation_keys.c.name == OWN)).first()
        return None if row is None else str(row[0])

    def set_own_key(self, private_key: str, at: datetime) -> str:
        """Keep ``private_key`` unless another process made one first; return the one kept."""
        row = {"name": OWN, "private_key": private_key, "created_at": at}
        self.conn.execute(self.insert_ignore(federation_keys), row)
        kept = self.own_key()
        assert kept is not None
        return kept

    def add(self, peer: Peer) -> bool:
        """Insert unless a peer of that name or key exists; return whether it was new."""
        if self.by_name(peer.name) is not None or self.by_key(peer.public_key) is not None:
            return False
        self.conn.execute(
            insert(federation_peers),
            {
                "id": peer.id,
                "name": peer.name,
                "url": peer.url,
                "public_key": peer.public_key,
                "status": peer.status.value,
                "last_contact_at": peer.last_contact_at,
                "created_at": peer.created_at,
            },
        )
        return True

    def get(self, peer_id: str) -> Peer | None:
        row = self.conn.execute(select(federation_peers).where(federation_peers.c.id == peer_id)).first()
        return None if row is None else _peer(row)

    def by_name(self, name: str) -> Peer | None:
        row = self.conn.execute(select(federation_peers).where(federation_peers.c.name == name)).first()
        return None if row is None else _peer(row)

    def by_key(self, public_key: str) -> Peer | None:
        row = self.conn.execute(select(federation_peers).where(federation_peers.c.public_key == public_key)).first()
        return None if row is None else _peer(row)

    def all(self) -> list[Peer]:
        rows = self.conn.execute(select(federation_peers).order_by(federation_peers.c.name))
        return [_peer(r) for r in rows]

    def remove(self, peer_id: str) -> bool:
        done = self.conn.execute(
            delete(federation_peers).where(federation_peers.c.id == peer_id).returning(federation_peers.c.id)
        )
        return done.first() is not None

    def set_status(self, peer_id: str, status: PeerStatus, at: datetime | None) -> None:
        """Record how the last contact went; ``at`` (when it answered) is kept when ``None``."""
        if at is None:
            self.conn.execute(SET_STATUS, {"key": peer_id, "status": status.value})
        else:
            self.conn.execute(SET_CONTACT, {"key": peer_id, "status": status.value, "at": at})

    def use_nonce(self, nonce: str, at: datetime) -> bool:
        """Record a nonce; return False when it was seen before (a replay)."""
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT DO NOTHING.
        inserted = self.conn.execute(USE_NONCE[self.conn.dialect.name], {"nonce": nonce, "at": at})
        return inserted.first() is not None

    def prune_nonces(self, before: datetime) -> int:
        """Forget nonces accepted before ``before`` (older signatures are refused by age anyway)."""
        gone = self.conn.execute(
            delete(federation_nonces).where(federation_nonces.c.at < before).returning(federation_nonces.c.nonce)
        )
        return len(gone.all())

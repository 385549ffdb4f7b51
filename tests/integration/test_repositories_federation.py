"""Repository contract, federation: the installation's key, its peers and the nonce cache, on SQLite and PostGIS."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

from commonground.domain.federation import Peer, PeerStatus
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def peer(name: str, **kw: object) -> Peer:
    fields: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "name": name,
        "url": f"https://{name}.example.gov",
        "public_key": base64.b64encode(uuid.uuid4().bytes * 2).decode(),
        "status": PeerStatus.UNKNOWN,
        "last_contact_at": None,
        "created_at": T0.astimezone(CHICAGO),
    }
    fields.update(kw)
    return Peer(**fields)  # type: ignore[arg-type]


@covers("peers.own_key", "peers.set_own_key")
def test_the_first_key_kept_is_the_one_every_process_sees(store: Store) -> None:
    """A second process making a key on the same first start keeps the first one's."""
    with store.read() as tx:
        assert tx.peers.own_key() is None
    with store.write() as tx:
        assert tx.peers.set_own_key("first", T0) == "first"
    with store.write() as tx:
        assert tx.peers.set_own_key("second", T0) == "first"
    with store.read() as tx:
        assert tx.peers.own_key() == "first"


@covers("peers.add", "peers.get", "peers.by_name", "peers.by_key", "peers.all")
def test_a_peer_comes_back_field_for_field_and_a_duplicate_is_refused(store: Store) -> None:
    east, west = peer("city-east"), peer("county-west")
    with store.write() as tx:
        assert tx.peers.add(west) and tx.peers.add(east)
        assert not tx.peers.add(peer("city-east"))  # same name
        assert not tx.peers.add(peer("other", public_key=east.public_key))  # same key
    with store.read() as tx:
        got = tx.peers.get(east.id)
        assert got == east and got is not None and is_utc(got.created_at)
        assert tx.peers.by_name("county-west") == west
        assert tx.peers.by_key(east.public_key) == east
        assert tx.peers.get("nope") is None and tx.peers.by_name("nope") is None and tx.peers.by_key("x") is None
        assert [p.name for p in tx.peers.all()] == ["city-east", "county-west"]


@covers("peers.set_status", "peers.remove")
def test_status_keeps_the_last_contact_and_a_removed_peer_is_gone(store: Store) -> None:
    east = peer("city-east")
    with store.write() as tx:
        tx.peers.add(east)
        tx.peers.set_status(east.id, PeerStatus.REACHABLE, T0 + timedelta(minutes=1))
        tx.peers.set_status(east.id, PeerStatus.UNREACHABLE, None)
    with store.read() as tx:
        got = tx.peers.get(east.id)
        assert got is not None and got.status is PeerStatus.UNREACHABLE
        assert got.last_contact_at == T0 + timedelta(minutes=1) and is_utc(got.last_contact_at)
    with store.write() as tx:
        assert tx.peers.remove(east.id)
        assert not tx.peers.remove(east.id)
    with store.read() as tx:
        assert tx.peers.all() == []


@covers("peers.use_nonce", "peers.prune_nonces")
def test_a_nonce_is_accepted_once_until_it_is_pruned(store: Store) -> None:
    with store.write() as tx:
        assert tx.peers.use_nonce("n-old", T0)
        assert tx.peers.use_nonce("n-new", T0 + timedelta(minutes=5))
    with store.write() as tx:
        assert not tx.peers.use_nonce("n-old", T0 + timedelta(minutes=6))  # a replay, in another unit
        assert tx.peers.prune_nonces(T0 + timedelta(minutes=1)) == 1
    with store.write() as tx:
        assert tx.peers.use_nonce("n-old", T0 + timedelta(minutes=7))
        assert not tx.peers.use_nonce("n-new", T0 + timedelta(minutes=7))

"""Repository contract, kept first answers to keyed requests (Idempotency-Key), on SQLite and PostGIS."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from commonground.domain.retries import Replay
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def claim(owner: str = "owner-1", key: str = "key-1") -> Replay:
    return Replay(owner, key, "f" * 64, None, b"", "", T0.astimezone(CHICAGO))


@covers("replays.add", "replays.get", "replays.complete")
def test_a_key_is_claimed_once_and_keeps_its_answer(store: Store) -> None:
    with store.write() as tx:
        assert tx.replays.add(claim()) is True
        assert tx.replays.add(claim()) is False  # a second claim of the same key by the same owner
        assert tx.replays.add(claim(owner="owner-2")) is True  # another caller's key of the same name
    with store.write() as tx:
        tx.replays.complete("owner-1", "key-1", 201, b'{"id": "op-1"}', "application/json")
    with store.read() as tx:
        kept = tx.replays.get("owner-1", "key-1")
        other = tx.replays.get("owner-2", "key-1")
        assert tx.replays.get("owner-1", "key-2") is None
    assert kept is not None and kept.status == 201 and kept.body == b'{"id": "op-1"}'
    assert kept.content_type == "application/json" and kept.fingerprint == "f" * 64
    assert is_utc(kept.created_at) and kept.created_at == T0
    assert other is not None and other.status is None


@covers("replays.remove")
def test_a_released_key_can_be_claimed_again(store: Store) -> None:
    with store.write() as tx:
        tx.replays.add(claim())
    with store.write() as tx:
        tx.replays.remove("owner-1", "key-1")
    with store.read() as tx:
        assert tx.replays.get("owner-1", "key-1") is None
    with store.write() as tx:
        assert tx.replays.add(claim()) is True


@covers("replays.prune")
def test_answers_past_their_day_are_pruned_and_younger_ones_kept(store: Store) -> None:
    with store.write() as tx:
        tx.replays.add(claim(key="old"))
        tx.replays.add(replace(claim(key="new"), created_at=T0 + timedelta(hours=23)))
    with store.write() as tx:
        assert tx.replays.prune(T0 + timedelta(minutes=1)) == 1  # kept answers hold response bodies: they go
    with store.read() as tx:
        assert tx.replays.get("owner-1", "old") is None and tx.replays.get("owner-1", "new") is not None

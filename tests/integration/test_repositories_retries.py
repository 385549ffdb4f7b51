"""Repository contract, retries: one claim per (caller, key), its answer, take-over of a stale claim, purge."""

from __future__ import annotations

from datetime import timedelta

from commonground.domain.retries import Answer, Attempt
from commonground.service.ports import Store
from tests.integration.repository_kit import covers, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest

FIRST = Attempt("scope-a", "key-1", "f" * 64, T0)
ANSWER = Answer(201, "application/json", (("etag", '"1"'),), b"sealed \x00 bytes")


@covers("retries.claim", "retries.answer")
def test_a_key_is_claimed_once_per_caller_and_keeps_its_answer(store: Store) -> None:
    with store.write() as tx:
        assert tx.retries.claim(FIRST) is None
        assert tx.retries.claim(Attempt("scope-b", "key-1", "e" * 64, T0)) is None  # another caller's key
    with store.write() as tx:
        assert tx.retries.claim(Attempt("scope-a", "key-1", "0" * 64, T0 + timedelta(seconds=5))) == FIRST
        tx.retries.answer("scope-a", "key-1", ANSWER)
    with store.write() as tx:
        kept = tx.retries.claim(FIRST)
    assert kept is not None and kept.answer == ANSWER and kept.claimed_at == T0


@covers("retries.take_over", "retries.release")
def test_a_stale_claim_is_taken_over_once_and_a_released_one_is_gone(store: Store) -> None:
    later = Attempt("scope-a", "key-1", "1" * 64, T0 + timedelta(minutes=5))
    with store.write() as tx:
        tx.retries.claim(FIRST)
        assert tx.retries.take_over(FIRST, later)
        assert not tx.retries.take_over(FIRST, later)  # a second retry that saw the same stale claim loses
        assert tx.retries.claim(FIRST) == later
        tx.retries.release("scope-a", "key-1")
        assert tx.retries.claim(FIRST) is None


@covers("retries.purge")
def test_purge_deletes_keys_claimed_before_the_instant_only(store: Store) -> None:
    with store.write() as tx:
        tx.retries.claim(FIRST)
        tx.retries.claim(Attempt("scope-a", "key-2", "f" * 64, T0 + timedelta(days=1)))
        assert tx.retries.purge(T0 + timedelta(hours=1)) == 1
        assert tx.retries.claim(FIRST) is None
        assert tx.retries.claim(Attempt("scope-a", "key-2", "f" * 64, T0)) is not None

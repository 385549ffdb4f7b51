"""Safe retries when the first request never finished (issue 15, item 1), on both stores.

A process that dies between claiming an ``Idempotency-Key`` and keeping its answer leaves a claim
with no answer. A retry minutes later must run the request, not be told for 24 hours that the
first is "still under way"; a retry while the first may still be running is still refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commonground.domain.errors import InvalidInput, StateConflict
from commonground.domain.retention import RetentionRule
from commonground.service.clock import ManualClock
from commonground.service.ports import Store
from commonground.service.retention import NoAuditPruning, Retention
from commonground.service.retries import Retries
from tests.integration.repository_kit import postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def test_a_claim_left_by_a_dead_process_is_taken_over_by_a_later_retry(store: Store) -> None:
    clock = ManualClock(T0)
    retries = Retries(store, clock)
    assert retries.claim("owner", "key", "fp") is None  # the first request claims the key, then its process dies
    clock.advance(timedelta(seconds=20))
    with pytest.raises(StateConflict):
        retries.claim("owner", "key", "fp")  # it may still be running: refused, as before
    clock.advance(timedelta(minutes=10))
    with pytest.raises(InvalidInput):
        retries.claim("owner", "key", "another body")  # a different request never takes a key over
    assert retries.claim("owner", "key", "fp") is None  # long dead: the retry runs the request itself
    retries.keep("owner", "key", 201, b'{"id": "op-1"}', "application/json")
    clock.advance(timedelta(minutes=10))
    kept = retries.claim("owner", "key", "fp")
    assert kept is not None and kept.status == 201 and kept.body == b'{"id": "op-1"}'  # and its answer is kept


def test_the_purge_removes_kept_answers_past_their_day(store: Store) -> None:
    clock = ManualClock(T0)
    retries = Retries(store, clock)
    for key in ("yesterday", "today"):
        assert retries.claim("owner", key, "fp") is None
        retries.keep("owner", key, 201, b'{"title": "Warrant service"}', "application/json")
        clock.advance(timedelta(hours=20))
    purge = Retention(store, clock, RetentionRule(), NoAuditPruning())
    assert purge.purge(dry_run=True).replays == 1 and purge.purge().replays == 1  # a day old: its body goes
    with store.read() as tx:
        assert tx.replays.get("owner", "yesterday") is None and tx.replays.get("owner", "today") is not None

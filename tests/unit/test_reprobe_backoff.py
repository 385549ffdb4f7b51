"""The re-probe's backoff and plain words: a dead peer costs little, and the agency reads what happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from commonground.domain.reprobe import BACKOFF_CAP_FACTOR, checked_message, next_attempt, unchecked_message

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_the_wait_doubles_per_failed_attempt_and_stops_at_the_cap() -> None:
    waits = [next_attempt(AT, n, 10.0) - AT for n in range(1, 9)]
    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert waits[-1] == timedelta(seconds=10 * BACKOFF_CAP_FACTOR)
    assert all(a <= b for a, b in pairwise(waits))


def test_the_words_name_the_installation() -> None:
    assert unchecked_message("city") == "could not check installation city; will keep trying"
    assert checked_message("city", 0) == "installation city has now been checked: no conflicts found"
    assert checked_message("city", 1) == "installation city has now been checked: 1 conflict found"
    assert checked_message("city", 3) == "installation city has now been checked: 3 conflicts found"

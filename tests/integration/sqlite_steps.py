"""Count the SQLite virtual-machine steps a piece of store work takes: work done, not time taken.

A cost that grows with stored rows shows as steps that grow with them, on any machine, so a test
can fail on it without timing anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from commonground.service.ports import Transaction

T = TypeVar("T")


def steps_of(tx: Transaction, work: Callable[[], T]) -> tuple[int, T]:
    """Run ``work`` on ``tx``'s SQLite connection; return the steps it took and what it returned."""
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw = tx.lookups.conn.connection.dbapi_connection  # type: ignore[attr-defined]
    raw.set_progress_handler(step, 1)
    try:
        result = work()
    finally:
        raw.set_progress_handler(None, 1)
    return steps, result

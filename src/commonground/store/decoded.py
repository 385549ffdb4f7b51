"""Values already decoded from stored rows, by the exact raw row they came from (a bounded LRU).

A bearer token's row, with its holder and their agency, is read on every request, and decoding
it (the JSON policy, jurisdiction rings, UTC times) cost more than reading it. The row is still
read every time: a changed row is a different key and is decoded afresh, so nothing is ever
stale. Only SQLite's driver gives rows of plain strings and numbers to key by."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")
KEPT = 4096


class Decoded(Generic[T]):
    def __init__(self, kept: int = KEPT) -> None:
        self._rows: OrderedDict[tuple[Any, ...], T] = OrderedDict()
        self._kept = kept
        self._lock = Lock()

    def get(self, row: tuple[Any, ...]) -> T | None:
        with self._lock:
            found = self._rows.get(row)
            if found is not None:
                self._rows.move_to_end(row)
            return found

    def put(self, row: tuple[Any, ...], value: T) -> None:
        with self._lock:
            self._rows[row] = value
            while len(self._rows) > self._kept:
                self._rows.popitem(last=False)


def read_decoded(conn: Connection, memo: Decoded[T], sql: str, key: str, decode: Callable[[], T | None]) -> T | None:
    """The value of the row ``sql`` finds by ``key``, ``decode``d only when that exact row is new.

    On SQLite the raw row is read with the driver in the unit's own transaction (so ``decode``, if
    it runs, reads the same snapshot); elsewhere ``decode`` is all there is."""
    if conn.dialect.name != "sqlite":
        return decode()
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.execute(sql, (key,))
    try:  # closed at once: a statement left unfinished would hold its read snapshot open
        stored = cursor.fetchone()
    finally:
        cursor.close()
    if stored is None:
        return None
    found = memo.get(stored)
    if found is None:
        found = decode()
        if found is not None:
            memo.put(stored, found)
    return found

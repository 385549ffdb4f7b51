"""Group commit for SQLite's one writer: writers queue, share one transaction, pay one fsync.

Each writer runs alone (a thread lock, and ``flock`` between processes) inside its own
SAVEPOINT of one open transaction. When a writer finishes and nobody is waiting, it
commits the batch; every writer returns only after the commit that holds its work, so
nothing is acknowledged before it is on disk. A writer's own error rolls back only its
savepoint; a database error aborts the batch and every writer in it answers unavailable.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from commonground.domain.errors import DeconflictionUnavailable
from commonground.service.ports import Transaction
from commonground.store.memo import Memo

# Writers in a batch run one after another, so one savepoint name serves them all; plain
# SQL, because SQLAlchemy compiles its numbered savepoint statements anew for every writer.
SAVEPOINT, RELEASE, ROLLBACK_TO = "SAVEPOINT writer", "RELEASE SAVEPOINT writer", "ROLLBACK TO SAVEPOINT writer"
UNAVAILABLE = "the deconfliction store is unavailable; no check was made, try again"


class FileLock:
    """An exclusive ``flock`` beside the database, so several server processes queue too."""

    def __init__(self, database: str | None) -> None:
        self._path = f"{database}.writer" if database and database != ":memory:" else None
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._path is None:
            return
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


@dataclass
class _Batch:
    conn: Connection
    outer: RootTransaction
    memo: Memo = field(default_factory=Memo)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    def __init__(
        self, engine: Engine, make_tx: Callable[[Connection, Memo], Transaction], database: str | None
    ) -> None:
        self._engine = engine
        self._make_tx = make_tx
        self._conn: Connection | None = None  # kept between batches: no pool round trip per batch
        self._file = FileLock(database)
        self._turn = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self._batch: _Batch | None = None

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        with self._count:
            self._waiting += 1
        self._turn.acquire()
        with self._count:
            self._waiting -= 1
        batch: _Batch | None = None
        try:
            try:
                batch = self._open()
                batch.conn.exec_driver_sql(SAVEPOINT)
            except DBAPIError as exc:
                self._abort(exc)
                raise DeconflictionUnavailable(UNAVAILABLE) from exc
            try:
                tx = self._make_tx(batch.conn, batch.memo)
                yield tx
                tx.flush()
            except DBAPIError as exc:
                self._abort(exc)
                raise DeconflictionUnavailable(UNAVAILABLE) from exc
            except BaseException:
                batch.memo.forget()
                try:
                    batch.conn.exec_driver_sql(ROLLBACK_TO)
                    batch.conn.exec_driver_sql(RELEASE)
                except DBAPIError as exc:
                    self._abort(exc)
                raise
            try:
                batch.conn.exec_driver_sql(RELEASE)
            except DBAPIError as exc:
                self._abort(exc)
                raise DeconflictionUnavailable(UNAVAILABLE) from exc
        finally:
            with self._count:
                alone = self._waiting == 0
            if alone and self._batch is not None:
                self._commit()
            self._turn.release()
        assert batch is not None
        batch.done.wait()
        if batch.error is not None:
            raise DeconflictionUnavailable(UNAVAILABLE) from batch.error

    def _open(self) -> _Batch:
        if self._batch is None:
            self._file.acquire()
            try:
                if self._conn is None:
                    self._conn = self._engine.connect().execution_options(cg_write=True)
                self._batch = _Batch(self._conn, self._conn.begin())
            except BaseException:
                self._file.release()
                raise
        return self._batch

    def _finish(self, error: BaseException | None) -> None:
        batch, self._batch = self._batch, None
        if batch is None:
            return
        batch.error = error
        try:
            if error is not None:  # the connection may be broken: start the next batch on a new one
                self._conn = None
                batch.conn.close()
        finally:
            self._file.release()
            batch.done.set()

    def _commit(self) -> None:
        assert self._batch is not None
        try:
            self._batch.outer.commit()
        except DBAPIError as exc:
            self._rollback_quietly()
            self._finish(exc)
            return
        self._finish(None)

    def _abort(self, error: BaseException) -> None:
        self._rollback_quietly()
        self._finish(error)

    def close(self) -> None:
        with self._turn:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _rollback_quietly(self) -> None:
        if self._batch is None:
            return
        # A failed rollback means the connection is gone; closing it is all that is left.
        with contextlib.suppress(DBAPIError):
            self._batch.outer.rollback()

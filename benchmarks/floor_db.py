"""The floor apps' database: SQLite through SQLAlchemy, WAL and ``synchronous=FULL``, as Common Ground's."""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry


def durable_engine(path: str) -> Engine:
    """An engine whose every commit is on disk before it returns, as an audited request's must be."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _durable(dbapi: object, _: ConnectionPoolEntry) -> None:
        cursor = dbapi.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine

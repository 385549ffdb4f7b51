"""The installation's audit key: given from a file at start, or kept in the database and made on first use."""

from __future__ import annotations

import base64
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from commonground.store.schema import audit_keys

NAME = "audit"
KEY_BYTES = 32


def new_secret() -> str:
    """Return a fresh audit key, base64: 256 random bits."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def decode(secret: str) -> bytes:
    """Return the key bytes a stored or filed secret names; a short or malformed one is refused."""
    key = base64.b64decode(secret.strip(), validate=True)
    if len(key) < KEY_BYTES:
        raise ValueError(f"an audit key holds at least {KEY_BYTES} bytes")
    return key


class AuditKeyring:
    """Holds the key one store seals audit values with; every unit of that store shares it."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key

    def use(self, key: bytes) -> None:
        """Seal with ``key`` (from ``COMMONGROUND_AUDIT_KEY_FILE``) instead of the database's."""
        self._key = key

    def load(self, engine: Engine) -> None:
        """Read the database's key, making it if there is none, in a transaction of its own; keep it."""
        if self._key is None:
            with engine.begin() as conn:
                key = self.key(conn)
            self._key = key  # committed: safe to keep for the life of the store

    def key(self, conn: Connection) -> bytes:
        """Return the key, reading it on ``conn`` (or making it there) when none was loaded.

        What is read here is not kept: inside a unit of work (or a group-commit batch) the row
        may be uncommitted and roll back. ``load`` keeps it, once committed."""
        if self._key is not None:
            return self._key
        query = select(audit_keys.c.secret).where(audit_keys.c.name == NAME)
        row = conn.execute(query).first()
        if row is None:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            made = {"name": NAME, "secret": new_secret(), "created_at": datetime.now(UTC)}
            conn.execute(dialect.insert(audit_keys).on_conflict_do_nothing(), made)
            row = conn.execute(query).one()
        return decode(str(row[0]))


def load_or_create_file(path: str) -> bytes:
    """Return the key ``COMMONGROUND_AUDIT_KEY_FILE`` holds, writing a new one (mode 0600) when it is absent."""
    file = Path(path)
    if file.exists():
        return decode(file.read_text())
    file.parent.mkdir(parents=True, exist_ok=True)
    secret = new_secret()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return decode(secret)

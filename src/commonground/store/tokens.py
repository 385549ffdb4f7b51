"""Bearer tokens, stored as hashes, and the look-up that turns one into a principal."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from threading import Lock
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import sqlite

from commonground.domain.model import Agency, User
from commonground.domain.scopes import Scope
from commonground.service.ports import TokenRecord
from commonground.store import records
from commonground.store.repository import Repository
from commonground.store.schema import UTCDateTime, agencies, tokens, users

PRINCIPAL_BY_TOKEN = (
    select(tokens, users, agencies)
    .join(users, users.c.id == tokens.c.user_id)
    .join(agencies, agencies.c.id == users.c.agency_id)
    .where(tokens.c.token_hash == bindparam("key"), tokens.c.revoked_at.is_(None))
)


# The same look-up as plain SQL, for SQLite's driver itself: its rows are plain strings and numbers.
PRINCIPAL_SQL = str(PRINCIPAL_BY_TOKEN.compile(dialect=sqlite.dialect()))
DECODED_KEPT = 4096


class Decoded:
    """Principals already decoded, by the exact stored row they came from (a bounded LRU).

    A token is resolved on every request; decoding its row (JSON policy, rings, times) cost more
    than reading it. The row is still read every time, so a revocation or any change to the token,
    its holder or their agency is a different row and is decoded afresh: nothing is ever stale."""

    def __init__(self, kept: int = DECODED_KEPT) -> None:
        self._rows: OrderedDict[tuple[Any, ...], tuple[TokenRecord, User, Agency]] = OrderedDict()
        self._kept = kept
        self._lock = Lock()

    def get(self, row: tuple[Any, ...]) -> tuple[TokenRecord, User, Agency] | None:
        with self._lock:
            found = self._rows.get(row)
            if found is not None:
                self._rows.move_to_end(row)
            return found

    def put(self, row: tuple[Any, ...], found: tuple[TokenRecord, User, Agency]) -> None:
        with self._lock:
            self._rows[row] = found
            while len(self._rows) > self._kept:
                self._rows.popitem(last=False)


DECODED = Decoded()


def token_from(row: Mapping[Any, Any]) -> TokenRecord:
    scopes = row.get("scopes")
    return TokenRecord(
        row["id"],
        row["user_id"],
        row["name"],
        row["token_hash"],
        row["created_at"],
        row["expires_at"],
        None if scopes is None else frozenset(Scope(s) for s in scopes),
        row.get("lookup_limit_per_hour"),
    )


class SqlTokens(Repository):
    def add(self, token: TokenRecord) -> None:
        self.conn.execute(
            insert(tokens).values(
                id=token.id,
                user_id=token.user_id,
                name=token.name,
                token_hash=token.token_hash,
                created_at=token.created_at,
                expires_at=token.expires_at,
                scopes=None if token.scopes is None else sorted(token.scopes),
                lookup_limit_per_hour=token.lookup_limit_per_hour,
            )
        )

    def principal(self, token_hash: str) -> tuple[TokenRecord, User, Agency] | None:
        if self.conn.dialect.name != "sqlite":
            return self._decode(token_hash)
        # Read the raw row in this unit's own transaction (so the decode below, if needed, reads
        # the same snapshot) and decode it only when it is a row not seen before.
        raw = self.conn.connection.dbapi_connection
        assert raw is not None
        stored = raw.execute(PRINCIPAL_SQL, (token_hash,)).fetchone()
        if stored is None:
            return None
        found = DECODED.get(stored)
        if found is None:
            found = self._decode(token_hash)
            if found is None:
                return None
            DECODED.put(stored, found)
        return found

    def _decode(self, token_hash: str) -> tuple[TokenRecord, User, Agency] | None:
        row = self.conn.execute(PRINCIPAL_BY_TOKEN, {"key": token_hash}).first()
        if row is None:
            return None
        t, u, a = len(tokens.c), len(users.c), len(agencies.c)
        values = list(row)
        token_row = dict(zip(tokens.c.keys(), values[:t], strict=True))
        user_row = dict(zip(users.c.keys(), values[t : t + u], strict=True))
        agency_row = dict(zip(agencies.c.keys(), values[t + u : t + u + a], strict=True))
        return token_from(token_row), records.user_from(user_row), records.agency_from(agency_row)

    def of_agency(self, agency_id: str | None) -> list[tuple[TokenRecord, User, datetime | None]]:
        """Tokens with their holders and revocation times; every agency's when ``agency_id`` is None."""
        query = select(tokens, users).join(users, users.c.id == tokens.c.user_id).order_by(tokens.c.id)
        if agency_id is not None:
            query = query.where(users.c.agency_id == agency_id)
        out = []
        t = len(tokens.c)
        for row in self.conn.execute(query):
            values = list(row)
            token_row = dict(zip(tokens.c.keys(), values[:t], strict=True))
            user_row = dict(zip(users.c.keys(), values[t:], strict=True))
            revoked = UTCDateTime().process_result_value(token_row["revoked_at"], self.conn.dialect)
            out.append((token_from(token_row), records.user_from(user_row), revoked))
        return out

    def revoke(self, token_id: str, at: datetime) -> bool:
        result = self.conn.execute(
            update(tokens).where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None)).values(revoked_at=at)
        )
        return bool(result.rowcount)

    def revoke_of_user(self, user_id: str, at: datetime) -> int:
        result = self.conn.execute(
            update(tokens).where(tokens.c.user_id == user_id, tokens.c.revoked_at.is_(None)).values(revoked_at=at)
        )
        return int(result.rowcount)

"""Bearer tokens, stored as hashes, and the look-up that turns one into a principal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import sqlite

from commonground.domain.model import Agency, User
from commonground.domain.scopes import Scope
from commonground.service.ports import TokenRecord
from commonground.store import records
from commonground.store.decoded import Decoded, read_decoded
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
DECODED: Decoded[tuple[TokenRecord, User, Agency]] = Decoded()


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
        return read_decoded(self.conn, DECODED, PRINCIPAL_SQL, token_hash, lambda: self._decode(token_hash))

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

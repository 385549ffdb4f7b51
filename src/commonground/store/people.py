"""People who sign in, with their password hashes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from commonground.domain.model import User
from commonground.store import records
from commonground.store.repository import Repository, by_key
from commonground.store.schema import users

USER_BY_ID = by_key(users, "id")
USER_BY_NAME = by_key(users, "username")


class SqlPeople(Repository):
    def add(self, user: User, password_hash: str | None) -> None:
        self.conn.execute(insert(users), records.user_row(user, password_hash, datetime.now(UTC)))

    def get(self, user_id: str) -> User | None:
        row = self.conn.execute(USER_BY_ID, {"key": user_id}).mappings().first()
        return records.user_from(row) if row else None

    def by_username(self, username: str) -> tuple[User, str | None] | None:
        row = self.conn.execute(USER_BY_NAME, {"key": username}).mappings().first()
        return (records.user_from(row), row["password_hash"]) if row else None

    def count_with_role(self, role: str) -> int:
        rows: list[list[str]] = list(self.conn.execute(select(users.c.roles)).scalars())
        return sum(1 for roles in rows if role in roles)

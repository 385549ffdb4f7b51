"""People who sign in, with their password hashes, and the set-password tokens issued to them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, exists, func, insert, or_, select, update

from commonground.domain.model import User
from commonground.service.ports import Page, UserFilter
from commonground.store import records
from commonground.store.repository import Repository, by_key, page
from commonground.store.schema import password_resets, tokens, users

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

    def page(self, where: UserFilter, limit: int, after: str | None) -> Page[User]:
        query = select(users).order_by(users.c.username)
        if where.agency_id is not None:
            query = query.where(users.c.agency_id == where.agency_id)
        if where.disabled is not None:
            query = query.where(users.c.disabled.is_(where.disabled))
        if where.username_prefix:
            query = query.where(users.c.username.startswith(where.username_prefix, autoescape=True))
        if after is not None:
            query = query.where(users.c.username > after)
        if where.role is None:
            rows = self.conn.execute(query.limit(limit + 1)).mappings()
            return page([records.user_from(r) for r in rows], limit, "username")
        # Roles are a JSON list: filter in Python, reading no more than a page past the match.
        found: list[User] = []
        for row in self.conn.execute(query).mappings():
            if where.role in row["roles"]:
                found.append(records.user_from(row))
                if len(found) > limit:
                    break
        return page(found, limit, "username")

    def update(self, user: User) -> None:
        row = records.user_row(user, None, datetime.now(UTC))
        values = {k: row[k] for k in ("display_name", "roles", "phone", "email", "disabled", "expires_at")}
        self.conn.execute(update(users).where(users.c.id == user.id).values(values))

    def set_password(self, user_id: str, password_hash: str) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def add_reset(self, token_hash: str, user_id: str, created_at: datetime, expires_at: datetime) -> None:
        self.conn.execute(
            update(password_resets)
            .where(password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None))
            .values(used_at=created_at)
        )
        self.conn.execute(
            insert(password_resets).values(
                token_hash=token_hash, user_id=user_id, created_at=created_at, expires_at=expires_at
            )
        )

    def take_reset(self, token_hash: str, at: datetime) -> str | None:
        row = (
            self.conn.execute(select(password_resets).where(password_resets.c.token_hash == token_hash))
            .mappings()
            .first()
        )
        if row is None or row["used_at"] is not None or row["expires_at"] <= at:
            return None
        done = self.conn.execute(
            update(password_resets)
            .where(password_resets.c.token_hash == token_hash, password_resets.c.used_at.is_(None))
            .values(used_at=at)
        )
        return str(row["user_id"]) if done.rowcount else None

    def touch(self, user_id: str, at: datetime) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(last_active_at=at))

    def stale(self, before: datetime, now: datetime) -> list[User]:
        live_token = exists().where(
            tokens.c.user_id == users.c.id,
            tokens.c.revoked_at.is_(None),
            or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > now),
        )
        query = (
            select(users)
            .where(
                users.c.disabled.is_(False),
                func.coalesce(users.c.last_active_at, users.c.created_at) < before,
                ~live_token,
            )
            .order_by(users.c.username)
        )
        return [records.user_from(r) for r in self.conn.execute(query).mappings()]

    def expired(self, now: datetime) -> list[User]:
        query = (
            select(users)
            .where(and_(users.c.disabled.is_(False), users.c.expires_at.is_not(None), users.c.expires_at <= now))
            .order_by(users.c.username)
        )
        return [records.user_from(r) for r in self.conn.execute(query).mappings()]

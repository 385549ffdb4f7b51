"""Queries for console sign-in: second factors, lockouts and browser sessions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from commonground.domain.model import User
from commonground.service.signin_ports import Credential, SessionRecord
from commonground.store import records
from commonground.store.repository import Repository
from commonground.store.schema import console_credentials, console_sessions, signin_failures, users


def _credential(row: Any) -> Credential:
    return Credential(row["user_id"], row["totp_secret"], row["enrolled_at"], row["last_otp_step"], row["locked_at"])


def _session(row: Any) -> SessionRecord:
    return SessionRecord(
        row["id_hash"], row["user_id"], row["stage"], row["csrf"], row["created_at"], row["last_seen_at"]
    )


class SqlSignIn(Repository):
    def credential(self, user_id: str) -> Credential | None:
        row = (
            self.conn.execute(select(console_credentials).where(console_credentials.c.user_id == user_id))
            .mappings()
            .first()
        )
        return _credential(row) if row else None

    def put_credential(self, credential: Credential) -> None:
        values = asdict(credential)
        done = self.conn.execute(
            update(console_credentials).where(console_credentials.c.user_id == credential.user_id).values(values)
        )
        if not done.rowcount:
            self.conn.execute(insert(console_credentials).values(values))

    def delete_credential(self, user_id: str) -> None:
        self.conn.execute(delete(console_credentials).where(console_credentials.c.user_id == user_id))

    def add_failure(self, user_id: str, at: datetime, source: str = "") -> None:
        self.conn.execute(insert(signin_failures).values(user_id=user_id, at=at, source=source[:64]))

    def failures_since(self, user_id: str, since: datetime) -> int:
        query = (
            select(func.count())
            .select_from(signin_failures)
            .where(signin_failures.c.user_id == user_id, signin_failures.c.at > since)
        )
        return int(self.conn.execute(query).scalar_one())

    def failures_from(self, user_id: str, source: str, since: datetime) -> tuple[int, datetime | None]:
        query = select(func.count(), func.max(signin_failures.c.at)).where(
            signin_failures.c.user_id == user_id, signin_failures.c.source == source[:64], signin_failures.c.at > since
        )
        row = self.conn.execute(query).one()
        last: datetime | None = row[1]
        return int(row[0]), last

    def clear_failures(self, user_id: str) -> None:
        self.conn.execute(delete(signin_failures).where(signin_failures.c.user_id == user_id))

    def clear_failures_from(self, user_id: str, source: str) -> None:
        self.conn.execute(
            delete(signin_failures).where(signin_failures.c.user_id == user_id, signin_failures.c.source == source[:64])
        )

    def add_session(self, record: SessionRecord) -> None:
        self.conn.execute(insert(console_sessions).values(asdict(record)))

    def get_session(self, id_hash: str) -> SessionRecord | None:
        row = (
            self.conn.execute(select(console_sessions).where(console_sessions.c.id_hash == id_hash)).mappings().first()
        )
        return _session(row) if row else None

    def put_session(self, record: SessionRecord) -> None:
        self.conn.execute(
            update(console_sessions).where(console_sessions.c.id_hash == record.id_hash).values(asdict(record))
        )

    def delete_session(self, id_hash: str) -> None:
        self.conn.execute(delete(console_sessions).where(console_sessions.c.id_hash == id_hash))

    def delete_sessions_of(self, user_id: str) -> None:
        self.conn.execute(delete(console_sessions).where(console_sessions.c.user_id == user_id))

    def agency_users(self, agency_id: str) -> list[tuple[User, Credential | None]]:
        query = (
            select(
                users,
                console_credentials.c.totp_secret,
                console_credentials.c.enrolled_at,
                console_credentials.c.last_otp_step,
                console_credentials.c.locked_at,
                console_credentials.c.user_id.label("cred_user"),
            )
            .outerjoin(console_credentials, console_credentials.c.user_id == users.c.id)
            .where(users.c.agency_id == agency_id)
            .order_by(users.c.username)
        )
        out: list[tuple[User, Credential | None]] = []
        for row in self.conn.execute(query).mappings():
            cred = None
            if row["cred_user"] is not None:
                cred = Credential(
                    row["id"], row["totp_secret"], row["enrolled_at"], row["last_otp_step"], row["locked_at"]
                )
            out.append((records.user_from(row), cred))
        return out

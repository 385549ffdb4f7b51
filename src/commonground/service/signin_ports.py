"""What console sign-in needs from the store: second factors, failures per source, lockouts and browser sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from commonground.domain.model import User


@dataclass(frozen=True, slots=True)
class Credential:
    """A person's second factor and lockout state."""

    user_id: str
    totp_secret: str | None = None
    enrolled_at: datetime | None = None
    last_otp_step: int | None = None
    locked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A browser session; ``stage`` is ``banner`` → ``enrol`` → ``active``."""

    id_hash: str
    user_id: str | None
    stage: str
    csrf: str
    created_at: datetime
    last_seen_at: datetime


class SignInRepository(Protocol):
    def credential(self, user_id: str) -> Credential | None: ...
    def put_credential(self, credential: Credential) -> None: ...
    def delete_credential(self, user_id: str) -> None:
        """Forget the user's second factor, so the next sign-in enrols a new one."""

    def add_failure(self, user_id: str, at: datetime, source: str = "") -> None: ...
    def failures_since(self, user_id: str, since: datetime) -> int:
        """Failures after ``since`` from every source."""

    def failures_from(self, user_id: str, source: str, since: datetime) -> tuple[int, datetime | None]:
        """Failures after ``since`` from one source, and the time of the latest."""

    def clear_failures(self, user_id: str) -> None: ...
    def clear_failures_from(self, user_id: str, source: str) -> None: ...
    def add_session(self, record: SessionRecord) -> None: ...
    def get_session(self, id_hash: str) -> SessionRecord | None: ...
    def put_session(self, record: SessionRecord) -> None: ...
    def delete_session(self, id_hash: str) -> None: ...
    def delete_sessions_of(self, user_id: str) -> None: ...
    def agency_users(self, agency_id: str) -> list[tuple[User, Credential | None]]: ...

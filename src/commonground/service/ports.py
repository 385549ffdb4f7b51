"""What the use-cases need from the outside world, as typing Protocols."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

from commonground.audit.chain import AuditEntry
from commonground.audit.verify import StoredRecord
from commonground.domain.conflicts import SearchReach
from commonground.domain.model import Agency, Conflict, ConflictStatus, Operation, OperationStatus, User
from commonground.domain.policy import Policy


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next: str | None


@dataclass(frozen=True, slots=True)
class OperationFilter:
    agency_id: str
    active_at: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    status: OperationStatus | None = None
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class ConflictFilter:
    agency_id: str | None = None
    operation_created_by: str | None = None
    status: ConflictStatus | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime | None = None
    actor: str | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    user_id: str
    name: str
    token_hash: str
    created_at: datetime
    expires_at: datetime | None


class Transaction(Protocol):
    """One unit of work: everything or nothing, committed when the block ends cleanly."""

    # agencies and people
    def add_agency(self, agency: Agency) -> None: ...
    def get_agency(self, agency_id: str) -> Agency | None: ...
    def agency_by_ori(self, ori: str) -> Agency | None: ...
    def list_agencies(self, limit: int, after: str | None) -> Page[Agency]: ...
    def set_policy(self, agency_id: str, policy: Policy) -> None: ...
    def installation_reach(self) -> tuple[int, int]: ...
    def add_user(self, user: User, password_hash: str | None) -> None: ...
    def get_user(self, user_id: str) -> User | None: ...
    def user_by_username(self, username: str) -> tuple[User, str | None] | None: ...
    def count_users_with_role(self, role: str) -> int: ...
    def add_token(self, token: TokenRecord) -> None: ...
    def token_by_hash(self, token_hash: str) -> TokenRecord | None: ...

    # operations and conflicts
    def add_operation(self, op: Operation) -> None: ...
    def update_operation(self, op: Operation) -> None: ...
    def get_operation(self, operation_id: str) -> Operation | None: ...
    def list_operations(self, where: OperationFilter, limit: int, after: str | None) -> Page[Operation]: ...
    def candidates(self, op: Operation, reach: SearchReach) -> list[Operation]: ...
    def count_operations(self) -> int: ...
    def add_conflict(self, conflict: Conflict) -> bool: ...
    def update_conflict(self, conflict: Conflict) -> None: ...
    def get_conflict(self, conflict_id: str) -> Conflict | None: ...
    def conflicts_of(self, operation_id: str) -> list[Conflict]: ...
    def list_conflicts(self, where: ConflictFilter, limit: int, after: str | None) -> Page[Conflict]: ...

    # audit
    def append_audit(self, entry: AuditEntry, at: datetime) -> None: ...
    def audit_records(self, where: AuditFilter, limit: int, after: int | None) -> Page[StoredRecord]: ...
    def all_audit_records(self) -> Iterator[StoredRecord]: ...


class Store(Protocol):
    def write(self) -> AbstractContextManager[Transaction]: ...
    def read(self) -> AbstractContextManager[Transaction]: ...
    def close(self) -> None: ...

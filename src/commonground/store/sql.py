"""The transaction code both SQL stores share; each store adds its candidate index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Select, and_, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.sql.elements import ColumnElement

from commonground.audit.chain import GENESIS, AuditEntry, seal
from commonground.audit.verify import StoredRecord
from commonground.domain.conflicts import SearchReach
from commonground.domain.errors import DeconflictionUnavailable
from commonground.domain.model import Agency, Conflict, Operation, OperationStatus, User
from commonground.domain.policy import Policy
from commonground.service.ports import (
    AuditFilter,
    ConflictFilter,
    OperationFilter,
    Page,
    TokenRecord,
    Transaction,
)
from commonground.store import records
from commonground.store.schema import agencies, audit_log, conflicts, operations, tokens, users

LIVE = (OperationStatus.PLANNED.value, OperationStatus.ACTIVE.value)


def _page(items: list[Any], limit: int, key: str = "id") -> Page[Any]:
    if len(items) > limit:
        items = items[:limit]
        return Page(items, str(getattr(items[-1], key)))
    return Page(items, None)


class SqlTransaction(Transaction):
    """Core-SQL repository methods over one open connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- agencies and people ---------------------------------------------------------
    def add_agency(self, agency: Agency) -> None:
        self.conn.execute(insert(agencies).values(records.agency_row(agency)))

    def get_agency(self, agency_id: str) -> Agency | None:
        row = self.conn.execute(select(agencies).where(agencies.c.id == agency_id)).mappings().first()
        return records.agency_from(row) if row else None

    def agency_by_ori(self, ori: str) -> Agency | None:
        row = self.conn.execute(select(agencies).where(agencies.c.ori == ori)).mappings().first()
        return records.agency_from(row) if row else None

    def list_agencies(self, limit: int, after: str | None) -> Page[Agency]:
        query = select(agencies).order_by(agencies.c.id).limit(limit + 1)
        if after:
            query = query.where(agencies.c.id > after)
        return _page([records.agency_from(r) for r in self.conn.execute(query).mappings()], limit)

    def set_policy(self, agency_id: str, policy: Policy) -> None:
        self.conn.execute(
            update(agencies)
            .where(agencies.c.id == agency_id)
            .values(
                policy=policy.to_dict(),
                policy_version=policy.version,
                proximity_m=policy.proximity_m,
                time_buffer_min=policy.time_buffer_min,
            )
        )

    def installation_reach(self) -> tuple[int, int]:
        row = self.conn.execute(select(func.max(agencies.c.proximity_m), func.max(agencies.c.time_buffer_min))).one()
        return (int(row[0] or 0), int(row[1] or 0))

    def add_user(self, user: User, password_hash: str | None) -> None:
        self.conn.execute(insert(users).values(records.user_row(user, password_hash, datetime.now(UTC))))

    def get_user(self, user_id: str) -> User | None:
        row = self.conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
        return records.user_from(row) if row else None

    def user_by_username(self, username: str) -> tuple[User, str | None] | None:
        row = self.conn.execute(select(users).where(users.c.username == username)).mappings().first()
        return (records.user_from(row), row["password_hash"]) if row else None

    def count_users_with_role(self, role: str) -> int:
        rows = self.conn.execute(select(users.c.roles)).scalars()
        return sum(1 for roles in rows if role in roles)

    def add_token(self, token: TokenRecord) -> None:
        self.conn.execute(
            insert(tokens).values(
                id=token.id,
                user_id=token.user_id,
                name=token.name,
                token_hash=token.token_hash,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        row = (
            self.conn.execute(
                select(tokens).where(tokens.c.token_hash == token_hash, tokens.c.revoked_at.is_(None))
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return TokenRecord(row["id"], row["user_id"], row["name"], row["token_hash"], row["created_at"], row["expires_at"])

    # --- operations ------------------------------------------------------------------
    def add_operation(self, op: Operation) -> None:
        seq = self.conn.execute(insert(operations).values(records.operation_row(op))).inserted_primary_key
        assert seq is not None
        self._index(int(seq[0]), op)

    def update_operation(self, op: Operation) -> None:
        row = records.operation_row(op)
        seq = self.conn.execute(
            update(operations).where(operations.c.id == op.id).values(row).returning(operations.c.seq)
        ).scalar_one()
        self._reindex(int(seq), op)

    def get_operation(self, operation_id: str) -> Operation | None:
        row = self.conn.execute(select(operations).where(operations.c.id == operation_id)).mappings().first()
        return records.operation_from(row) if row else None

    def list_operations(self, where: OperationFilter, limit: int, after: str | None) -> Page[Operation]:
        query = select(operations).where(operations.c.agency_id == where.agency_id)
        if where.created_by:
            query = query.where(operations.c.created_by == where.created_by)
        if where.status:
            query = query.where(operations.c.status == where.status.value)
        if where.active_at:
            query = query.where(operations.c.starts_at <= where.active_at, operations.c.ends_at > where.active_at)
        if where.bbox:
            query = query.where(self._bbox_clause(where.bbox))
        if after:
            query = query.where(operations.c.id > after)
        query = query.order_by(operations.c.id).limit(limit + 1)
        return _page([records.operation_from(r) for r in self.conn.execute(query).mappings()], limit)

    def candidates(self, op: Operation, reach: SearchReach) -> list[Operation]:
        query = self._candidate_query(op, reach).where(
            operations.c.status.in_(LIVE), operations.c.id != op.id
        )
        return [records.operation_from(r) for r in self.conn.execute(query).mappings()]

    def count_operations(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(operations)).scalar_one())

    # The spatial index is the part each store supplies.
    def _index(self, seq: int, op: Operation) -> None:
        raise NotImplementedError

    def _reindex(self, seq: int, op: Operation) -> None:
        raise NotImplementedError

    def _candidate_query(self, op: Operation, reach: SearchReach) -> Select[Any]:
        raise NotImplementedError

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
        raise NotImplementedError

    # --- conflicts -------------------------------------------------------------------
    def add_conflict(self, conflict: Conflict) -> bool:
        """Insert unless the pair is already recorded; return whether it was new."""
        existing = self.conn.execute(
            select(conflicts.c.id).where(
                conflicts.c.kind == conflict.kind.value,
                conflicts.c.operation_a == conflict.operation_a,
                conflicts.c.operation_b == conflict.operation_b,
            )
        ).first()
        if existing is not None:
            return False
        self.conn.execute(insert(conflicts).values(records.conflict_row(conflict)))
        return True

    def update_conflict(self, conflict: Conflict) -> None:
        self.conn.execute(update(conflicts).where(conflicts.c.id == conflict.id).values(records.conflict_row(conflict)))

    def get_conflict(self, conflict_id: str) -> Conflict | None:
        row = self.conn.execute(select(conflicts).where(conflicts.c.id == conflict_id)).mappings().first()
        return records.conflict_from(row) if row else None

    def conflicts_of(self, operation_id: str) -> list[Conflict]:
        query = select(conflicts).where(
            (conflicts.c.operation_a == operation_id) | (conflicts.c.operation_b == operation_id)
        )
        return [records.conflict_from(r) for r in self.conn.execute(query).mappings()]

    def list_conflicts(self, where: ConflictFilter, limit: int, after: str | None) -> Page[Conflict]:
        query = select(conflicts)
        clauses: list[ColumnElement[bool]] = []
        if where.agency_id:
            clauses.append((conflicts.c.agency_a == where.agency_id) | (conflicts.c.agency_b == where.agency_id))
        if where.operation_created_by:
            mine = select(operations.c.id).where(operations.c.created_by == where.operation_created_by)
            clauses.append(conflicts.c.operation_a.in_(mine) | conflicts.c.operation_b.in_(mine))
        if where.status:
            clauses.append(conflicts.c.status == where.status.value)
        if after:
            clauses.append(conflicts.c.id > after)
        if clauses:
            query = query.where(and_(*clauses))
        query = query.order_by(conflicts.c.id).limit(limit + 1)
        return _page([records.conflict_from(r) for r in self.conn.execute(query).mappings()], limit)

    # --- audit -----------------------------------------------------------------------
    def _lock_audit_chain(self) -> None:
        """Serialise appends; SQLite's write lock already does."""

    def append_audit(self, entry: AuditEntry, at: datetime) -> None:
        self._lock_audit_chain()
        last = self.conn.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        self.conn.execute(
            insert(audit_log).values(
                seq=seq,
                at=at,
                actor_user_id=entry.actor_user_id,
                actor_agency_id=entry.actor_agency_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                outcome=entry.outcome,
                details=entry.details,
                prev_hash=prev,
                hash=seal(seq, at, entry, prev),
            )
        )

    def audit_records(self, where: AuditFilter, limit: int, after: int | None) -> Page[StoredRecord]:
        query = select(audit_log).order_by(audit_log.c.seq).limit(limit + 1)
        if where.since:
            query = query.where(audit_log.c.at >= where.since)
        if where.actor:
            query = query.where(audit_log.c.actor_user_id == where.actor)
        if where.action:
            query = query.where(audit_log.c.action == where.action)
        if after is not None:
            query = query.where(audit_log.c.seq > after)
        return _page([records.audit_from(r) for r in self.conn.execute(query).mappings()], limit, key="seq")

    def all_audit_records(self) -> Iterator[StoredRecord]:
        for row in self.conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings():
            yield records.audit_from(row)


class SqlStore:
    """Hands out transactions; store failures surface as ``DeconflictionUnavailable``."""

    transaction_class: ClassVar[type[SqlTransaction]] = SqlTransaction

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Transaction]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(cg_write=write)
                with conn.begin():
                    yield self.transaction_class(conn)
        except IntegrityError:
            raise
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError) and not exc.connection_invalidated:
                raise
            raise DeconflictionUnavailable(
                "the deconfliction store is unavailable; no check was made, try again"
            ) from exc

    def write(self) -> Any:
        return self._transaction(write=True)

    def read(self) -> Any:
        return self._transaction(write=False)

    def close(self) -> None:
        self.engine.dispose()

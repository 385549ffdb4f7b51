"""The transaction code both SQL stores share; each store adds its candidate index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import Engine, Select, Table, Update, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.sql.elements import ColumnElement

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
from commonground.store.console import ConsoleQueries
from commonground.store.notify import NotifyQueries
from commonground.store.schema import UTCDateTime, agencies, audit_log, conflicts, operations, tokens, users
from commonground.store.sharing import SharingQueries, SubjectQueries

LIVE = (OperationStatus.PLANNED.value, OperationStatus.ACTIVE.value)


def live_others(query: Select[Any]) -> Select[Any]:
    """Narrow a candidate query to live operations other than the one checked (``:exclude``)."""
    return query.where(operations.c.status.in_(LIVE), operations.c.id != bindparam("exclude"))


def _by(table: Table, column: str) -> Select[Any]:
    """A prebuilt SELECT on one key column: compiled once, bound per call."""
    return select(table).where(table.c[column] == bindparam("key"))


def _update_by_id(table: Table, skip: tuple[str, ...] = ()) -> Update:
    cols = [c.name for c in table.columns if c.name not in ("id", "seq", *skip)]
    return update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(c) for c in cols})


AGENCY_BY_ID = _by(agencies, "id")
AGENCY_BY_ORI = _by(agencies, "ori")
USER_BY_ID = _by(users, "id")
USER_BY_NAME = _by(users, "username")
OPERATION_BY_ID = _by(operations, "id")
CONFLICT_BY_ID = _by(conflicts, "id")
TOKEN_BY_HASH = _by(tokens, "token_hash").where(tokens.c.revoked_at.is_(None))
PRINCIPAL_BY_TOKEN = (
    select(tokens, users, agencies)
    .join(users, users.c.id == tokens.c.user_id)
    .join(agencies, agencies.c.id == users.c.agency_id)
    .where(tokens.c.token_hash == bindparam("key"), tokens.c.revoked_at.is_(None))
)
CONFLICTS_OF = select(conflicts).where(
    (conflicts.c.operation_a == bindparam("key")) | (conflicts.c.operation_b == bindparam("key"))
)
CONFLICT_PAIR = select(conflicts.c.id).where(
    conflicts.c.kind == bindparam("kind"),
    conflicts.c.operation_a == bindparam("a"),
    conflicts.c.operation_b == bindparam("b"),
)
UPDATE_OPERATION = _update_by_id(operations).returning(operations.c.seq)
UPDATE_CONFLICT = _update_by_id(conflicts)
INSERT_OPERATION = insert(operations)
INSERT_CONFLICT = insert(conflicts)
REACH = select(func.max(agencies.c.proximity_m), func.max(agencies.c.time_buffer_min))


def _token_from(row: Mapping[Any, Any]) -> TokenRecord:
    return TokenRecord(row["id"], row["user_id"], row["name"], row["token_hash"], row["created_at"], row["expires_at"])


def _bound(row: dict[str, Any]) -> dict[str, Any]:
    return {("b_id" if k == "id" else k): v for k, v in row.items()}


def _page(items: list[Any], limit: int, key: str = "id") -> Page[Any]:
    if len(items) > limit:
        items = items[:limit]
        return Page(items, str(getattr(items[-1], key)))
    return Page(items, None)


class SqlTransaction(SharingQueries, SubjectQueries, ConsoleQueries, NotifyQueries, Transaction):
    """Core-SQL repository methods over one open connection and transaction."""

    # --- agencies and people ---------------------------------------------------------
    def add_agency(self, agency: Agency) -> None:
        self.memo.forget_agencies()
        self.conn.execute(insert(agencies), records.agency_row(agency))

    def get_agency(self, agency_id: str) -> Agency | None:
        agency = self.memo.agencies.get(agency_id)
        if agency is None:
            row = self.conn.execute(AGENCY_BY_ID, {"key": agency_id}).mappings().first()
            if row is None:
                return None
            agency = self.memo.agencies[agency_id] = records.agency_from(row)
        return agency

    def agency_by_ori(self, ori: str) -> Agency | None:
        row = self.conn.execute(AGENCY_BY_ORI, {"key": ori}).mappings().first()
        return records.agency_from(row) if row else None

    def list_agencies(self, limit: int, after: str | None) -> Page[Agency]:
        query = select(agencies).order_by(agencies.c.id).limit(limit + 1)
        if after:
            query = query.where(agencies.c.id > after)
        return _page([records.agency_from(r) for r in self.conn.execute(query).mappings()], limit)

    def set_policy(self, agency_id: str, policy: Policy) -> None:
        self.memo.forget_agencies()
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

    def set_jurisdiction(self, agency_id: str, rings: tuple[tuple[tuple[float, float], ...], ...] | None) -> None:
        value = None if rings is None else [[list(p) for p in ring] for ring in rings]
        self.memo.forget_agencies()
        self.conn.execute(update(agencies).where(agencies.c.id == agency_id).values(jurisdiction=value))

    def installation_reach(self) -> tuple[int, int]:
        if self.memo.reach is None:
            row = self.conn.execute(REACH).one()
            self.memo.reach = (int(row[0] or 0), int(row[1] or 0))
        return self.memo.reach

    def add_user(self, user: User, password_hash: str | None) -> None:
        self.conn.execute(insert(users), records.user_row(user, password_hash, datetime.now(UTC)))

    def get_user(self, user_id: str) -> User | None:
        row = self.conn.execute(USER_BY_ID, {"key": user_id}).mappings().first()
        return records.user_from(row) if row else None

    def user_by_username(self, username: str) -> tuple[User, str | None] | None:
        row = self.conn.execute(USER_BY_NAME, {"key": username}).mappings().first()
        return (records.user_from(row), row["password_hash"]) if row else None

    def count_users_with_role(self, role: str) -> int:
        rows: list[list[str]] = list(self.conn.execute(select(users.c.roles)).scalars())
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

    def principal_for_token(self, token_hash: str) -> tuple[TokenRecord, User, Agency] | None:
        """Resolve a bearer token to its user and agency in one round trip."""
        row = self.conn.execute(PRINCIPAL_BY_TOKEN, {"key": token_hash}).first()
        if row is None:
            return None
        t, u, a = len(tokens.c), len(users.c), len(agencies.c)
        values = list(row)
        token_row = dict(zip(tokens.c.keys(), values[:t], strict=True))
        user_row = dict(zip(users.c.keys(), values[t : t + u], strict=True))
        agency_row = dict(zip(agencies.c.keys(), values[t + u : t + u + a], strict=True))
        token = _token_from(token_row)
        return token, records.user_from(user_row), records.agency_from(agency_row)

    def tokens_of_agency(self, agency_id: str | None) -> list[tuple[TokenRecord, User, datetime | None]]:
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
            out.append((_token_from(token_row), records.user_from(user_row), revoked))
        return out

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        result = self.conn.execute(
            update(tokens).where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None)).values(revoked_at=at)
        )
        return bool(result.rowcount)

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        row = self.conn.execute(TOKEN_BY_HASH, {"key": token_hash}).mappings().first()
        return None if row is None else _token_from(row)

    # --- operations ------------------------------------------------------------------
    def add_operation(self, op: Operation) -> None:
        seq = self.conn.execute(INSERT_OPERATION, records.operation_row(op)).inserted_primary_key
        assert seq is not None
        self._index(int(seq[0]), op)

    def update_operation(self, op: Operation) -> None:
        seq: int = self.conn.execute(UPDATE_OPERATION, _bound(records.operation_row(op))).scalar_one()
        self._reindex(int(seq), op)

    def get_operation(self, operation_id: str) -> Operation | None:
        row = self.conn.execute(OPERATION_BY_ID, {"key": operation_id}).mappings().first()
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
        query, params = self._candidate_query(op, reach)
        rows = self.conn.execute(query, {**params, "exclude": op.id}).mappings()
        return [records.operation_from(r) for r in rows]

    def count_operations(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(operations)).scalar_one())

    # The spatial index is the part each store supplies.
    def _index(self, seq: int, op: Operation) -> None:
        raise NotImplementedError

    def _reindex(self, seq: int, op: Operation) -> None:
        raise NotImplementedError

    def _candidate_query(self, op: Operation, reach: SearchReach) -> tuple[Select[Any], dict[str, Any]]:
        """The store's index query for live operations other than ``:exclude`` near ``op``, and its values."""
        raise NotImplementedError

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
        raise NotImplementedError

    # --- conflicts -------------------------------------------------------------------
    def add_conflict(self, conflict: Conflict, *, check_pair: bool = True) -> bool:
        """Insert unless the pair is already recorded; return whether it was new.

        ``check_pair=False`` when one operation is new in this transaction: no pair can exist.
        """
        if check_pair:
            pair = {"kind": conflict.kind.value, "a": conflict.operation_a, "b": conflict.operation_b}
            if self.conn.execute(CONFLICT_PAIR, pair).first() is not None:
                return False
        self.conn.execute(INSERT_CONFLICT, records.conflict_row(conflict))
        return True

    def update_conflict(self, conflict: Conflict) -> None:
        self.conn.execute(UPDATE_CONFLICT, _bound(records.conflict_row(conflict)))

    def get_conflict(self, conflict_id: str) -> Conflict | None:
        row = self.conn.execute(CONFLICT_BY_ID, {"key": conflict_id}).mappings().first()
        return records.conflict_from(row) if row else None

    def conflicts_of(self, operation_id: str) -> list[Conflict]:
        return [records.conflict_from(r) for r in self.conn.execute(CONFLICTS_OF, {"key": operation_id}).mappings()]

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
    def audit_records(self, where: AuditFilter, limit: int, after: int | None) -> Page[StoredRecord]:
        self.flush()
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
        self.flush()
        for row in self.conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings():
            yield records.audit_from(row)


class SqlStore:
    """Hands out transactions; store failures surface as ``DeconflictionUnavailable``."""

    transaction_class: ClassVar[type[SqlTransaction]] = SqlTransaction
    inline_reads = False

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Transaction]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(cg_write=write)
                with conn.begin():
                    tx = self.transaction_class(conn)
                    yield tx
                    tx.flush()
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

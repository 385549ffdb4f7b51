"""Operations and their place in the candidate index; each store supplies the index itself."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from commonground.domain.conflicts import SearchReach
from commonground.domain.geometry import Area
from commonground.domain.model import Operation, OperationStatus
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import OperationFilter, Page
from commonground.store import records
from commonground.store.repository import Repository, bound, by_key, page, update_by_id
from commonground.store.schema import operations, team_plates

LIVE = (OperationStatus.PLANNED.value, OperationStatus.ACTIVE.value)
OPERATION_BY_ID = by_key(operations, "id")
# restricted_by is only ever added to, by ``restrict``: an update from a stale copy cannot clear it.
UPDATE_OPERATION = update_by_id(operations, skip=("restricted_by",)).returning(operations.c.seq)
RESTRICTED_BY = select(operations.c.restricted_by).where(operations.c.id == bindparam("key"))
SET_RESTRICTED_BY = update(operations).where(operations.c.id == bindparam("key")).values(restricted_by=bindparam("to"))
INSERT_OPERATION = insert(operations)
# Bound to a value no operation id takes when nothing is excluded, so one statement serves both.
NOBODY = ""


def live_others(query: Select[Any]) -> Select[Any]:
    """Narrow a candidate query to live operations other than the one checked (``:exclude``)."""
    return query.where(operations.c.status.in_(LIVE), operations.c.id != bindparam("exclude"))


def _status_clauses(status: OperationStatus, now: datetime | None) -> list[ColumnElement[bool]]:
    """Return the clauses for ``status``: a live one is stored as ``planned`` and read off its window at ``now``.

    Without ``now`` the stored status is matched (the sweep walks what is stored).
    """
    c = operations.c
    if now is None or not status.is_live:
        return [c.status == status.value]
    window = {
        OperationStatus.PLANNED: [c.starts_at > now],
        OperationStatus.ACTIVE: [c.starts_at <= now, c.ends_at > now],
        OperationStatus.OVERDUE: [c.ends_at <= now],
    }[status]
    return [c.status.in_(LIVE), *window]


def _same_state(state: str | None) -> list[ColumnElement[bool]]:
    """A plate asked with a state matches that state, or a declared plate given without one."""
    if state is None:
        return []
    return [or_(team_plates.c.state.is_(None), team_plates.c.state == state)]


class SqlOperations(Repository):
    def add(self, op: Operation) -> None:
        row = {**records.operation_row(op), "restricted_by": sorted(op.restricted_by)}
        seq = self.conn.execute(INSERT_OPERATION, row).inserted_primary_key
        assert seq is not None
        self._index(int(seq[0]), op)
        self._plates(op, new=True)

    def update(self, op: Operation) -> None:
        seq: int = self.conn.execute(UPDATE_OPERATION, bound(records.operation_row(op))).scalar_one()
        self._reindex(int(seq), op)
        self._plates(op, new=False)

    def _plates(self, op: Operation, *, new: bool) -> None:
        """Keep ``team_plates`` to what the team declares now (a purge's empty team leaves none)."""
        if not new:
            self.conn.execute(delete(team_plates).where(team_plates.c.operation_id == op.id))
        rows = [{"operation_id": op.id, "plate": v.plate, "state": v.state} for v in op.team.vehicles_detail if v.plate]
        if rows:
            self.conn.execute(insert(team_plates), rows)

    def with_team_plate(
        self, plate: str, state: str | None, live_after: datetime, starting_by: datetime
    ) -> list[Operation]:
        c, p = operations.c, team_plates.c
        query = (
            select(operations)
            .where(
                c.id.in_(select(p.operation_id).where(p.plate == plate, *_same_state(state))),
                c.status.in_(LIVE),
                c.ends_at > live_after,
                c.starts_at <= starting_by,
            )
            .order_by(c.starts_at, c.id)
        )
        return [records.operation_from(r) for r in self.conn.execute(query).mappings()]

    def get(self, operation_id: str) -> Operation | None:
        row = self.conn.execute(OPERATION_BY_ID, {"key": operation_id}).mappings().first()
        return records.operation_from(row) if row else None

    def page(self, where: OperationFilter, limit: int, after: str | None) -> Page[Operation]:
        query = select(operations)
        if where.agency_id is not None:
            query = query.where(operations.c.agency_id == where.agency_id)
        if where.created_by:
            query = query.where(operations.c.created_by == where.created_by)
        if where.status:
            query = query.where(*_status_clauses(where.status, where.now))
        if where.active_at:
            query = query.where(operations.c.starts_at <= where.active_at, operations.c.ends_at > where.active_at)
        if where.bbox:
            query = query.where(self._bbox_clause(where.bbox))
        if where.live_between:
            since, until = where.live_between
            c = operations.c
            query = query.where(c.status.in_(LIVE), c.purged_at.is_(None), c.starts_at < until, c.ends_at > since)
        if after:
            query = query.where(operations.c.id > after)
        query = query.order_by(operations.c.id).limit(limit + 1)
        return page([records.operation_from(r) for r in self.conn.execute(query).mappings()], limit)

    def candidates(self, area: Area, window: TimeWindow, reach: SearchReach, exclude: str | None) -> list[Operation]:
        query, params = self._candidate_query(area, window, reach)
        rows = self.conn.execute(query, {**params, "exclude": exclude or NOBODY}).mappings()
        return [records.operation_from(r) for r in rows]

    def restrict(self, operation_id: str, agency_id: str) -> bool:
        """Record for good that the operation is restricted towards the agency; return whether it is new."""
        row = self.conn.execute(RESTRICTED_BY, {"key": operation_id}).first()
        if row is None or agency_id in (row[0] or ()):
            return False
        self.conn.execute(SET_RESTRICTED_BY, {"key": operation_id, "to": sorted({*(row[0] or ()), agency_id})})
        return True

    def retention_due(
        self, ended_before: datetime, entered_before: datetime, limit: int, after: str | None
    ) -> Page[Operation]:
        c = operations.c
        query = select(operations).where(
            c.purged_at.is_(None), or_(c.ends_at < ended_before, c.created_at < entered_before)
        )
        if after:
            query = query.where(c.id > after)
        query = query.order_by(c.id).limit(limit + 1)
        return page([records.operation_from(r) for r in self.conn.execute(query).mappings()], limit)

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(operations)).scalar_one())

    # The spatial index is the part each store supplies.
    @abstractmethod
    def _index(self, seq: int, op: Operation) -> None: ...

    @abstractmethod
    def _reindex(self, seq: int, op: Operation) -> None: ...

    @abstractmethod
    def _candidate_query(
        self, area: Area, window: TimeWindow, reach: SearchReach
    ) -> tuple[Select[Any], dict[str, Any]]:
        """The store's index query for live operations other than ``:exclude`` near ``area``, and its values."""

    @abstractmethod
    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]: ...

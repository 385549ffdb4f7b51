"""Conflicts with peer installations' operations: one row per pair per side."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update

from commonground.domain.model import Acknowledgement, ConflictKind, ConflictStatus
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.timewindow import TimeWindow
from commonground.store.repository import Repository
from commonground.store.schema import remote_conflicts

T = remote_conflicts.c
OPEN_FOR = (
    select(remote_conflicts)
    .where(
        T.operation_id == bindparam("key"),
        T.status.not_in([ConflictStatus.RESOLVED.value, ConflictStatus.DISMISSED.value]),
    )
    .order_by(T.detected_at, T.id)
)


def _conflict(row: Any) -> RemoteConflict:
    return RemoteConflict(
        row.id,
        row.operation_id,
        row.agency_id,
        row.peer_id,
        row.installation,
        row.remote_operation_id,
        dict(row.counterpart),
        row.distance_m,
        None if row.overlap_starts_at is None else TimeWindow(row.overlap_starts_at, row.overlap_ends_at),
        FoundBy(row.found_by),
        ConflictStatus(row.status),
        row.detected_at,
        None if row.ack_at is None else Acknowledgement(row.ack_at, row.ack_by, bool(row.ack_on_behalf)),
        row.closed_at,
        row.closed_by,
        row.note,
        ConflictKind(row.kind),
        row.matched,
        row.their_ack_at,
    )


def _workflow(conflict: RemoteConflict) -> dict[str, Any]:
    ack = conflict.ack
    return {
        "status": conflict.status.value,
        "ack_at": None if ack is None else ack.at,
        "ack_by": None if ack is None else ack.by_user_id,
        "ack_on_behalf": None if ack is None else ack.on_behalf,
        "closed_at": conflict.closed_at,
        "closed_by": conflict.closed_by,
        "note": conflict.note,
        "their_ack_at": conflict.their_ack_at,
    }


class SqlRemoteConflicts(Repository):
    def add(self, conflict: RemoteConflict) -> bool:
        """Insert unless the pair is already kept here; return whether it was new."""
        row = {
            "id": conflict.id,
            "operation_id": conflict.operation_id,
            "agency_id": conflict.agency_id,
            "peer_id": conflict.peer_id,
            "installation": conflict.installation,
            "remote_operation_id": conflict.remote_operation_id,
            "counterpart": conflict.counterpart,
            "distance_m": conflict.distance_m,
            "overlap_starts_at": None if conflict.overlap is None else conflict.overlap.starts_at,
            "overlap_ends_at": None if conflict.overlap is None else conflict.overlap.ends_at,
            "kind": conflict.kind.value,
            "matched": conflict.matched,
            "found_by": conflict.found_by.value,
            "detected_at": conflict.detected_at,
            **_workflow(conflict),
        }
        done = self.conn.execute(self.insert_ignore(remote_conflicts).returning(T.id), row)
        return done.first() is not None

    def update(self, conflict: RemoteConflict) -> None:
        """Write this side's workflow (status, acknowledgement, close); the pair itself never changes."""
        self.conn.execute(update(remote_conflicts).where(T.id == conflict.id).values(_workflow(conflict)))

    def get(self, conflict_id: str) -> RemoteConflict | None:
        row = self.conn.execute(select(remote_conflicts).where(T.id == conflict_id)).first()
        return None if row is None else _conflict(row)

    def pair(
        self, peer_id: str, operation_id: str, remote_operation_id: str, kind: ConflictKind = ConflictKind.PROXIMITY
    ) -> RemoteConflict | None:
        """This side's copy of one pair of one kind, as a peer names it by both operation ids."""
        query = select(remote_conflicts).where(
            T.peer_id == peer_id,
            T.operation_id == operation_id,
            T.remote_operation_id == remote_operation_id,
            T.kind == kind.value,
        )
        row = self.conn.execute(query).first()
        return None if row is None else _conflict(row)

    def open_for(self, operation_id: str) -> list[RemoteConflict]:
        """The pairs of this side's operation not yet resolved or dismissed."""
        return [_conflict(r) for r in self.conn.execute(OPEN_FOR, {"key": operation_id})]

    def of_operation(self, operation_id: str) -> list[RemoteConflict]:
        query = select(remote_conflicts).where(T.operation_id == operation_id).order_by(T.id)
        return [_conflict(r) for r in self.conn.execute(query)]

    def purge(self, conflict_id: str, counterpart: dict[str, Any]) -> None:
        values = {"counterpart": counterpart, "note": None}
        self.conn.execute(update(remote_conflicts).where(T.id == conflict_id).values(values))

    def listing(self, agency_id: str | None, status: ConflictStatus | None, limit: int) -> list[RemoteConflict]:
        """Newest first; one agency's, or every agency's (the watch center) when ``agency_id`` is None."""
        query = select(remote_conflicts).order_by(T.detected_at.desc(), T.id.desc()).limit(limit)
        if agency_id is not None:
            query = query.where(T.agency_id == agency_id)
        if status is not None:
            query = query.where(T.status == status.value)
        return [_conflict(r) for r in self.conn.execute(query)]

"""Jurisdiction notices of peers' operations, and the peers told of this installation's operations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.domain.remote_notices import OwedNotice, RemoteNotice, disclosed_end
from commonground.service.ports import Page
from commonground.store.repository import Repository, page
from commonground.store.schema import notice_owed, notice_peers, remote_notices

T = remote_notices.c
TOLD = select(notice_peers.c.peer_id).where(notice_peers.c.operation_id == bindparam("key"))


def remote_notice_from(row: Any) -> RemoteNotice:
    return RemoteNotice(
        row["id"],
        row["peer_id"],
        row["installation"],
        row["remote_operation_id"],
        row["agency_id"],
        NoticeKind(row["kind"]),
        NoticeStatus(row["status"]),
        row["due_at"],
        row["sent_at"],
        row["created_at"],
        dict(row["operation"]),
    )


class SqlRemoteNotices(Repository):
    def add(self, notice: RemoteNotice) -> None:
        self.conn.execute(
            insert(remote_notices),
            {
                "id": notice.id,
                "peer_id": notice.peer_id,
                "installation": notice.installation,
                "remote_operation_id": notice.remote_operation_id,
                "agency_id": notice.agency_id,
                "kind": notice.kind.value,
                "status": notice.status.value,
                "due_at": notice.due_at,
                "sent_at": notice.sent_at,
                "created_at": notice.created_at,
                "operation": notice.operation,
                "ends_at": disclosed_end(notice.operation) or notice.created_at,  # unreadable: from arrival
            },
        )

    def update(self, notice: RemoteNotice) -> None:
        values = {"status": notice.status.value, "due_at": notice.due_at, "sent_at": notice.sent_at}
        self.conn.execute(update(remote_notices).where(T.id == notice.id).values(values))

    def get(self, notice_id: str) -> RemoteNotice | None:
        row = self.conn.execute(select(remote_notices).where(T.id == notice_id)).mappings().first()
        return None if row is None else remote_notice_from(row)

    def of_operation(self, peer_id: str, remote_operation_id: str) -> list[RemoteNotice]:
        query = select(remote_notices).where(T.peer_id == peer_id, T.remote_operation_id == remote_operation_id)
        return [remote_notice_from(r) for r in self.conn.execute(query.order_by(T.id)).mappings()]

    def due(self, now: datetime, limit: int) -> list[RemoteNotice]:
        query = select(remote_notices).where(T.status == NoticeStatus.SCHEDULED.value, T.due_at <= now)
        return [remote_notice_from(r) for r in self.conn.execute(query.order_by(T.due_at).limit(limit)).mappings()]

    def page(self, agency_id: str, limit: int, after: str | None) -> Page[RemoteNotice]:
        query = select(remote_notices).where(T.agency_id == agency_id, T.status == NoticeStatus.SENT.value)
        if after:
            query = query.where(T.id < after)
        rows = [
            remote_notice_from(r) for r in self.conn.execute(query.order_by(T.id.desc()).limit(limit + 1)).mappings()
        ]
        if len(rows) > limit:
            return Page(rows[:limit], rows[limit - 1].id)
        return Page(rows, None)

    def retention_due(self, ended_before: datetime, limit: int, after: str | None) -> Page[RemoteNotice]:
        query = select(remote_notices).where(T.purged_at.is_(None), T.ends_at < ended_before)
        if after:
            query = query.where(T.id > after)
        rows = self.conn.execute(query.order_by(T.id).limit(limit + 1)).mappings()
        return page([remote_notice_from(r) for r in rows], limit)

    def purge(self, notice_id: str, operation: dict[str, Any], at: datetime) -> None:
        values = {"operation": operation, "purged_at": at}
        self.conn.execute(update(remote_notices).where(T.id == notice_id).values(values))

    def told(self, operation_id: str) -> set[str]:
        return {r[0] for r in self.conn.execute(TOLD, {"key": operation_id})}

    def tell(self, operation_id: str, peer_id: str, at: datetime) -> None:
        row = {"operation_id": operation_id, "peer_id": peer_id, "told_at": at}
        self.conn.execute(self.insert_ignore(notice_peers), row)

    def forget(self, operation_id: str, peer_id: str) -> None:
        c = notice_peers.c
        self.conn.execute(delete(notice_peers).where(c.operation_id == operation_id, c.peer_id == peer_id))

    def owe(self, owed: OwedNotice) -> None:
        """Keep (or replace) the notice a peer did not take: the latest word about the pair wins."""
        self.settle(owed.operation_id, owed.peer_id)
        row = {
            "operation_id": owed.operation_id,
            "peer_id": owed.peer_id,
            "leaving": owed.leaving,
            "attempts": owed.attempts,
            "next_at": owed.next_at,
        }
        self.conn.execute(insert(notice_owed), row)

    def owed_due(self, now: datetime, limit: int) -> list[OwedNotice]:
        """The owed notices whose next attempt is due at ``now``, soonest first."""
        c = notice_owed.c
        query = select(notice_owed).where(c.next_at <= now).order_by(c.next_at, c.operation_id).limit(limit)
        return [
            OwedNotice(r["operation_id"], r["peer_id"], bool(r["leaving"]), r["attempts"], r["next_at"])
            for r in self.conn.execute(query).mappings()
        ]

    def settle(self, operation_id: str, peer_id: str) -> None:
        """Forget an owed notice: the peer took it, or nothing is owed any more."""
        c = notice_owed.c
        self.conn.execute(delete(notice_owed).where(c.operation_id == operation_id, c.peer_id == peer_id))

"""Notices to host agencies of operations in their jurisdiction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from commonground.domain.notices import Notice, NoticeKind, NoticeResponse, NoticeStatus
from commonground.service.ports import Page
from commonground.store.repository import Repository
from commonground.store.schema import notices, operations

NOTICES_OF = select(notices).where(notices.c.operation_id == bindparam("key")).order_by(notices.c.id)
UPDATE_NOTICE = (
    update(notices)
    .where(notices.c.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        due_at=bindparam("due_at"),
        sent_at=bindparam("sent_at"),
        response=bindparam("response"),
        response_note=bindparam("response_note"),
        responded_at=bindparam("responded_at"),
    )
)


def notice_from(row: Any) -> Notice:
    return Notice(
        row["id"],
        row["operation_id"],
        row["agency_id"],
        NoticeKind(row["kind"]),
        NoticeStatus(row["status"]),
        row["due_at"],
        row["sent_at"],
        row["created_at"],
        NoticeResponse(row["response"]) if row["response"] else None,
        row["response_note"],
        row["responded_at"],
    )


class SqlNotices(Repository):
    def add(self, notice: Notice) -> None:
        self.conn.execute(
            insert(notices),
            {
                "id": notice.id,
                "operation_id": notice.operation_id,
                "agency_id": notice.agency_id,
                "kind": notice.kind.value,
                "status": notice.status.value,
                "due_at": notice.due_at,
                "sent_at": notice.sent_at,
                "created_at": notice.created_at,
            },
        )

    def update(self, notice: Notice) -> None:
        self.conn.execute(
            UPDATE_NOTICE,
            {
                "b_id": notice.id,
                "status": notice.status.value,
                "due_at": notice.due_at,
                "sent_at": notice.sent_at,
                "response": notice.response.value if notice.response else None,
                "response_note": notice.response_note,
                "responded_at": notice.responded_at,
            },
        )

    def get(self, notice_id: str) -> Notice | None:
        row = self.conn.execute(select(notices).where(notices.c.id == notice_id)).mappings().first()
        return notice_from(row) if row else None

    def of_operation(self, operation_id: str) -> list[Notice]:
        return [notice_from(r) for r in self.conn.execute(NOTICES_OF, {"key": operation_id}).mappings()]

    def due(self, now: datetime, limit: int) -> list[Notice]:
        query = (
            select(notices)
            .where(notices.c.status == NoticeStatus.SCHEDULED.value, notices.c.due_at <= now)
            .order_by(notices.c.due_at)
            .limit(limit)
        )
        return [notice_from(r) for r in self.conn.execute(query).mappings()]

    def page(self, agency_id: str, limit: int, after: str | None) -> Page[Notice]:
        query = select(notices).where(notices.c.agency_id == agency_id, notices.c.status == NoticeStatus.SENT.value)
        if after:
            query = query.where(notices.c.id < after)
        rows = [
            notice_from(r) for r in self.conn.execute(query.order_by(notices.c.id.desc()).limit(limit + 1)).mappings()
        ]
        if len(rows) > limit:
            return Page(rows[:limit], rows[limit - 1].id)
        return Page(rows, None)

    def counts(self) -> list[tuple[str, str, int]]:
        """Return (owner agency, status, count) over every notice, for the transparency report."""
        query = (
            select(operations.c.agency_id, notices.c.status, func.count())
            .join(operations, operations.c.id == notices.c.operation_id)
            .where(notices.c.kind == NoticeKind.ENTRY.value)
            .group_by(operations.c.agency_id, notices.c.status)
        )
        return [(r[0], r[1], int(r[2])) for r in self.conn.execute(query)]

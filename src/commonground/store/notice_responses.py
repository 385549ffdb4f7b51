"""Host agencies' current answers to the notices of operations in their jurisdiction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select

from commonground.domain.notice_responses import HostResponse, NoticeResponse
from commonground.store.repository import Repository
from commonground.store.schema import notice_responses

C = notice_responses.c


def response_from_row(row: Any) -> NoticeResponse:
    return NoticeResponse(
        row["operation_id"],
        row["agency_id"],
        row["notice_id"],
        HostResponse(row["response"]),
        row["note"],
        row["responded_by"],
        row["responded_at"],
    )


class SqlNoticeResponses(Repository):
    def put(self, answer: NoticeResponse) -> None:
        """Keep ``answer`` as the host's one current response about the operation (a change replaces it)."""
        self.conn.execute(
            delete(notice_responses).where(C.operation_id == answer.operation_id, C.agency_id == answer.agency_id)
        )
        self.conn.execute(
            insert(notice_responses),
            {
                "operation_id": answer.operation_id,
                "agency_id": answer.agency_id,
                "notice_id": answer.notice_id,
                "response": answer.response.value,
                "note": answer.note,
                "responded_by": answer.by,
                "responded_at": answer.at,
            },
        )

    def get(self, operation_id: str, agency_id: str) -> NoticeResponse | None:
        query = select(notice_responses).where(C.operation_id == operation_id, C.agency_id == agency_id)
        row = self.conn.execute(query).mappings().first()
        return None if row is None else response_from_row(row)

    def of_operation(self, operation_id: str) -> list[NoticeResponse]:
        query = select(notice_responses).where(C.operation_id == operation_id).order_by(C.responded_at, C.agency_id)
        return [response_from_row(r) for r in self.conn.execute(query).mappings()]

    def counts(self) -> list[tuple[str, str, int]]:
        """Return (host agency, response, count) over every current response, for the transparency report."""
        query = select(C.agency_id, C.response, func.count()).group_by(C.agency_id, C.response)
        return [(r[0], r[1], int(r[2])) for r in self.conn.execute(query)]

"""Near-misses and the operations each one names, with the agency that runs each."""

from __future__ import annotations

from sqlalchemy import insert, select

from commonground.domain.near_misses import Involved, NearMiss
from commonground.service.ports import Page
from commonground.store.repository import Repository
from commonground.store.schema import near_miss_operations, near_misses

M, N = near_misses.c, near_miss_operations.c


class SqlNearMisses(Repository):
    def add(self, miss: NearMiss) -> None:
        self.conn.execute(
            insert(near_misses),
            {
                "id": miss.id,
                "at": miss.at,
                "description": miss.description,
                "reported_by": miss.reported_by,
                "reported_by_agency": miss.reported_by_agency,
                "recorded_at": miss.recorded_at,
            },
        )
        self.conn.execute(
            insert(near_miss_operations),
            [
                {"near_miss_id": miss.id, "operation_id": i.operation_id, "agency_id": i.agency_id}
                for i in miss.involved
            ],
        )

    def page(self, agency_id: str | None, limit: int, after: str | None) -> Page[NearMiss]:
        query = select(near_misses)
        if agency_id is not None:
            query = query.where(M.id.in_(select(N.near_miss_id).where(N.agency_id == agency_id)))
        if after:
            query = query.where(M.id < after)
        rows = list(self.conn.execute(query.order_by(M.id.desc()).limit(limit + 1)).mappings())
        shown = rows[:limit]
        involved: dict[str, list[Involved]] = {}
        if shown:
            named = (
                select(near_miss_operations)
                .where(N.near_miss_id.in_([r["id"] for r in shown]))
                .order_by(N.agency_id, N.operation_id)
            )
            for r in self.conn.execute(named).mappings():
                involved.setdefault(r["near_miss_id"], []).append(Involved(r["operation_id"], r["agency_id"]))
        items = [
            NearMiss(
                r["id"],
                r["at"],
                r["description"],
                tuple(involved.get(r["id"], [])),
                r["reported_by"],
                r["reported_by_agency"],
                r["recorded_at"],
            )
            for r in shown
        ]
        return Page(items, items[-1].id if len(rows) > limit else None)

"""Agencies, their sharing policies and jurisdictions (exact rings and the box the index searches)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update

from commonground.domain.geometry import Box
from commonground.domain.model import Agency
from commonground.domain.policy import Policy, Purpose
from commonground.service.ports import Page, Rings
from commonground.store import records
from commonground.store.repository import Repository, by_key, page
from commonground.store.schema import agencies, jurisdictions

AGENCY_BY_ID = by_key(agencies, "id")
AGENCY_BY_ORI = by_key(agencies, "ori")
AGENCIES_BY_ID = select(agencies).where(agencies.c.id.in_(bindparam("keys", expanding=True)))
REACH = select(func.max(agencies.c.proximity_m), func.max(agencies.c.time_buffer_min))


def _meeting(count: int) -> Any:
    """Agencies whose jurisdiction box meets any of ``count`` boxes; prebuilt, bound per call."""
    j = jurisdictions.c
    overlaps = [
        and_(
            j.max_lon >= bindparam(f"w{i}"),
            j.min_lon <= bindparam(f"e{i}"),
            j.max_lat >= bindparam(f"s{i}"),
            j.min_lat <= bindparam(f"n{i}"),
        )
        for i in range(count)
    ]
    return select(agencies).join(jurisdictions, j.agency_id == agencies.c.id).where(or_(*overlaps))


JURISDICTIONS_MEETING = {count: _meeting(count) for count in (1, 2)}


class SqlAgencies(Repository):
    """Reads go through the unit's memo: a submission asks for the same few agencies many times."""

    def add(self, agency: Agency) -> None:
        self.memo.forget_agencies()
        self.conn.execute(insert(agencies), records.agency_row(agency))

    def get(self, agency_id: str) -> Agency | None:
        agency = self.memo.agencies.get(agency_id)
        if agency is None:
            row = self.conn.execute(AGENCY_BY_ID, {"key": agency_id}).mappings().first()
            if row is None:
                return None
            agency = self.memo.agencies[agency_id] = records.agency_from(row)
        return agency

    def get_many(self, agency_ids: Collection[str]) -> dict[str, Agency]:
        missing = [key for key in agency_ids if key not in self.memo.agencies]
        if missing:
            for row in self.conn.execute(AGENCIES_BY_ID, {"keys": missing}).mappings():
                self.memo.agencies[str(row["id"])] = records.agency_from(row)
        return {key: self.memo.agencies[key] for key in agency_ids if key in self.memo.agencies}

    def by_ori(self, ori: str) -> Agency | None:
        row = self.conn.execute(AGENCY_BY_ORI, {"key": ori}).mappings().first()
        return records.agency_from(row) if row else None

    def page(self, limit: int, after: str | None) -> Page[Agency]:
        query = select(agencies).order_by(agencies.c.id).limit(limit + 1)
        if after:
            query = query.where(agencies.c.id > after)
        return page([records.agency_from(r) for r in self.conn.execute(query).mappings()], limit)

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

    def set_missions(self, agency_id: str, missions: frozenset[Purpose]) -> None:
        self.memo.forget_agencies()
        value = sorted(m.value for m in missions)
        self.conn.execute(update(agencies).where(agencies.c.id == agency_id).values(missions=value))

    def set_jurisdiction(self, agency_id: str, rings: Rings | None, holes: tuple[Rings, ...] = ()) -> None:
        value = None if rings is None else [[list(p) for p in ring] for ring in rings]
        cut = [[[list(p) for p in hole] for hole in hs] for hs in holes] if holes else None
        self.memo.forget_agencies()
        change = update(agencies).where(agencies.c.id == agency_id)
        self.conn.execute(change.values(jurisdiction=value, jurisdiction_holes=cut))

    def set_jurisdiction_box(self, agency_id: str, box: Box | None) -> None:
        self.conn.execute(delete(jurisdictions).where(jurisdictions.c.agency_id == agency_id))
        if box is not None:
            self.conn.execute(
                insert(jurisdictions),
                {
                    "agency_id": agency_id,
                    "min_lon": box.min_lon,
                    "max_lon": box.max_lon,
                    "min_lat": box.min_lat,
                    "max_lat": box.max_lat,
                },
            )

    def with_jurisdiction_in(self, boxes: list[Box]) -> list[Agency]:
        """Agencies whose jurisdiction box meets any of ``boxes``; the domain decides exactly."""
        params: dict[str, float] = {}
        for i, b in enumerate(boxes):
            params.update({f"w{i}": b.min_lon, f"e{i}": b.max_lon, f"s{i}": b.min_lat, f"n{i}": b.max_lat})
        rows = self.conn.execute(JURISDICTIONS_MEETING[len(boxes)], params).mappings()
        return [records.agency_from(r) for r in rows]

    def reach(self) -> tuple[int, int]:
        if self.memo.reach is None:
            row = self.conn.execute(REACH).one()
            self.memo.reach = (int(row[0] or 0), int(row[1] or 0))
        return self.memo.reach

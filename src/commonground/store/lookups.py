"""Dispatcher look-ups, kept for the audit and the hourly limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, insert, select

from commonground.service.ports import LookupPlace, LookupRecord
from commonground.store.repository import Repository
from commonground.store.schema import UTCDateTime, lookups


class SqlLookups(Repository):
    def add(self, record: LookupRecord) -> None:
        self.conn.execute(
            insert(lookups),
            {
                "id": record.id,
                "user_id": record.user_id,
                "agency_id": record.agency_id,
                "at": record.at,
                "lat": record.lat,
                "lon": record.lon,
                "radius_m": record.radius_m,
                "results": record.results,
            },
        )

    def prune(self, before: datetime) -> int:
        """Delete look-ups made before ``before`` (their places); return how many."""
        return int(self.conn.execute(delete(lookups).where(lookups.c.at < before)).rowcount or 0)

    def since(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the user made since ``since`` and when the oldest was."""
        return self._count(since, lookups.c.user_id == user_id)

    def since_for_agency(self, agency_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the agency's people made since ``since`` and when the oldest was."""
        return self._count(since, lookups.c.agency_id == agency_id)

    def since_overall(self, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups anyone made since ``since`` and when the oldest was."""
        return self._count(since)

    def recent_places(self, agency_id: str, since: datetime) -> list[LookupPlace]:
        """Return where the agency's people looked up since ``since``, oldest first (what the sweep rule reads).

        Four plain columns, not whole records: a 911 centre makes thousands of look-ups in the
        rule's window and this runs on every one of them, inside the writer."""
        query = (
            select(lookups.c.user_id, lookups.c.lon, lookups.c.lat, lookups.c.radius_m)
            .where(lookups.c.agency_id == agency_id, lookups.c.at >= since, lookups.c.lat.is_not(None))
            .order_by(lookups.c.at, lookups.c.id)
        )
        rows = self.conn.execute(query).tuples()
        return [LookupPlace(str(user), float(lon), float(lat), float(radius)) for user, lon, lat, radius in rows]

    def _count(self, since: datetime, *where: ColumnElement[bool]) -> tuple[int, datetime | None]:
        row = self.conn.execute(
            select(func.count(), func.min(lookups.c.at, type_=UTCDateTime())).where(lookups.c.at >= since, *where)
        ).one()
        return int(row[0]), row[1]

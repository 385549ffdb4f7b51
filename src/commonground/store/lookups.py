"""Dispatcher look-ups, kept for the audit and the hourly limit."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import BindParameter, ColumnElement, Integer, bindparam, case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from commonground.service.ports import LookupPlace, LookupRecord
from commonground.store.repository import Repository
from commonground.store.schema import LOOKUP_COUNT_SHARDS, lookup_cells, lookup_counts, lookups


def minute_of(at: datetime) -> int:
    """The minute since the epoch that ``at`` falls in: the key of its count rows."""
    return int(at.timestamp() // 60)


def _counted(prefix: str, *where: ColumnElement[bool]) -> list[Any]:
    """How many look-ups of one scope from ``since`` on, and the oldest of them: three columns.

    Whole minutes after ``since``'s minute come from the count rows (at most an hour of them);
    only ``since``'s own minute is counted in the look-ups themselves, so the answer is exact
    and its cost does not grow with the hour's look-ups. ``prefix`` names the scope's binds, so
    several scopes share one statement. Built once, bound per call."""
    since = bindparam(f"{prefix}since", type_=lookups.c.at.type)
    full = (
        select(func.coalesce(func.sum(lookup_counts.c.n), 0))
        .where(
            lookup_counts.c.scope == bindparam(f"{prefix}scope"),
            lookup_counts.c.minute > bindparam(f"{prefix}minute"),
        )
        .scalar_subquery()
    )
    edge = bindparam(f"{prefix}edge", type_=lookups.c.at.type)
    part = (
        select(func.count()).select_from(lookups).where(lookups.c.at >= since, lookups.c.at < edge, *where)
    ).scalar_subquery()
    first = select(lookups.c.at).where(lookups.c.at >= since, *where).order_by(lookups.c.at).limit(1)
    return [full, part, first.scalar_subquery()]


def _bound(prefix: str, scope: str, since: datetime, key: str | None) -> dict[str, Any]:
    """The values of one scope's binds in ``_counted``."""
    minute = minute_of(since)
    edge = datetime.fromtimestamp((minute + 1) * 60, UTC)
    values: dict[str, Any] = {"scope": scope, "minute": minute, "since": since, "edge": edge}
    if key is not None:
        values["key"] = key
    return {f"{prefix}{name}": value for name, value in values.items()}


def _tally(full: object, part: object, oldest: object) -> tuple[int, datetime | None]:
    return int(cast(int, full)) + int(cast(int, part)), cast(datetime | None, oldest)


@cache
def _cells_since(scopes: int) -> Any:
    """How many cells each of ``scopes`` scopes asked about from ``since`` on (no more than its
    ``most``), and whether ``cell`` is one of them: two columns per scope, in one statement.

    The count reads at most ``most`` entries of the (scope, last_at) index and never the rows: a
    911 centre's dispatchers touch a thousand cells in the rule's window, and counting them all
    was a fifth of every look-up's cost. Built once per number of scopes, bound per call."""
    since = bindparam("since", type_=lookup_cells.c.last_at.type)
    columns: list[Any] = []
    for i in range(scopes):
        scope: BindParameter[str] = bindparam(f"scope{i}")
        window = (
            select(lookup_cells.c.scope)
            .where(lookup_cells.c.scope == scope, lookup_cells.c.last_at >= since)
            .limit(bindparam(f"most{i}", type_=Integer))
            .subquery()
        )
        seen = select(lookup_cells.c.cell).where(
            lookup_cells.c.scope == scope, lookup_cells.c.cell == bindparam("cell"), lookup_cells.c.last_at >= since
        )
        columns += [select(func.count()).select_from(window).scalar_subquery(), seen.exists()]
    return select(*columns)


@cache
def _upserts(dialect_name: str) -> tuple[Any, Any]:
    """The two upserts every look-up makes (its minute's counts, its cells), built once per dialect:
    building one anew for every look-up cost more than running it."""
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    add = dialect.insert(lookup_counts)
    add = add.on_conflict_do_update(
        index_elements=[lookup_counts.c.scope, lookup_counts.c.minute, lookup_counts.c.shard],
        set_={"n": lookup_counts.c.n + add.excluded.n},
    )
    mark = dialect.insert(lookup_cells)
    kept, given = lookup_cells.c.last_at, mark.excluded.last_at
    mark = mark.on_conflict_do_update(
        index_elements=[lookup_cells.c.scope, lookup_cells.c.cell],
        set_={"last_at": case((given > kept, given), else_=kept)},
    )
    return add, mark


BY_USER = select(*_counted("", lookups.c.user_id == bindparam("key")))
BY_AGENCY = select(*_counted("", lookups.c.agency_id == bindparam("key")))
OVERALL = select(*_counted(""))
# The three scopes a look-up's limits count, in one statement (one round trip on PostgreSQL).
HOURLY = select(
    *_counted("u_", lookups.c.user_id == bindparam("u_key")),
    *_counted("a_", lookups.c.agency_id == bindparam("a_key")),
    *_counted("o_"),
)


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
        minute, shard = minute_of(record.at), zlib.crc32(record.id.encode()) % LOOKUP_COUNT_SHARDS
        scopes = (f"u:{record.user_id}", f"a:{record.agency_id}", "*")
        rows = [{"scope": s, "minute": minute, "shard": shard, "n": 1} for s in scopes]
        self.conn.execute(_upserts(self.conn.dialect.name)[0], rows)

    def cells_since(self, scopes: Mapping[str, int], since: datetime, cell: str) -> dict[str, tuple[int, bool]]:
        """The scopes' distinct cells from ``since`` on, each counted no further than its ``most``."""
        if not scopes:
            return {}
        names = list(scopes)
        values: dict[str, Any] = {"since": since, "cell": cell}
        for i, name in enumerate(names):
            values |= {f"scope{i}": name, f"most{i}": scopes[name]}
        row = self.conn.execute(_cells_since(len(names)), values).one()
        return {name: (int(row[2 * i]), bool(row[2 * i + 1])) for i, name in enumerate(names)}

    def mark_cells(self, scopes: Sequence[str], cell: str, at: datetime) -> None:
        rows = [{"scope": scope, "cell": cell, "last_at": at} for scope in scopes]
        if rows:
            self.conn.execute(_upserts(self.conn.dialect.name)[1], rows)

    def prune(self, before: datetime) -> int:
        """Delete look-ups made before ``before`` (their places) and the minute counts before it; return how many."""
        self.conn.execute(delete(lookup_counts).where(lookup_counts.c.minute < minute_of(before)))
        self.conn.execute(delete(lookup_cells).where(lookup_cells.c.last_at < before))
        return int(self.conn.execute(delete(lookups).where(lookups.c.at < before)).rowcount or 0)

    def since(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the user made since ``since`` and when the oldest was."""
        return self._count(BY_USER, f"u:{user_id}", since, user_id)

    def since_for_agency(self, agency_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the agency's people made since ``since`` and when the oldest was."""
        return self._count(BY_AGENCY, f"a:{agency_id}", since, agency_id)

    def since_overall(self, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups anyone made since ``since`` and when the oldest was."""
        return self._count(OVERALL, "*", since, None)

    def recent_places(self, agency_id: str, since: datetime) -> list[LookupPlace]:
        """Return where the agency's people looked up since ``since``, oldest first (what the sweep rule reads).

        Four plain columns, not whole records: a 911 centre makes thousands of look-ups in the
        rule's window and this runs on every one of them, inside the writer."""
        query = (
            select(lookups.c.user_id, lookups.c.lon, lookups.c.lat, lookups.c.radius_m)
            .where(lookups.c.agency_id == agency_id, lookups.c.at >= since, lookups.c.lat.is_not(None))
            .order_by(lookups.c.at, lookups.c.id)
        )
        rows = self.conn.execute(query)
        return [LookupPlace(str(r.user_id), float(r.lon), float(r.lat), float(r.radius_m)) for r in rows]

    def hourly(
        self, user_id: str, agency_id: str, since: datetime
    ) -> tuple[tuple[int, datetime | None], tuple[int, datetime | None], tuple[int, datetime | None]]:
        """The user's, the agency's and everyone's look-ups from ``since`` on (each: how many, the oldest)."""
        values = (
            _bound("u_", f"u:{user_id}", since, user_id)
            | _bound("a_", f"a:{agency_id}", since, agency_id)
            | _bound("o_", "*", since, None)
        )
        row = self.conn.execute(HOURLY, values).one()
        return _tally(*row[0:3]), _tally(*row[3:6]), _tally(*row[6:9])

    def _count(self, query: Any, scope: str, since: datetime, key: str | None) -> tuple[int, datetime | None]:
        return _tally(*self.conn.execute(query, _bound("", scope, since, key)).one())

"""PostgreSQL + PostGIS: several API processes over one database, no missed conflict.

Candidates come from a GiST index over ``area_geog`` (the area's core geometry as
geography) and ``op_window`` (a ``tstzrange``); the domain then decides exact distance
and overlap, exactly as for SQLite. These columns live only here and in migration 0002.

Why advisory locks and not SERIALIZABLE: a submission inserts its operation and then
searches for neighbours. Two such transactions in READ COMMITTED would each miss the
other's uncommitted row. SERIALIZABLE would catch that, but only by aborting one of them
(and predicate locks on GiST scans are coarse, so unrelated submissions abort too), and
the retry would have to re-run the whole use-case, which the store cannot do. Instead a
write transaction takes ``pg_advisory_xact_lock`` on every grid cell (0.05 degrees by one UTC day)
its search reach touches, in sorted order, before it searches. Two operations that can
conflict always share a cell (each locks its own area grown by the widest proximity, and
its window padded by twice the widest buffer), so the later one waits until the earlier
commits; READ COMMITTED takes a fresh snapshot for the search that follows, and PostgreSQL
releases the lock only after the commit is visible. A search reaching more cells than
``MAX_CELLS`` takes one installation-wide exclusive lock instead; everyone else holds that
lock in shared mode, so the two kinds still exclude each other. Locks are always taken in
the order global, cells (ascending), audit chain, so they cannot deadlock among themselves.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    bindparam,
    create_engine,
    event,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from commonground.domain.conflicts import SearchReach, reach
from commonground.domain.errors import StaleVersion
from commonground.domain.geometry import Area, Box, bounding_boxes
from commonground.domain.model import Operation
from commonground.domain.policy import Policy
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import OperationRepository, SubjectRepository
from commonground.store import records
from commonground.store.operations import SqlOperations, live_others
from commonground.store.schema import operations
from commonground.store.sql import SqlStore
from commonground.store.subjects import SqlSubjects
from commonground.store.unit import SqlUnit

# Advisory lock classes: the first int of pg_advisory_xact_lock(int, int).
LOCK_GLOBAL = 0x4347_0001  # "CG" + 1: shared by every cell-locking writer
LOCK_CELL = 0x4347_0002
LOCK_AUDIT = 0x4347_0003
LOCK_SUBJECT = 0x4347_0004  # the second int: hashtext of a subject blocking key
CELL_DEG = 0.05
CELL_SECONDS = 86_400
MAX_CELLS = 1024  # e.g. a 31-day window over 30 spatial cells still locks cells, not everything
# Slack on the candidate search: the domain measures near points found in a local
# projection, PostGIS measures on the spheroid; candidates may only err on the large side.
SLACK_M = 25.0
SLACK_RATIO = 0.002


# Defaults a URL query or the environment may override; a stuck database must turn into
# a 503 within seconds, never a hung request.
@dataclass(frozen=True, slots=True)
class Timeouts:
    """Bounded waits, so a sick database answers "unavailable" instead of hanging a submission."""

    connect_s: int = 5
    statement_ms: int = 15_000
    lock_ms: int = 10_000


def area_ewkt(area: Area) -> str:
    """Return the area's core geometry (without radius) as EWKT in WGS84."""
    coords = ", ".join(f"{lon!r} {lat!r}" for lon, lat in area.coordinates)
    if area.kind == "Point":
        return f"SRID=4326;POINT({coords})"
    if area.kind == "LineString":
        return f"SRID=4326;LINESTRING({coords})"
    return f"SRID=4326;POLYGON(({coords}))"


def boxes_ewkt(boxes: list[Box]) -> str:
    """Return the index boxes (radius included) as one EWKT multipolygon, like SQLite's R*Tree."""
    polys = ", ".join(
        f"(({b.min_lon!r} {b.min_lat!r}, {b.max_lon!r} {b.min_lat!r}, {b.max_lon!r} {b.max_lat!r}, "
        f"{b.min_lon!r} {b.max_lat!r}, {b.min_lon!r} {b.min_lat!r}))"
        for b in boxes
    )
    return f"SRID=4326;MULTIPOLYGON({polys})"


def _tstzrange(lower: datetime, upper: datetime) -> ColumnElement[Any]:
    return func.tstzrange(
        bindparam(None, lower.astimezone(UTC), type_=operations.c.starts_at.type),
        bindparam(None, upper.astimezone(UTC), type_=operations.c.starts_at.type),
        "[]",
    )


def cell_keys(area: Area, reach: SearchReach, starts: datetime, ends: datetime) -> list[int] | None:
    """Return the sorted lock keys of the cells ``area`` may reach; ``None`` when too many."""
    t0 = math.floor((starts - reach.time_pad).timestamp() / CELL_SECONDS)
    t1 = math.floor((ends + reach.time_pad).timestamp() / CELL_SECONDS)
    cells: set[tuple[int, int, int]] = set()
    for box in bounding_boxes(area, reach.margin_m):
        x0, x1 = math.floor(box.min_lon / CELL_DEG), math.floor(box.max_lon / CELL_DEG)
        y0, y1 = math.floor(box.min_lat / CELL_DEG), math.floor(box.max_lat / CELL_DEG)
        if (x1 - x0 + 1) * (y1 - y0 + 1) * (t1 - t0 + 1) > MAX_CELLS:
            return None
        cells.update((x, y, t) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1) for t in range(t0, t1 + 1))
    if len(cells) > MAX_CELLS:
        return None
    # A collision only makes two unrelated cells wait for each other; it never hides one.
    keys = {zlib.crc32(f"{x}:{y}:{t}".encode()) - 2**31 for x, y, t in cells}
    return sorted(keys)


class PostgresTransaction(SqlUnit):
    """A unit of work that holds advisory locks, so that checks in several processes stay atomic."""

    _global_mode: str | None = None
    _held: set[int] | None = None

    def _operations(self) -> OperationRepository:
        return PostgresOperations(self)

    @property
    def writing(self) -> bool:
        return bool(self.conn.get_execution_options().get("cg_write", True))

    def lock_cells(self, reach: SearchReach, *spans: tuple[Area, datetime, datetime]) -> None:
        """Hold the cells searches around ``spans`` reach until this transaction ends."""
        if not self.writing or self._global_mode == "exclusive":
            return
        keys: set[int] = set()
        for area, starts, ends in spans:
            found = cell_keys(area, reach, starts, ends)
            if found is None:
                self.lock_everything()
                return
            keys.update(found)
        if self._global_mode is None:
            self.conn.execute(text("SELECT pg_advisory_xact_lock_shared(:c, 0)"), {"c": LOCK_GLOBAL})
            self._global_mode = "shared"
        held = self._held if self._held is not None else set()
        fresh = sorted(keys - held)
        if fresh:
            self.conn.execute(
                text("SELECT pg_advisory_xact_lock(:c, k) FROM unnest(CAST(:keys AS int[])) AS k ORDER BY k"),
                {"c": LOCK_CELL, "keys": fresh},
            )
            held.update(fresh)
        self._held = held

    def lock_subjects(self, keys: Iterable[str]) -> None:
        """Hold the subject blocking keys an operation or target is indexed under until this transaction ends.

        Two checks of one person far apart share no cell; without these, each would search before
        the other's keys committed and neither would record the match. A hash collision only makes
        two unrelated checks wait for each other."""
        wanted = sorted(set(keys))
        if not wanted or not self.writing or self._global_mode == "exclusive":
            return
        if self._global_mode is None:
            self.conn.execute(text("SELECT pg_advisory_xact_lock_shared(:c, 0)"), {"c": LOCK_GLOBAL})
            self._global_mode = "shared"
        self.conn.execute(
            text(
                "SELECT pg_advisory_xact_lock(:c, h) FROM "
                "(SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(:keys AS text[])) AS k) AS hashed ORDER BY h"
            ),
            {"c": LOCK_SUBJECT, "keys": wanted},
        )

    @cached_property
    def subjects(self) -> SubjectRepository:
        return PostgresSubjects(self)

    def lock_everything(self) -> None:
        """Exclude every other writer until this transaction ends (wide searches, sweeps).

        A transaction already holding the shared lock asks for the exclusive one on top;
        should two do so at once, PostgreSQL's deadlock detector aborts one, which then
        answers 503 — a rare retry, never a missed conflict.
        """
        if self._global_mode != "exclusive":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:c, 0)"), {"c": LOCK_GLOBAL})
            self._global_mode = "exclusive"

    def lock_audit_chain(self) -> None:
        self.conn.execute(text("SELECT pg_advisory_xact_lock(:c, 0)"), {"c": LOCK_AUDIT})


class PostgresSubjects(SqlSubjects):
    """Subject keys locked before they are written, so two checks of one person wait for each other."""

    def __init__(self, unit: PostgresTransaction) -> None:
        super().__init__(unit)
        self.locks = unit

    def set_keys(self, operation_id: str, keys: Iterable[str]) -> None:
        wanted = sorted(set(keys))
        self.locks.lock_subjects(wanted)
        super().set_keys(operation_id, wanted)


class PostgresOperations(SqlOperations):
    """Operations in the GiST index; searches and moves lock the cells they reach first."""

    def __init__(self, unit: PostgresTransaction) -> None:
        super().__init__(unit)
        self.locks = unit

    def _index(self, seq: int, op: Operation) -> None:
        self.conn.execute(
            text(
                "UPDATE operations SET area_geog = CAST(ST_GeomFromEWKT(:geog) AS geography), "
                "radius_m = :radius, op_window = tstzrange(:t0, :t1, '[)'), "
                "area_box = ST_GeomFromEWKT(:box) WHERE seq = :seq"
            ),
            {
                "geog": area_ewkt(op.area),
                "radius": op.area.radius_m,
                "t0": op.window.starts_at,
                "t1": op.window.ends_at,
                "box": boxes_ewkt(bounding_boxes(op.area)),
                "seq": seq,
            },
        )

    def _reindex(self, seq: int, op: Operation) -> None:
        self._index(seq, op)

    def candidates(self, area: Area, window: TimeWindow, reach: SearchReach, exclude: str | None) -> list[Operation]:
        self.locks.lock_cells(reach, (area, window.starts_at, window.ends_at))
        return super().candidates(area, window, reach, exclude)

    def _candidate_query(
        self, area: Area, window: TimeWindow, reach: SearchReach
    ) -> tuple[Select[Any], dict[str, Any]]:
        query_geog = func.ST_GeogFromText(bindparam(None, area_ewkt(area)))
        base = area.radius_m + reach.margin_m
        slack = SLACK_M + SLACK_RATIO * base
        # A constant distance lets the GiST index answer; the widest stored radius keeps
        # it an over-estimate. The second test, per row, trims with the row's own radius.
        widest: Select[Any] = select(func.coalesce(func.max(literal_column("radius_m")), 0.0)).select_from(operations)
        wide = widest.scalar_subquery() + (base + slack) * (1 + SLACK_RATIO)
        padded = _tstzrange(window.starts_at - reach.time_pad, window.ends_at + reach.time_pad)
        query = select(operations).where(
            func.ST_DWithin(literal_column("area_geog"), query_geog, wide),
            func.ST_DWithin(
                literal_column("area_geog"),
                query_geog,
                (literal_column("radius_m") + base + slack) * (1 + SLACK_RATIO),
            ),
            literal_column("op_window").op("&&")(padded),
        )
        return live_others(query), {}

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
        min_lon, min_lat, max_lon, max_lat = bbox
        boxes = (
            [Box(min_lon, max_lon, min_lat, max_lat)]
            if min_lon <= max_lon
            else [Box(min_lon, 180.0, min_lat, max_lat), Box(-180.0, max_lon, min_lat, max_lat)]
        )
        return or_(
            *(
                func.ST_Intersects(
                    literal_column("area_box"),
                    func.ST_MakeEnvelope(b.min_lon, b.min_lat, b.max_lon, b.max_lat, 4326),
                )
                for b in boxes
            )
        )

    # --- read-modify-write -------------------------------------------------------------
    def update(self, op: Operation) -> None:
        """Write a new version; refuse when another process got there first.

        SQLite's single writer makes the service's version check sufficient; here two
        processes may both have read version N, so the UPDATE itself insists on N. The
        cells of the old place are locked too, so a neighbour of the place it leaves
        cannot record a conflict with it while it moves.
        """
        if self.locks.writing:
            old = self.get(op.id)
            if old is not None:
                self.locks.lock_cells(
                    self._installation_reach(),
                    (old.area, old.window.starts_at, old.window.ends_at),
                    (op.area, op.window.starts_at, op.window.ends_at),
                )
        seq = self.conn.execute(
            operations.update()
            .where(operations.c.id == op.id, operations.c.version == op.version - 1)
            .values(records.operation_row(op))
            .returning(operations.c.seq)
        ).scalar_one_or_none()
        if seq is None:
            raise StaleVersion("the operation was changed by someone else; reload and try again")
        self._reindex(int(seq), op)
        self._plates(op, new=False)

    def _installation_reach(self) -> SearchReach:
        """The reach the check will use: the installation's widest rule covers every policy."""
        proximity, buffer = self.locks.agencies.reach()
        return reach(Policy(), proximity, buffer)


def _session_defaults(timeouts: Timeouts) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Session defaults for every pooled connection: bounded waits, UTC.
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(timeouts.statement_ms)}")
            cur.execute(f"SET lock_timeout = {int(timeouts.lock_ms)}")
            cur.execute("SET idle_in_transaction_session_timeout = 60000")
            cur.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.commit()

    return on_connect


def postgres_engine(url: str, timeouts: Timeouts, pool_size: int = 8) -> Engine:
    """Build a psycopg 3 engine whose failures surface quickly as ``OperationalError``."""
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args={"connect_timeout": timeouts.connect_s, "application_name": "commonground"},
    )
    event.listen(engine, "connect", _session_defaults(timeouts))
    return engine


class PostgresStore(SqlStore):
    transaction_class = PostgresTransaction

    def __init__(self, url: str, timeouts: Timeouts | None = None) -> None:
        super().__init__(postgres_engine(url, timeouts or Timeouts()))

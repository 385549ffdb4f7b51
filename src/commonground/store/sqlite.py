"""The embedded default: SQLite in WAL mode with a 3-D R*Tree over lon, lat and time.

One writer at a time: every write transaction opens with ``BEGIN IMMEDIATE``, so the
candidate search and the insert of a new operation happen under the same write lock
and two operations entered at the same moment always see each other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine, Select, create_engine, event, select, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.elements import ColumnElement, TextClause

from commonground.domain.conflicts import SearchReach
from commonground.domain.geometry import Area, Box, bounding_boxes
from commonground.domain.model import Operation
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import OperationRepository
from commonground.store.group_commit import GroupCommit
from commonground.store.operations import SqlOperations, live_others
from commonground.store.schema import operations
from commonground.store.sql import SqlStore
from commonground.store.unit import SqlUnit

# R*Tree coordinates are 32-bit floats, rounded outwards; days since 2020 keep about
# 15 s of precision in 2026, far finer than any time buffer. Days, not seconds: the
# R*Tree splits nodes by extents summed over the axes, and in seconds a window of hours
# dwarfs every spatial extent, so nodes grouped by time alone and a query read ten
# times more of them (0.33 ms against 0.034 ms at 1M operations, migration 0008).
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
SECONDS_PER_UNIT = 86_400.0
RTREE = "operations_rtree"


def index_time(instant: datetime) -> float:
    """An instant on the R*Tree's time axis: days since 2020."""
    return (instant - EPOCH).total_seconds() / SECONDS_PER_UNIT


# Bound parameters keep the compiled statements cached; a query per box count.
_BOX = (
    "(max_lon >= :w{i} AND min_lon <= :e{i} AND max_lat >= :s{i} AND min_lat <= :n{i}"
    " AND max_t >= :t0 AND min_t <= :t1)"
)
_HITS = {
    count: text(f"SELECT id >> 1 FROM {RTREE} WHERE " + " OR ".join(_BOX.format(i=i) for i in range(count)))  # noqa: S608
    for count in (1, 2)
}


# Built once: a statement object keeps its compiled form and cache key between calls.
_CANDIDATES = {n: live_others(select(operations).where(operations.c.seq.in_(hits))) for n, hits in _HITS.items()}


def _hit_params(boxes: list[Box], t0: float, t1: float) -> dict[str, float]:
    params: dict[str, float] = {"t0": t0, "t1": t1}
    for i, b in enumerate(boxes):
        params.update({f"w{i}": b.min_lon, f"e{i}": b.max_lon, f"s{i}": b.min_lat, f"n{i}": b.max_lat})
    return params


def index_hits(boxes: list[Box], t0: float, t1: float) -> TextClause:
    """Return the R*Tree query for operation sequence numbers whose boxes meet ``boxes``."""
    return _HITS[len(boxes)].bindparams(**_hit_params(boxes, t0, t1))


def index_rows(seq: int, area: Area, starts: datetime, ends: datetime) -> list[dict[str, float]]:
    """Return R*Tree rows for an operation: ids ``seq*2`` and ``seq*2+1`` (antimeridian)."""
    return [
        {
            "id": seq * 2 + i,
            "min_lon": b.min_lon,
            "max_lon": b.max_lon,
            "min_lat": b.min_lat,
            "max_lat": b.max_lat,
            "min_t": index_time(starts),
            "max_t": index_time(ends),
        }
        for i, b in enumerate(bounding_boxes(area))
    ]


_INSERT = text(
    f"INSERT INTO {RTREE} (id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) "  # noqa: S608 - a constant
    "VALUES (:id, :min_lon, :max_lon, :min_lat, :max_lat, :min_t, :max_t)"
)
_UNINDEX = text(f"DELETE FROM {RTREE} WHERE id IN (:a, :b)")  # noqa: S608 - a constant


class SQLiteOperations(SqlOperations):
    """Operations indexed in the R*Tree: two rows where an area crosses the antimeridian."""

    def _index(self, seq: int, op: Operation) -> None:
        self.conn.execute(_INSERT, index_rows(seq, op.area, op.window.starts_at, op.window.ends_at))

    def _reindex(self, seq: int, op: Operation) -> None:
        self.conn.execute(_UNINDEX, {"a": seq * 2, "b": seq * 2 + 1})
        self._index(seq, op)

    def _candidate_query(
        self, area: Area, window: TimeWindow, reach: SearchReach
    ) -> tuple[Select[Any], dict[str, Any]]:
        t0 = index_time(window.starts_at - reach.time_pad)
        t1 = index_time(window.ends_at + reach.time_pad)
        boxes = bounding_boxes(area, reach.margin_m)
        return _CANDIDATES[len(boxes)], _hit_params(boxes, t0, t1)

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
        min_lon, min_lat, max_lon, max_lat = bbox
        boxes = (
            [Box(min_lon, max_lon, min_lat, max_lat)]
            if min_lon <= max_lon
            else [Box(min_lon, 180.0, min_lat, max_lat), Box(-180.0, max_lon, min_lat, max_lat)]
        )
        return operations.c.seq.in_(index_hits(boxes, -1e12, 1e12))


class SQLiteTransaction(SqlUnit):
    def _operations(self) -> OperationRepository:
        return SQLiteOperations(self)


def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions open.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: each commit reaches the disk, so nothing accepted is lost even to a power cut.
    # The fsync was a third of a submission's write time under load; group commit
    # (store/group_commit.py) shares it among the writers of a batch.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # The R*Tree and the rows of a million operations fit in memory: read them there.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _on_begin(conn: Any) -> None:
    write = conn.get_execution_options().get("cg_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=8, max_overflow=16)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class SQLiteStore(SqlStore):
    """One writer at a time, many writes per fsync (see ``group_commit``)."""

    transaction_class = SQLiteTransaction
    inline_reads = True  # WAL: a reader never waits for the writer

    def __init__(self, url: str) -> None:
        super().__init__(sqlite_engine(url))
        self._group = GroupCommit(
            self.engine, partial(SQLiteTransaction, keyring=self.keyring), self.engine.url.database
        )

    def write(self) -> Any:
        return self._group.write()

    def close(self) -> None:
        self._group.close()
        super().close()

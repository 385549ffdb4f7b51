"""Queries for what crosses agency lines: jurisdictions, notices, the outbox, look-ups."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from commonground.domain.geometry import Box
from commonground.domain.model import Agency, Operation
from commonground.domain.notices import Notice, NoticeKind, NoticeStatus
from commonground.service.ports import Event, LookupRecord, Page
from commonground.store import records
from commonground.store.held import HeldWrites
from commonground.store.schema import (
    SUBJECT_TERM_SHARDS,
    UTCDateTime,
    agencies,
    events,
    jurisdictions,
    lookups,
    notices,
    operations,
    subject_keys,
    subject_term_counts,
    subject_terms,
)

NOTICES_OF = select(notices).where(notices.c.operation_id == bindparam("key")).order_by(notices.c.id)
UPDATE_NOTICE = (
    update(notices)
    .where(notices.c.id == bindparam("b_id"))
    .values(status=bindparam("status"), due_at=bindparam("due_at"), sent_at=bindparam("sent_at"))
)


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
    )


def event_from(row: Any) -> Event:
    return Event(
        row["seq"],
        row["kind"],
        row["object_id"],
        row["agency_id"],
        bool(row["for_watch"]),
        row["details"],
        row["created_at"],
    )


class SharingQueries(HeldWrites):
    def _lock_audit_chain(self) -> None:
        """Stores with several writers serialise here (see ``add_event``)."""

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

    def agencies_with_jurisdiction_in(self, boxes: list[Box]) -> list[Agency]:
        """Agencies whose jurisdiction box meets any of ``boxes``; the domain decides exactly."""
        params: dict[str, float] = {}
        for i, b in enumerate(boxes):
            params.update({f"w{i}": b.min_lon, f"e{i}": b.max_lon, f"s{i}": b.min_lat, f"n{i}": b.max_lat})
        rows = self.conn.execute(JURISDICTIONS_MEETING[len(boxes)], params).mappings()
        return [records.agency_from(r) for r in rows]

    # --- notices ---------------------------------------------------------------------
    def add_notice(self, notice: Notice) -> None:
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

    def update_notice(self, notice: Notice) -> None:
        self.conn.execute(
            UPDATE_NOTICE,
            {"b_id": notice.id, "status": notice.status.value, "due_at": notice.due_at, "sent_at": notice.sent_at},
        )

    def notices_of(self, operation_id: str) -> list[Notice]:
        return [notice_from(r) for r in self.conn.execute(NOTICES_OF, {"key": operation_id}).mappings()]

    def due_notices(self, now: datetime, limit: int) -> list[Notice]:
        query = (
            select(notices)
            .where(notices.c.status == NoticeStatus.SCHEDULED.value, notices.c.due_at <= now)
            .order_by(notices.c.due_at)
            .limit(limit)
        )
        return [notice_from(r) for r in self.conn.execute(query).mappings()]

    def list_notices(self, agency_id: str, limit: int, after: str | None) -> Page[Notice]:
        query = select(notices).where(notices.c.agency_id == agency_id, notices.c.status == NoticeStatus.SENT.value)
        if after:
            query = query.where(notices.c.id < after)
        rows = [
            notice_from(r) for r in self.conn.execute(query.order_by(notices.c.id.desc()).limit(limit + 1)).mappings()
        ]
        if len(rows) > limit:
            return Page(rows[:limit], rows[limit - 1].id)
        return Page(rows, None)

    def notice_counts(self) -> list[tuple[str, str, int]]:
        """Return (owner agency, status, count) over every notice, for the transparency report."""
        query = (
            select(operations.c.agency_id, notices.c.status, func.count())
            .join(operations, operations.c.id == notices.c.operation_id)
            .where(notices.c.kind == NoticeKind.ENTRY.value)
            .group_by(operations.c.agency_id, notices.c.status)
        )
        return [(r[0], r[1], int(r[2])) for r in self.conn.execute(query)]

    # --- the outbox ------------------------------------------------------------------
    def events_after(self, seq: int, agency_id: str | None, watch: bool, limit: int) -> list[Event]:
        self.flush()
        entitled = events.c.agency_id == agency_id
        if watch:
            entitled = or_(entitled, events.c.for_watch.is_(True))
        query = select(events).where(events.c.seq > seq, entitled).order_by(events.c.seq).limit(limit)
        return [event_from(r) for r in self.conn.execute(query).mappings()]

    def last_event_seq(self) -> int:
        self.flush()
        return int(self.conn.execute(select(func.coalesce(func.max(events.c.seq), 0))).scalar_one())

    # --- look-ups --------------------------------------------------------------------
    def add_lookup(self, record: LookupRecord) -> None:
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

    def lookups_since(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the user made since ``since`` and when the oldest was."""
        row = self.conn.execute(
            select(func.count(), func.min(lookups.c.at, type_=UTCDateTime())).where(
                lookups.c.user_id == user_id, lookups.c.at >= since
            )
        ).one()
        return int(row[0]), row[1]


def term_shard(operation_id: str) -> int:
    """Return the count row an operation's terms are added to (stable across processes)."""
    return zlib.crc32(operation_id.encode()) % SUBJECT_TERM_SHARDS


class SubjectQueries:
    """The blocking-key index that finds operations whose subjects may match, and name counts."""

    conn: Connection

    def set_subject_keys(self, operation_id: str, keys: Iterable[str]) -> None:
        self.conn.execute(delete(subject_keys).where(subject_keys.c.operation_id == operation_id))
        rows = [{"key": k, "operation_id": operation_id} for k in sorted(set(keys))]
        if rows:
            self.conn.execute(insert(subject_keys), rows)

    def operations_with_subject_keys(self, keys: Iterable[str], exclude: str) -> list[Operation]:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        ids = select(subject_keys.c.operation_id).where(subject_keys.c.key.in_(wanted))
        query = select(operations).where(
            operations.c.id.in_(ids),
            operations.c.id != exclude,
            operations.c.status.in_(("planned", "active")),
        )
        return [records.operation_from(r) for r in self.conn.execute(query).mappings()]

    def set_subject_terms(self, operation_id: str, terms: Mapping[str, int]) -> None:
        """Replace the operation's counted name terms and move the store's counts by the change."""
        gone = delete(subject_terms).where(subject_terms.c.operation_id == operation_id)
        old: dict[str, int] = dict(self.conn.execute(gone.returning(subject_terms.c.term, subject_terms.c.n)).all())
        new = {t: n for t, n in terms.items() if n > 0}
        if new:
            rows = [{"operation_id": operation_id, "term": t, "n": n} for t, n in sorted(new.items())]
            self.conn.execute(insert(subject_terms), rows)
        change = {t: new.get(t, 0) - old.get(t, 0) for t in old.keys() | new.keys()}
        shard = term_shard(operation_id)
        # Sorted, so that concurrent writers lock count rows in one order and cannot deadlock.
        rows = [{"term": t, "shard": shard, "n": d} for t, d in sorted(change.items()) if d]
        if rows:
            self.conn.execute(self._add_counts(), rows)

    def _add_counts(self) -> Any:
        table = subject_term_counts
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table)
        return stmt.on_conflict_do_update(
            index_elements=[table.c.term, table.c.shard], set_={"n": table.c.n + stmt.excluded.n}
        )

    def count_subject_terms(self, terms: Iterable[str]) -> dict[str, int]:
        """Return how many stored persons carry each term (absent terms count zero)."""
        wanted = sorted(set(terms))
        if not wanted:
            return {}
        c = subject_term_counts.c
        query = select(c.term, func.sum(c.n)).where(c.term.in_(wanted)).group_by(c.term)
        return {str(row[0]): int(row[1]) for row in self.conn.execute(query)}

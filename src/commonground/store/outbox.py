"""The outbox: events written with the change that caused them, and the fan-out's cursors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select, update

from commonground.service.ports import Event
from commonground.store.repository import Repository
from commonground.store.schema import delivery_cursors, events


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


class SqlOutbox(Repository):
    def add(self, event: Event) -> None:
        self.unit.hold_event(event)

    def after(self, seq: int, agency_id: str | None, watch: bool, limit: int) -> list[Event]:
        self.unit.flush()
        entitled = events.c.agency_id == agency_id
        if watch:
            entitled = or_(entitled, events.c.for_watch.is_(True))
        query = select(events).where(events.c.seq > seq, entitled).order_by(events.c.seq).limit(limit)
        return [event_from(r) for r in self.conn.execute(query).mappings()]

    def last_seq(self) -> int:
        self.unit.flush()
        return int(self.conn.execute(select(func.coalesce(func.max(events.c.seq), 0))).scalar_one())

    def claim_cursor(self, name: str) -> int:
        """Return the cursor, locking its row until the transaction ends (one fan-out at a time)."""
        query = select(delivery_cursors.c.seq).where(delivery_cursors.c.name == name)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        seq: int | None = self.conn.execute(query).scalar_one_or_none()
        if seq is None:
            self.conn.execute(self.insert_ignore(delivery_cursors), [{"name": name, "seq": 0}])
            seq = self.conn.execute(query).scalar_one()
        return int(seq)

    def move_cursor(self, name: str, seq: int) -> None:
        self.conn.execute(update(delivery_cursors).where(delivery_cursors.c.name == name).values(seq=seq))

    def all_after(self, seq: int, limit: int) -> list[Event]:
        self.unit.flush()
        query = select(events).where(events.c.seq > seq).order_by(events.c.seq).limit(limit)
        return [event_from(r) for r in self.conn.execute(query).mappings()]

    def by_seq(self, seqs: Iterable[int]) -> dict[int, Event]:
        self.unit.flush()
        wanted = sorted(set(seqs))
        if not wanted:
            return {}
        rows = self.conn.execute(select(events).where(events.c.seq.in_(wanted))).mappings()
        return {e.seq: e for e in (event_from(r) for r in rows)}

"""Where an agency (or, with ``None``, the watch center) hears of events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from commonground.domain.notifications import Channel, ChannelKind
from commonground.store.repository import Repository
from commonground.store.schema import channels


def channel_from(row: Any) -> Channel:
    return Channel(
        row["id"],
        row["agency_id"],
        ChannelKind(row["kind"]),
        row["target"],
        frozenset(row["events"] or ()),
        row["secret"],
        row["created_at"],
        row.get("previous_secret"),
        row.get("previous_until"),
    )


class SqlChannels(Repository):
    def of_agency(self, agency_id: str | None) -> list[Channel]:
        owner = channels.c.agency_id.is_(None) if agency_id is None else channels.c.agency_id == agency_id
        rows = self.conn.execute(select(channels).where(owner).order_by(channels.c.kind, channels.c.target))
        return [channel_from(r) for r in rows.mappings()]

    def set(self, agency_id: str | None, wanted: list[Channel]) -> None:
        owner = channels.c.agency_id.is_(None) if agency_id is None else channels.c.agency_id == agency_id
        self.conn.execute(delete(channels).where(owner))
        if wanted:
            self.conn.execute(
                insert(channels),
                [
                    {
                        "id": c.id,
                        "agency_id": agency_id,
                        "kind": c.kind.value,
                        "target": c.target,
                        "events": sorted(c.events),
                        "secret": c.secret,
                        "created_at": c.created_at,
                        "previous_secret": c.previous_secret,
                        "previous_until": c.previous_until,
                    }
                    for c in wanted
                ],
            )

    def all(self) -> list[Channel]:
        return [channel_from(r) for r in self.conn.execute(select(channels)).mappings()]

    def get(self, channel_id: str) -> Channel | None:
        row = self.conn.execute(select(channels).where(channels.c.id == channel_id)).mappings().first()
        return channel_from(row) if row else None

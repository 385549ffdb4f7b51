"""Who was told of a conflict, when, by which channel, and when their side acknowledged."""

from __future__ import annotations

from dataclasses import dataclass

from commonground.domain.model import Conflict, Role
from commonground.domain.notifications import ChannelKind
from commonground.domain.timewindow import isoformat
from commonground.service.ports import Transaction
from commonground.service.principal import Principal


@dataclass(frozen=True, slots=True)
class DeliveryEntry:
    """One delivery of a conflict; ``to`` and ``last_error`` only for the side that owns it."""

    side: str
    channel: str
    event_seq: int
    status: str
    attempts: int
    sent_at: str | None
    acknowledged_at: str | None
    to: str | None = None
    last_error: str | None = None
    # The names a person reads: the side's agency (already named in the conflict's views) and, for
    # a console stream, the person whose session it reached (``to`` is their user id).
    side_name: str | None = None
    to_name: str | None = None

    def to_dict(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "side": self.side,
            "channel": self.channel,
            "event_seq": self.event_seq,
            "status": self.status,
            "attempts": self.attempts,
            "sent_at": self.sent_at,
            "acknowledged_at": self.acknowledged_at,
        }
        if self.to is not None:
            entry["to"] = self.to
        if self.last_error:
            entry["last_error"] = self.last_error
        if self.side_name is not None:
            entry["side_name"] = self.side_name
        if self.to_name is not None:
            entry["to_name"] = self.to_name
        return entry


def delivery_log(tx: Transaction, who: Principal, conflict: Conflict) -> list[DeliveryEntry]:
    """Return the conflict's deliveries; a side sees where the other side was told only as a time."""
    watch = who.has(Role.WATCH)
    acks = {conflict.agency_a: conflict.ack_a, conflict.agency_b: conflict.ack_b}
    out = []
    agencies: dict[str, str | None] = {}
    people: dict[str, str | None] = {}

    def agency_name(agency_id: str) -> str | None:
        if agency_id not in agencies:
            found = tx.agencies.get(agency_id)
            agencies[agency_id] = found.name if found else None
        return agencies[agency_id]

    def person_name(user_id: str) -> str | None:
        if user_id not in people:
            found = tx.people.get(user_id)
            people[user_id] = found.display_name if found else None
        return people[user_id]

    for d in tx.deliveries.of_object(conflict.id):
        own = watch or d.agency_id == who.agency.id
        side = "watch" if d.agency_id is None else ("yours" if d.agency_id == who.agency.id else "theirs")
        if watch and d.agency_id is not None:
            side = d.agency_id
        ack = acks.get(d.agency_id) if d.agency_id is not None else None
        out.append(
            DeliveryEntry(
                side=side,
                channel=d.channel.value,
                event_seq=d.event_seq,
                status=d.status.value,
                attempts=d.attempts,
                sent_at=isoformat(d.sent_at) if d.sent_at else None,
                acknowledged_at=isoformat(ack.at) if ack else None,
                to=d.target if own else None,
                last_error=d.last_error if own else None,
                side_name=None if d.agency_id is None else agency_name(d.agency_id),
                to_name=person_name(d.target) if own and d.channel is ChannelKind.STREAM and d.target else None,
            )
        )
    return out

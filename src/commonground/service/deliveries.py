"""Who was told of a conflict, when, by which channel, and when their side acknowledged."""

from __future__ import annotations

from typing import Any

from commonground.domain.model import Conflict, Role
from commonground.domain.timewindow import isoformat
from commonground.service.ports import Transaction
from commonground.service.principal import Principal


def delivery_log(tx: Transaction, who: Principal, conflict: Conflict) -> list[dict[str, Any]]:
    """Return the conflict's deliveries; a side sees where the other side was told only as a time."""
    watch = who.has(Role.WATCH)
    acks = {conflict.agency_a: conflict.ack_a, conflict.agency_b: conflict.ack_b}
    out = []
    for d in tx.deliveries.of_object(conflict.id):
        own = watch or d.agency_id == who.agency.id
        side = "watch" if d.agency_id is None else ("yours" if d.agency_id == who.agency.id else "theirs")
        if watch and d.agency_id is not None:
            side = d.agency_id
        ack = acks.get(d.agency_id) if d.agency_id is not None else None
        entry: dict[str, Any] = {
            "side": side,
            "channel": d.channel.value,
            "event_seq": d.event_seq,
            "status": d.status.value,
            "attempts": d.attempts,
            "sent_at": isoformat(d.sent_at) if d.sent_at else None,
            "acknowledged_at": isoformat(ack.at) if ack else None,
        }
        if own:
            entry["to"] = d.target
            if d.last_error:
                entry["last_error"] = d.last_error
        out.append(entry)
    return out

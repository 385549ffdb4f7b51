"""A conflict between an operation here and one of a peer installation, as this side keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from commonground.domain.disclosure import SAFETY_KEYS
from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import geojson_area
from commonground.domain.model import Acknowledgement, ConflictKind, ConflictStatus
from commonground.domain.timewindow import TimeWindow, isoformat, window_dict
from commonground.domain.views import Json


class FoundBy(StrEnum):
    """Which side's probe found the pair: this side's (``probe``) or the peer's (``answer``)."""

    PROBE = "probe"
    ANSWER = "answer"


@dataclass(frozen=True, slots=True)
class RemoteConflict:
    """One pair, stored once per side: (this operation, the peer, the peer's operation) is unique."""

    id: str
    operation_id: str  # this installation's operation
    agency_id: str  # its agency: whose conflict this is here
    peer_id: str
    installation: str  # the peer's name when found
    remote_operation_id: str
    counterpart: dict[str, Any]  # the peer's operation as the peer disclosed it (or its probe carried it)
    distance_m: float
    overlap: TimeWindow | None  # None only for a subject pair whose windows do not meet
    found_by: FoundBy
    status: ConflictStatus
    detected_at: datetime
    # This side's workflow; the peer is told of each change by a signed conflict-status message.
    ack: Acknowledgement | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None  # None when the peer's side closed it
    note: str | None = None
    kind: ConflictKind = ConflictKind.PROXIMITY
    matched: str | None = None  # a subject pair's match kind (``blinded_person``), never a value
    their_ack_at: datetime | None = None  # when the peer's side acknowledged, as it said

    def to_dict(self) -> Json:
        """The conflict in the shape of a local one, the counterpart naming its installation."""
        yours = None if self.ack is None else {"at": isoformat(self.ack.at), "on_behalf": self.ack.on_behalf}
        theirs = None if self.their_ack_at is None else {"at": isoformat(self.their_ack_at), "on_behalf": False}
        view: Json = {
            "id": self.id,
            "kind": self.kind.value,
            "status": self.status.value,
            "detected_at": isoformat(self.detected_at),
            "distance_m": self.distance_m,
            "overlap": None if self.overlap is None else window_dict(self.overlap),
        }
        if self.matched:
            view["matched"] = self.matched
        if self.note:
            view["note"] = self.note
        return view | {
            "your_operation_id": self.operation_id,
            "acknowledged": {"yours": yours, "theirs": theirs},
            "counterpart": {**self.counterpart, "installation": {"name": self.installation}},
        }


def carried_operation(raw: object, ref: str) -> dict[str, Any]:
    """Read the asking operation a probe carries; refuse anything beyond the ``safety`` fields (custody)."""
    if not isinstance(raw, dict):
        raise InvalidInput("operation", "must be the asking operation at the safety level")
    extra = sorted(set(raw) - SAFETY_KEYS)
    if extra:
        raise InvalidInput(f"operation.{extra[0]}", "a probe carries the operation at the safety level only")
    if raw.get("id") != ref or raw.get("level_disclosed") != "safety":
        raise InvalidInput("operation.id", "must be the probe's ref, at level_disclosed safety")
    for key in ("agency", "contact", "team"):
        if not isinstance(raw.get(key), dict):
            raise InvalidInput(f"operation.{key}", "must be an object")
    area = raw.get("area")
    geojson_area(area, area.get("radius_m") if isinstance(area, dict) else None, "operation.area")
    window = raw.get("window")
    if not isinstance(window, dict):
        raise InvalidInput("operation.window", "must be an object with starts_at and ends_at")
    TimeWindow.parse(window.get("starts_at"), window.get("ends_at"), "operation.window.")
    return dict(raw)

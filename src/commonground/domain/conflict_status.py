"""A remote conflict's workflow step as one installation tells the other (``POST /federation/v1/conflict-status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from commonground.domain.errors import InvalidInput
from commonground.domain.model import ConflictKind, ConflictStatus
from commonground.domain.timewindow import isoformat, parse_instant

MAX_ID = 100
MAX_TEXT = 2000


class PeerState(StrEnum):
    """What the telling side did: acknowledged, resolved, dismissed, or closed (its operation ended or moved)."""

    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    CLOSED = "closed"

    @property
    def closes_as(self) -> ConflictStatus | None:
        """The status the peer's copy takes: an acknowledgement closes nothing, a close is ``resolved``."""
        if self is PeerState.ACKNOWLEDGED:
            return None
        return ConflictStatus.DISMISSED if self is PeerState.DISMISSED else ConflictStatus.RESOLVED


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of one pair: both operation ids as the telling side knows them, and what it did."""

    ref: str
    operation_id: str  # the telling side's operation
    counterpart_operation_id: str  # the receiving side's operation
    state: PeerState
    at: datetime
    agency: dict[str, Any]  # the telling side's agency at safety
    reason: str | None = None  # why ``closed``: "operation cancelled", "operation moved away", …
    note: str | None = None  # only when the disclosure function lets it cross
    kind: ConflictKind = ConflictKind.PROXIMITY  # a pair may be kept once per kind (proximity, subject)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ref": self.ref,
            "operation_id": self.operation_id,
            "counterpart_operation_id": self.counterpart_operation_id,
            "state": self.state.value,
            "at": isoformat(self.at),
            "agency": self.agency,
            "kind": self.kind.value,
        }
        if self.reason:
            body["reason"] = self.reason
        if self.note:
            body["note"] = self.note
        return body

    def closing_note(self, installation: str) -> str:
        """The note the receiving side's copy keeps when this step closes it."""
        said = f"{self.state.value} by installation {installation}"
        for extra in (self.reason, self.note):
            if extra:
                said += f": {extra}"
        return said[:MAX_TEXT]


def _text(body: dict[str, Any], name: str, limit: int, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise InvalidInput(name, f"must be a string of 1-{limit} characters")
    return value


def parse_status(body: dict[str, Any]) -> StatusChange:
    """Read a peer's conflict-status body; refuse (naming the field) anything malformed."""
    raw_state = body.get("state")
    try:
        state = PeerState(str(raw_state))
    except ValueError:
        raise InvalidInput("state", "must be acknowledged, resolved, dismissed or closed") from None
    try:
        kind = ConflictKind(str(body.get("kind", ConflictKind.PROXIMITY.value)))
    except ValueError:
        raise InvalidInput("kind", "must be proximity or subject") from None
    agency = body.get("agency")
    if not isinstance(agency, dict) or not isinstance(agency.get("name"), str):
        raise InvalidInput("agency", "must be the telling side's agency at safety")
    return StatusChange(
        str(_text(body, "ref", MAX_ID)),
        str(_text(body, "operation_id", MAX_ID)),
        str(_text(body, "counterpart_operation_id", MAX_ID)),
        state,
        parse_instant(body.get("at"), "at"),
        dict(agency),
        _text(body, "reason", MAX_TEXT, required=False),
        _text(body, "note", MAX_TEXT, required=False),
        kind,
    )

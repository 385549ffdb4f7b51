"""What may cross agency lines, as values: the views ``disclosure`` returns.

A view holds only what its level disclosed: a tier above it is ``None`` and its keys are
absent from ``to_dict``, never null-filled. ``to_dict`` is the one wire form every
outbound path sends (API, stream, webhook, e-mail), so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any

from commonground.domain.after_action import AfterAction
from commonground.domain.geometry import Area, LonLat
from commonground.domain.incidents import IncidentKind
from commonground.domain.model import (
    ConflictKind,
    ConflictOutcome,
    ConflictStatus,
    Contact,
    ContactAttempt,
    OperationStatus,
    Ownership,
    PhoneIn,
    Risk,
    Team,
)
from commonground.domain.notice_responses import HostResponse
from commonground.domain.notices import NoticeKind
from commonground.domain.policy import AgencyLevel, Level, NoticeTiming, Purpose
from commonground.domain.sensitive import PlaceNearby
from commonground.domain.timewindow import TimeWindow, isoformat, window_dict

Json = dict[str, object]


def _wire(value: object) -> object:
    """Return ``value`` as JSON-ready data: enums by value, instants as ISO 8601 with ``Z``."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return [_wire(v) for v in value]
    return value


def _tier(detail: Any) -> Json:
    """Flatten one disclosure tier into the view's own keys, in declaration order."""
    return {f.name: _wire(getattr(detail, f.name)) for f in fields(detail)}


@dataclass(frozen=True, slots=True)
class AgencyRef:
    """Who the other side is: enough to call their duty desk."""

    name: str
    ori: str
    level: AgencyLevel


@dataclass(frozen=True, slots=True)
class OperationalDetail:
    """What the ``operational`` level adds to ``safety``."""

    type: str
    purpose: Purpose
    risk: Risk
    address: str | None
    status: OperationStatus


@dataclass(frozen=True, slots=True)
class FullDetail:
    """What the ``full`` level adds: never subject values, only their count by kind."""

    title: str
    case_number: str | None
    notes: str | None
    subject_summary: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class OwnRecord:
    """The record keeping only the owning agency sees."""

    agency_id: str
    subjects: tuple[Mapping[str, object], ...]
    notice: NoticeTiming | None
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OperationView:
    """An operation as one viewer may see it; ``safety`` fields always, tiers as disclosed."""

    id: str
    level_disclosed: Level
    agency: AgencyRef
    contact: Contact
    area: Area
    window: TimeWindow
    team: Team
    operational: OperationalDetail | None = None
    full: FullDetail | None = None
    own: OwnRecord | None = None
    purged_at: datetime | None = None  # retention removed its details: only the shell remains
    exigent: bool = False  # entered after the fact: every viewer sees the flag
    entry: EntryRecord | None = None  # why it was late and who phoned it in: the owner and the watch
    sensitive_places: tuple[PlaceNearby, ...] = ()  # schools, hospitals ... within the setting's distance
    after_action: AfterAction | None = None  # how it ended: at ``full``, like the notes

    def to_dict(self) -> Json:
        view: Json = {
            "id": self.id,
            "level_disclosed": self.level_disclosed.value,
            "agency": _tier(self.agency),
            "contact": self.contact.to_dict(),
            "area": self.area.to_geojson(),
            "window": window_dict(self.window),
            "team": self.team.to_dict(),
        }
        for tier in (self.operational, self.full, self.own):
            if tier is not None:
                view.update(_tier(tier))
        if self.purged_at is not None:  # absent, not null, while the details are kept
            view["purged_at"] = isoformat(self.purged_at)
        if self.exigent:  # absent, not false, for an operation entered on time
            view["exigent"] = True
        if self.entry is not None:
            view.update(self.entry.to_dict())
        if self.sensitive_places:  # absent when none is near
            view["sensitive_places"] = [p.to_dict() for p in self.sensitive_places]
        if self.after_action is not None:  # absent until a completion gives one
            view["after_action"] = self.after_action.to_dict()
        return view


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """How an operation was entered, as its owner and the watch see it; each key absent when unset."""

    exigent_reason: str | None
    phone_in: PhoneIn | None

    def to_dict(self) -> Json:
        out: Json = {}
        if self.exigent_reason is not None:
            out["exigent_reason"] = self.exigent_reason
        if self.phone_in is not None:
            out["entered_on_behalf"] = self.phone_in.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class AckView:
    """A side's acknowledgement: when, and whether the watch center gave it for them."""

    at: datetime
    on_behalf: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ConflictFacts:
    """What both sides and the watch center see alike; ``matched`` and ``note`` only when set."""

    id: str
    kind: ConflictKind
    status: ConflictStatus
    detected_at: datetime
    distance_m: float | None
    overlap: TimeWindow | None
    matched: str | None = None
    note: str | None = None
    owner: Ownership | None = None  # the watch officer handling it: "being handled by ..."
    outcome: ConflictOutcome | None = None

    def to_dict(self) -> Json:
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
        if self.owner is not None:  # absent, not null, until the watch takes it
            view["owner"] = {"user_id": self.owner.user_id, "name": self.owner.name, "at": isoformat(self.owner.at)}
        if self.outcome is not None:
            view["outcome"] = self.outcome.value
        return view


def _ack(ack: AckView | None) -> Json | None:
    return None if ack is None else _tier(ack)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConflictView(ConflictFacts):
    """A conflict from one side: its own operation's id, the other side as disclosed to it."""

    your_operation_id: str | None  # None when the caller's side is a case target (``your_target_id``)
    yours: AckView | None
    theirs: AckView | None
    counterpart: OperationView | CaseView
    your_target_id: str | None = None

    def to_dict(self) -> Json:
        view = ConflictFacts.to_dict(self)
        if self.your_target_id is not None:
            view["your_target_id"] = self.your_target_id
        else:
            view["your_operation_id"] = self.your_operation_id
        view["acknowledged"] = {"yours": _ack(self.yours), "theirs": _ack(self.theirs)}
        # The other side is an operation (``counterpart``) or a case target (``counterpart_case``).
        view["counterpart_case" if isinstance(self.counterpart, CaseView) else "counterpart"] = (
            self.counterpart.to_dict()
        )
        return view


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case target as a side of a conflict: who holds the case and how to reach them; no place, no time.

    ``case_number`` and ``purpose`` from the ``operational`` level; ``subjects`` to the owning agency only."""

    id: str
    level_disclosed: Level
    agency: AgencyRef
    contact: Contact
    expires_at: datetime
    case_number: str | None = None
    purpose: Purpose | None = None
    subjects: tuple[Mapping[str, object], ...] | None = None
    created_at: datetime | None = None  # the owning agency's record only, with created_by
    created_by: str | None = None
    purged_at: datetime | None = None  # retention removed its details: absent, not null, until then

    def to_dict(self) -> Json:
        view: Json = {
            "id": self.id,
            "level_disclosed": self.level_disclosed.value,
            "agency": _tier(self.agency),
            "contact": self.contact.to_dict(),
            "expires_at": isoformat(self.expires_at),
        }
        for key in ("case_number", "purpose", "subjects", "created_at", "created_by", "purged_at"):
            value = getattr(self, key)
            if value is not None:
                view[key] = _wire(value)
        return view


def _side_key(side: OperationView | CaseView) -> str:
    return "case" if isinstance(side, CaseView) else "operation"


@dataclass(frozen=True, slots=True)
class WatchSide:
    acknowledged: AckView | None
    operation: OperationView | CaseView


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchConflictView(ConflictFacts):
    """A conflict as the watch center sees it: both sides, each at its owner's watch level."""

    sides: tuple[WatchSide, WatchSide]
    contacts: tuple[ContactAttempt, ...] = ()  # the watch's attempts to reach the sides

    def to_dict(self) -> Json:
        view = ConflictFacts.to_dict(self)
        view["sides"] = [
            {"acknowledged": _ack(s.acknowledged), _side_key(s.operation): s.operation.to_dict()} for s in self.sides
        ]
        if self.contacts:  # absent until the watch has tried to reach a side
            view["contacts"] = [contact_dict(c) for c in self.contacts]
        return view


def contact_dict(c: ContactAttempt) -> Json:
    return {
        "id": c.id,
        "side": c.side,
        "method": c.method.value,
        "reached": c.reached,
        "note": c.note,
        "by_user_id": c.by_user_id,
        "at": isoformat(c.at),
    }


AnyConflictView = ConflictView | WatchConflictView


@dataclass(frozen=True, slots=True)
class HostResponseView:
    """A host agency's answer to a notice, as the operating agency (or the host itself) sees it."""

    agency: AgencyRef
    response: HostResponse
    note: str | None
    at: datetime

    def to_dict(self) -> Json:
        view: Json = {"agency": _tier(self.agency), "response": self.response.value, "at": isoformat(self.at)}
        if self.note is not None:
            view["note"] = self.note
        return view


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A jurisdiction notice: another agency's operation, at the ``safety`` level."""

    id: str
    kind: NoticeKind
    sent_at: datetime | None
    operation: OperationView
    response: HostResponseView | None = None  # the host's own current answer, once it gave one
    sensitive_places: tuple[PlaceNearby, ...] = ()  # near the operation: the host is told so first

    def to_dict(self) -> Json:
        first: Json = (
            {"sensitive_places": [p.to_dict() for p in self.sensitive_places]} if self.sensitive_places else {}
        )
        view: Json = {
            **first,
            "id": self.id,
            "kind": self.kind.value,
            "sent_at": None if self.sent_at is None else isoformat(self.sent_at),
            "operation": self.operation.to_dict(),
        }
        if self.response is not None:
            view["response"] = self.response.to_dict()
        return view


@dataclass(frozen=True, slots=True)
class IncidentView:
    """A critical incident: kind, time, place and whether help is wanted, with the operation at ``safety``.

    ``summary`` is the operating agency's own words: to itself and the watch center only."""

    id: str
    kind: IncidentKind
    at: datetime
    location: LonLat
    assistance_requested: bool
    reported_at: datetime
    operation: OperationView
    acknowledged_at: datetime | None
    escalated_at: datetime | None
    summary: str | None = None

    def to_dict(self) -> Json:
        view: Json = {
            "id": self.id,
            "kind": self.kind.value,
            "at": isoformat(self.at),
            "location": {"type": "Point", "coordinates": list(self.location)},
            "assistance_requested": self.assistance_requested,
            "reported_at": isoformat(self.reported_at),
            "acknowledged_at": None if self.acknowledged_at is None else isoformat(self.acknowledged_at),
            "escalated_at": None if self.escalated_at is None else isoformat(self.escalated_at),
            "operation": self.operation.to_dict(),
        }
        if self.summary is not None:
            view["summary"] = self.summary
        return view


@dataclass(frozen=True, slots=True)
class LookupHit:
    """An operation near the dispatcher's point, with its distance from that point."""

    operation: OperationView
    distance_m: float

    def to_dict(self) -> Json:
        return {**self.operation.to_dict(), "distance_m": self.distance_m}


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The answer to a dispatcher's look-up, nearest first, and the instant it was asked about."""

    operations: tuple[LookupHit, ...]
    at: datetime

    def to_dict(self) -> Json:
        # ``at`` keeps Python's own ISO form (microseconds, +00:00): the contract since v1.
        return {"operations": [hit.to_dict() for hit in self.operations], "at": self.at.isoformat()}


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer to an officer's on-scene verification: the registered teams near the point, nearest first."""

    teams: tuple[LookupHit, ...]

    def to_dict(self) -> Json:
        return {"teams": [hit.to_dict() for hit in self.teams]}


@dataclass(frozen=True, slots=True)
class PlateVerification:
    """Whether a plate belongs to a registered team active now or soon, and that team at ``safety``."""

    team: OperationView | None

    def to_dict(self) -> Json:
        return {"registered": self.team is not None, "team": None if self.team is None else self.team.to_dict()}

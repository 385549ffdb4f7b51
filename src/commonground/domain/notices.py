"""Jurisdiction notices: which agencies an operation concerns, and when they hear of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area, Box, LonLat, bounding_boxes, intersects_polygon
from commonground.domain.model import Agency, Operation
from commonground.domain.policy import NoticeTiming


class NoticeKind(StrEnum):
    ENTRY = "entry"
    UPDATE = "update"
    EXIT = "exit"


class NoticeResponse(StrEnum):
    """A host agency's answer to a notice; ``aware_not_assisting`` records awareness without participation."""

    AWARE_NOT_ASSISTING = "aware_not_assisting"
    STANDING_BY = "standing_by_for_public_safety"
    ASSISTING = "assisting"
    REQUEST_CONTACT = "request_contact"


class NoticeStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    WITHHELD = "withheld"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Notice:
    id: str
    operation_id: str
    agency_id: str
    kind: NoticeKind
    status: NoticeStatus
    due_at: datetime
    sent_at: datetime | None
    created_at: datetime
    response: NoticeResponse | None = None
    response_note: str | None = None
    responded_at: datetime | None = None


def jurisdiction_box(rings: Iterable[Iterable[LonLat]]) -> Box:
    """Return one box around every ring; a seam-crossing jurisdiction gets the full band."""
    boxes = [b for ring in rings for b in bounding_boxes(Area("Polygon", tuple(ring), 0.0))]
    if len(boxes) == 0:
        raise InvalidInput("jurisdiction", "must have at least one ring")
    min_lat = min(b.min_lat for b in boxes)
    max_lat = max(b.max_lat for b in boxes)
    if any(b.min_lon == -180.0 or b.max_lon == 180.0 for b in boxes):
        return Box(-180.0, 180.0, min_lat, max_lat)
    return Box(min(b.min_lon for b in boxes), max(b.max_lon for b in boxes), min_lat, max_lat)


def concerned(op: Operation, agencies: Iterable[Agency]) -> list[Agency]:
    """Return the other agencies whose jurisdiction the operation's area reaches into."""
    return [
        agency
        for agency in agencies
        if agency.id != op.agency_id
        and agency.policy.receive_notices
        and agency.jurisdiction
        and intersects_polygon(op.area, agency.jurisdiction)
    ]


def check_timing(timing: NoticeTiming, owner: Agency) -> None:
    """Withholding a notice is allowed only where the owner's policy says so."""
    if timing is NoticeTiming.WITHHELD and not owner.policy.allow_withheld:
        raise InvalidInput("notice", "your agency's policy does not allow withholding jurisdiction notices")


def first_status(timing: NoticeTiming) -> NoticeStatus:
    return {
        NoticeTiming.AT_SUBMIT: NoticeStatus.SENT,
        NoticeTiming.AT_START: NoticeStatus.SCHEDULED,
        NoticeTiming.WITHHELD: NoticeStatus.WITHHELD,
    }[timing]


N = TypeVar("N", bound="Tracked")


class Tracked(Protocol):
    """A kept notice, local or of a peer's operation: what ``plan`` reads."""

    @property
    def agency_id(self) -> str: ...
    @property
    def kind(self) -> NoticeKind: ...
    @property
    def status(self) -> NoticeStatus: ...


@dataclass(frozen=True, slots=True)
class NoticePlan(Generic[N]):
    """What bringing an operation's notices in line with where it now is takes."""

    enter: list[str]  # agencies newly reached: an entry, at the operation's timing
    reschedule: list[N]  # scheduled notices of agencies still reached: the start may have moved
    update: list[str]  # agencies still reached that were told: an update, sent now
    cancel: list[N]  # scheduled notices of agencies no longer reached
    exit: list[str]  # agencies no longer reached that were told and have no exit yet


def plan(reached: set[str], kept: Iterable[N]) -> NoticePlan[N]:
    """Compare the agencies the operation now reaches with the notices kept of it (local or a peer's)."""
    by_agency: dict[str, list[N]] = {}
    for notice in kept:
        by_agency.setdefault(notice.agency_id, []).append(notice)
    result: NoticePlan[N] = NoticePlan(sorted(reached - set(by_agency)), [], [], [], [])
    for agency_id, history in by_agency.items():
        told = any(n.status is NoticeStatus.SENT for n in history)
        pending = [n for n in history if n.status is NoticeStatus.SCHEDULED]
        if agency_id in reached:
            result.reschedule.extend(pending)
            if told:
                result.update.append(agency_id)
            continue
        result.cancel.extend(pending)
        if told and not any(n.kind is NoticeKind.EXIT for n in history):
            result.exit.append(agency_id)
    return result

"""Jurisdiction notices across installations: what a peer's notice message carries, and who it reaches here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area, geojson_area, intersects_polygon
from commonground.domain.model import Agency
from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.domain.policy import NoticeTiming
from commonground.domain.remote_conflicts import carried_operation
from commonground.domain.timewindow import TimeWindow, isoformat, parse_instant

NOTICE_KEYS = frozenset({"ref", "kind", "timing", "operation"})


def disclosed_end(operation: Mapping[str, Any]) -> datetime | None:
    """When a peer's operation ends, from the window it disclosed; None when that is unreadable."""
    window = operation.get("window")
    if not isinstance(window, Mapping) or "ends_at" not in window:
        return None
    try:
        return parse_instant(str(window["ends_at"]), "window.ends_at")
    except InvalidInput:
        return None


@dataclass(frozen=True, slots=True)
class OwedNotice:
    """A notice about an operation here that a peer has not taken yet: sent again until it lands."""

    operation_id: str
    peer_id: str
    leaving: bool  # the last word owed is the operation's exit (it no longer reaches the peer's agencies)
    attempts: int
    next_at: datetime


def notice_due(*, hosts: bool, told: bool, live: bool, withheld: bool) -> NoticeKind | None:
    """The notice a peer is owed about an operation here: from where it now is and what the peer was told."""
    if live and hosts and not withheld:
        return NoticeKind.UPDATE if told else NoticeKind.ENTRY
    return NoticeKind.EXIT if told else None


@dataclass(frozen=True, slots=True)
class RemoteNotice:
    """A peer's operation as one of this installation's agencies hears of it (kept as the peer disclosed it)."""

    id: str
    peer_id: str
    installation: str
    remote_operation_id: str
    agency_id: str
    kind: NoticeKind
    status: NoticeStatus
    due_at: datetime
    sent_at: datetime | None
    created_at: datetime
    operation: dict[str, Any]  # the peer's ``safety`` view, never more


@dataclass(frozen=True, slots=True)
class NoticeMessage:
    """A peer's ``POST /federation/v1/notice``: its operation at ``safety``, its timing, and the kind of change."""

    ref: str
    kind: NoticeKind
    timing: NoticeTiming
    operation: dict[str, Any]
    area: Area
    window: TimeWindow

    @property
    def operation_id(self) -> str:
        return str(self.operation["id"])


def parse_notice_message(body: dict[str, object]) -> NoticeMessage:
    """Read a peer's notice message; refuse any field beyond it and any operation field beyond ``safety``."""
    extra = sorted(set(body) - NOTICE_KEYS)
    if extra:
        raise InvalidInput(extra[0], "a notice carries only ref, kind, timing and the operation at safety")
    ref = body.get("ref")
    if not isinstance(ref, str) or not 0 < len(ref) <= 100:
        raise InvalidInput("ref", "must be a string of 1-100 characters")
    try:
        kind = NoticeKind(str(body.get("kind")))
    except ValueError:
        raise InvalidInput("kind", "must be entry, update or exit") from None
    try:
        timing = NoticeTiming(str(body.get("timing")))
    except ValueError:
        raise InvalidInput("timing", "must be at_submit, at_start or withheld") from None
    if timing is NoticeTiming.WITHHELD and kind is not NoticeKind.EXIT:
        raise InvalidInput("timing", "a withheld notice is never sent to a peer")
    raw = body.get("operation")
    operation_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(operation_id, str) or not 0 < len(operation_id) <= 100:
        raise InvalidInput("operation.id", "must be a string of 1-100 characters")
    operation = carried_operation(raw, operation_id)
    area_raw = operation["area"]
    area = geojson_area(area_raw, area_raw.get("radius_m"), "operation.area")
    window_raw = operation["window"]
    window = TimeWindow.parse(window_raw.get("starts_at"), window_raw.get("ends_at"), "operation.window.")
    return NoticeMessage(ref, kind, timing, operation, area, window)


@dataclass(frozen=True, slots=True)
class RemoteNoticeView:
    """A notice of a peer's operation as the agency lists it: the peer's ``safety`` view, and whose."""

    notice: RemoteNotice

    def to_dict(self) -> dict[str, Any]:
        sent = self.notice.sent_at
        return {
            "id": self.notice.id,
            "kind": self.notice.kind.value,
            "sent_at": None if sent is None else isoformat(sent),
            "operation": self.notice.operation,
            "installation": {"name": self.notice.installation},
        }


def hosts(area: Area, agencies: Iterable[Agency]) -> list[Agency]:
    """Return the agencies here that take notices and whose jurisdiction a peer's area reaches into."""
    return [
        agency
        for agency in agencies
        if agency.policy.receive_notices
        and agency.jurisdiction
        and intersects_polygon(area, agency.jurisdiction, agency.jurisdiction_holes)
    ]

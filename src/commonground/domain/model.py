"""Agencies, people, operations and conflicts: plain values, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from commonground.domain.geometry import Area, LonLat
from commonground.domain.policy import AgencyLevel, NoticeTiming, Policy, Purpose
from commonground.domain.timewindow import TimeWindow

if TYPE_CHECKING:  # after_action reads text through drafts, which needs this module
    from commonground.domain.after_action import AfterAction


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    DISPATCHER = "dispatcher"
    WATCH = "watch"
    AGENCY_ADMIN = "agency_admin"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Attire(StrEnum):
    UNIFORM = "uniform"
    PLAIN_CLOTHES = "plain_clothes"
    MIXED = "mixed"
    TACTICAL = "tactical"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


DEFAULT_RISK = Risk.MEDIUM
"""An operation's risk when its submission does not say: the API, the console and the rules share it."""


class OperationStatus(StrEnum):
    """Where an operation is in its life; ``active`` and ``overdue`` are read off the clock, never stored."""

    PLANNED = "planned"
    ACTIVE = "active"
    OVERDUE = "overdue"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_live(self) -> bool:
        return self in (OperationStatus.PLANNED, OperationStatus.ACTIVE, OperationStatus.OVERDUE)


def status_at(stored: OperationStatus, window: TimeWindow, now: datetime) -> OperationStatus:
    """Return the status an operation reads at ``now``: a live one is planned, active or overdue by its window.

    A completed or cancelled operation keeps that status; an unfinished one past its end is
    ``overdue`` until someone completes or cancels it, so the watch can chase it.
    """
    if not stored.is_live:
        return stored
    if now < window.starts_at:
        return OperationStatus.PLANNED
    return OperationStatus.ACTIVE if now < window.ends_at else OperationStatus.OVERDUE


class ConflictKind(StrEnum):
    PROXIMITY = "proximity"
    SUBJECT = "subject"


class ConflictStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"

    @property
    def is_closed(self) -> bool:
        return self in (ConflictStatus.RESOLVED, ConflictStatus.DISMISSED)


OPERATION_TYPES = frozenset(
    {
        "search_warrant",
        "arrest_warrant",
        "fugitive_apprehension",
        "surveillance",
        "undercover_meeting",
        "buy_bust",
        "controlled_delivery",
        "knock_and_talk",
        "immigration_enforcement",
        "vehicle_stop",
        "crowd_management",
        "protective_detail",
        "tactical_operation",
        "training",
        "other",
    }
)


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    ori: str
    name: str
    level: AgencyLevel
    duty_phone: str
    timezone: str
    jurisdiction: tuple[tuple[LonLat, ...], ...] | None = None
    policy: Policy = field(default_factory=Policy)
    created_at: datetime | None = None
    # What the agency is for, recorded by the installation admin (never by the agency itself): a
    # restricting agency's policy holds every operation of an agency with a restricted mission.
    missions: frozenset[Purpose] = frozenset()
    # The holes of each jurisdiction polygon, by the index of its outer ring (incorporated cities).
    jurisdiction_holes: tuple[tuple[tuple[LonLat, ...], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    id: str
    agency_id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    phone: str | None = None
    email: str | None = None
    disabled: bool = False
    expires_at: datetime | None = None  # a temporary account stops working then

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def usable(self, now: datetime) -> bool:
        """May this account authenticate at ``now``: not disabled, not past its expiry?"""
        return not self.disabled and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    phone: str
    radio: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "phone": self.phone, "radio": self.radio}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Contact:
        """Read the stored form back (``to_dict``'s keys)."""
        return cls(data["name"], data["phone"], data.get("radio"))


@dataclass(frozen=True, slots=True)
class TeamMember:
    """One member as the agency declares them: what identification laws (CA SB 805) ask an officer to show."""

    name: str | None = None
    badge_number: str | None = None
    role: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in (("name", self.name), ("badge_number", self.badge_number), ("role", self.role)) if v}


@dataclass(frozen=True, slots=True)
class TeamVehicle:
    """A vehicle the team drives; ``plate`` is kept normalised (``ABC123``), so a plate look-up finds it."""

    description: str
    plate: str | None = None
    state: str | None = None
    marked: bool = False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"description": self.description}
        if self.plate is not None:
            out["plate"] = self.plate
        if self.state is not None:
            out["state"] = self.state
        out["marked"] = self.marked
        return out


@dataclass(frozen=True, slots=True)
class Team:
    personnel: int | None = None
    attire: Attire | None = None
    vehicles: str | None = None
    members: tuple[TeamMember, ...] = ()
    vehicles_detail: tuple[TeamVehicle, ...] = ()
    talkgroup: str | None = None
    # The challenge / recognition signal: disclosure keeps it for conflict views and verifications only.
    recognition: str | None = None
    visible_identification: bool | None = None

    def to_dict(self) -> dict[str, object]:
        """The first three keys always (the v1 shape); each identity key only when declared."""
        out: dict[str, object] = {
            "personnel": self.personnel,
            "attire": self.attire.value if self.attire else None,
            "vehicles": self.vehicles,
        }
        if self.members:
            out["members"] = [m.to_dict() for m in self.members]
        if self.vehicles_detail:
            out["vehicles_detail"] = [v.to_dict() for v in self.vehicles_detail]
        if self.talkgroup is not None:
            out["talkgroup"] = self.talkgroup
        if self.recognition is not None:
            out["recognition"] = self.recognition
        if self.visible_identification is not None:
            out["visible_identification"] = self.visible_identification
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Team:
        """Read the stored form back (``to_dict``'s keys; a row from before identity has only the first three)."""
        return cls(
            personnel=data.get("personnel"),
            attire=Attire(data["attire"]) if data.get("attire") else None,
            vehicles=data.get("vehicles"),
            members=tuple(
                TeamMember(m.get("name"), m.get("badge_number"), m.get("role")) for m in data.get("members") or ()
            ),
            vehicles_detail=tuple(
                TeamVehicle(v["description"], v.get("plate"), v.get("state"), bool(v.get("marked")))
                for v in data.get("vehicles_detail") or ()
            ),
            talkgroup=data.get("talkgroup"),
            recognition=data.get("recognition"),
            visible_identification=data.get("visible_identification"),
        )


@dataclass(frozen=True, slots=True)
class PhoneIn:
    """Who phoned an operation in to the watch, which entered it for their agency (domain/entry.py)."""

    caller_name: str
    caller_phone: str
    entered_by: str  # the watch user who typed it in

    def to_dict(self) -> dict[str, str]:
        return {"caller_name": self.caller_name, "caller_phone": self.caller_phone, "entered_by": self.entered_by}


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    agency_id: str
    type: str
    purpose: Purpose
    title: str
    case_number: str | None
    area: Area
    address: str | None
    window: TimeWindow
    contact: Contact
    team: Team
    risk: Risk
    notice: NoticeTiming | None
    notes: str | None
    subjects: tuple[Mapping[str, object], ...]
    status: OperationStatus
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    # Agencies this operation was ever restricted towards (its purpose was one they restrict
    # while it was in conflict with them): it stays restricted towards them whatever it declares.
    restricted_by: frozenset[str] = frozenset()
    # When retention removed its details (domain/retention.py); the operation stays as a shell.
    purged_at: datetime | None = None
    # Entered after the fact, and why (domain/entry.py); flagged in every view.
    exigent_reason: str | None = None
    # Entered by the watch for a caller of the owning agency (domain/entry.py).
    phone_in: PhoneIn | None = None
    # How it ended and whom it met, given when it was completed (domain/after_action.py).
    after_action: AfterAction | None = None

    def shares_case_with(self, other: Operation) -> bool:
        """Same-agency operations on one case are one effort, not a conflict."""
        return (
            self.agency_id == other.agency_id
            and self.case_number is not None
            and _case_key(self.case_number) == _case_key(other.case_number)
        )


def _case_key(case_number: str | None) -> str:
    return "".join(ch for ch in (case_number or "").upper() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    at: datetime
    by_user_id: str
    on_behalf: bool = False


class ConflictOutcome(StrEnum):
    """How a resolved conflict ended, for the participation reports."""

    PROCEED = "proceed"
    JOINT_OPERATION = "joint_operation"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Ownership:
    """The watch officer handling a conflict, and since when; both sides see who ("being handled by ...")."""

    user_id: str
    name: str
    at: datetime


class ContactMethod(StrEnum):
    PHONE = "phone"
    RADIO = "radio"
    EMAIL = "email"
    IN_PERSON = "in_person"


@dataclass(frozen=True, slots=True)
class ContactAttempt:
    """One attempt by the watch to reach a side of a conflict, reached or not."""

    id: str
    conflict_id: str
    side: str  # "a" or "b", as on the conflict
    method: ContactMethod
    reached: bool
    note: str | None
    by_user_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two operations at risk of meeting; ``a`` is always the lower operation id.

    A side may be a case target instead (``target_a``, ``target_b``): ``operation_a`` or
    ``operation_b`` then holds the target's id (domain/targets.py).
    """

    id: str
    kind: ConflictKind
    operation_a: str
    operation_b: str
    agency_a: str
    agency_b: str
    status: ConflictStatus
    detected_at: datetime
    distance_m: float | None
    overlap: TimeWindow | None
    match_kind: str | None = None
    ack_a: Acknowledgement | None = None
    ack_b: Acknowledgement | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    note: str | None = None
    owner: Ownership | None = None
    outcome: ConflictOutcome | None = None
    target_a: bool = False
    target_b: bool = False

    def is_target(self, side_id: str) -> bool:
        """Say whether the side ``side_id`` is a case target rather than an operation."""
        return self.target_a if side_id == self.operation_a else self.target_b

    def side_of(self, operation_id: str) -> str:
        return "a" if operation_id == self.operation_a else "b"

    def other_operation(self, operation_id: str) -> str:
        return self.operation_b if operation_id == self.operation_a else self.operation_a

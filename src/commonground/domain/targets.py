"""Case targets: the people, vehicles and phones of a case, matched for as long as the case lives.

An operation lasts at most 31 days; a case runs for months. A target keeps a case's subjects in the
subject check until it expires (at most a year after it is registered) or is deleted. A match is a
``subject`` conflict one of whose sides is the case (its agency, case number and contact), not an
operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commonground.domain.drafts import SubjectParser, parse_contact, parse_subjects, text
from commonground.domain.errors import InvalidInput
from commonground.domain.model import Agency, Contact, Operation, User
from commonground.domain.policy import Purpose, parse_enum
from commonground.domain.timewindow import TimeWindow, isoformat, parse_instant

MAX_CASE_NUMBER = 60


def a_year_after(now: datetime) -> datetime:
    """Return the same instant one calendar year on (28 February for a 29th)."""
    try:
        return now.replace(year=now.year + 1)
    except ValueError:
        return now.replace(year=now.year + 1, day=28)


@dataclass(frozen=True, slots=True)
class Target:
    """A case's subjects, registered by its agency; ``deleted_at`` once the agency withdrew it."""

    id: str
    agency_id: str
    case_number: str
    purpose: Purpose
    subjects: tuple[Mapping[str, object], ...]
    contact: Contact
    created_by: str
    created_at: datetime
    expires_at: datetime
    deleted_at: datetime | None = None
    purged_at: datetime | None = None  # retention removed its case number, subjects and contact
    # A target's purpose never changes, so nothing is ever remembered against it (restricted_towards).
    restricted_by: frozenset[str] = frozenset()

    @property
    def window(self) -> TimeWindow:
        """The case's life in the check: from registration to expiry."""
        return TimeWindow(self.created_at, self.expires_at)

    def live(self, now: datetime) -> bool:
        return self.deleted_at is None and now < self.expires_at


Side = Operation | Target
"""One side of a conflict: an operation, or a case target."""


def may_match(side: Side, other: Side) -> bool:
    """Say whether two sides' subjects may make a conflict: never one agency's own case with itself.

    Two targets match only across agencies; a target and an operation of one agency match
    unless they carry the same case number, as two operations of one agency do.
    """
    if side.id == other.id:
        return False
    if side.agency_id != other.agency_id:
        return True
    if isinstance(side, Target) and isinstance(other, Target):
        return False
    return _case_key(side.case_number) != _case_key(other.case_number) or not _case_key(side.case_number)


def _case_key(case_number: str | None) -> str:
    return "".join(ch for ch in (case_number or "").upper() if ch.isalnum())


def parse_target(
    data: Mapping[str, Any], parse_subject: SubjectParser, now: datetime, user: User, agency: Agency
) -> tuple[str, Purpose, tuple[Mapping[str, object], ...], Contact, datetime]:
    """Validate a registration; return its case number, purpose, subjects, contact and expiry.

    The contact defaults to the registering user (their phone, else the agency's duty phone).
    """
    case_number = text(data, "case_number", "case_number", required=True, limit=MAX_CASE_NUMBER)
    assert case_number is not None
    purpose = parse_enum(Purpose, data.get("purpose", Purpose.CRIMINAL.value), "purpose")
    subjects = parse_subjects(data, parse_subject)
    if not subjects:
        raise InvalidInput("subjects", "a target registers at least one subject")
    if data.get("contact") is None:
        contact = Contact(user.display_name, user.phone or agency.duty_phone)
    else:
        contact = parse_contact(data)
    expires_at = parse_instant(data.get("expires_at"), "expires_at")
    if expires_at <= now:
        raise InvalidInput("expires_at", "must be in the future")
    if expires_at > a_year_after(now):
        raise InvalidInput(
            "expires_at", f"a target is kept at most one year; register it again after {isoformat(a_year_after(now))}"
        )
    return case_number, purpose, subjects, contact, expires_at


MAX_LIFE = timedelta(days=366)
"""The longest a target can live (a calendar year, leap day included): what a store may assume."""

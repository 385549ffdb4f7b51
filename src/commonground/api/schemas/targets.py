"""Case targets: what registering one takes, and the target as its agency and a conflict's other side see it."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.api.schemas.operations import AgencyRefPublic, Contact
from commonground.domain.policy import Level, Purpose

SUBJECTS_EXAMPLE = [{"kind": "person", "last_name": "Doe", "first_name": "John", "dob": "1990-04-02"}]


class TargetCreate(Strict):
    case_number: str = described("The case the subjects belong to (at most 60 characters).", "24-001234")
    subjects: list[dict[str, Any]] = described(
        "1-50 subjects, in the shape an operation's take (person, vehicle, phone, blinded).", SUBJECTS_EXAMPLE
    )
    expires_at: AwareDatetime = described(
        "When the target stops being matched, with an offset; at most one year ahead.", "2027-06-01T00:00:00-05:00"
    )
    purpose: Purpose = described(
        "The case's purpose, for other agencies' restricted purposes; `criminal` when absent.",
        "criminal",
        default=Purpose.CRIMINAL,
    )
    contact: Contact | None = described(
        "Who to call about the case; the registering user (their phone, else the duty phone) when absent.",
        None,
        default=None,
    )


class CasePublic(Public):
    """A case target: in full to its own agency; as a conflict's other side, its agency and contact."""

    id: str = described("Target id.", ID_EXAMPLE)
    level_disclosed: Level = described("What the owner's policy discloses to the caller.", "full")
    agency: AgencyRefPublic = described("The agency holding the case.", {"name": "ICE ERO St. Paul"})
    contact: Contact = described("Who to call about the case.", {"name": "SA J. Rivera", "phone": "+1 612 555 0100"})
    expires_at: Instant = described("When it stops being matched, UTC.", TIME_EXAMPLE)
    case_number: str | None = described("The case number (from `operational`).", "24-001234", default=None)
    purpose: Purpose | None = described("The case's purpose (from `operational`).", "criminal", default=None)
    subjects: list[dict[str, Any]] | None = described(
        "The subjects, normalised (own agency only).", SUBJECTS_EXAMPLE, default=None
    )
    created_at: Instant | None = described("When it was registered (own agency only).", TIME_EXAMPLE, default=None)
    created_by: str | None = described("Who registered it (own agency only).", ID_EXAMPLE, default=None)
    purged_at: Instant | None = described(
        "When retention removed its case number, subjects and contact; absent while they are kept.",
        None,
        default=None,
    )


class TargetsPublic(Public):
    items: list[CasePublic] = described("The agency's targets not deleted, newest first.", [])
    next: str | None = next_cursor()

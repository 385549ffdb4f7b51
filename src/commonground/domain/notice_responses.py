"""A host agency's answer to a jurisdiction notice: what it will do about an operation in its area.

``aware_not_assisting`` is what an agency whose policy forbids assisting civil immigration
enforcement answers: it records awareness, for officer safety, and states non-participation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from commonground.domain.errors import InvalidInput
from commonground.domain.strings import one_of, plain

NOTE_CHARS = 1_000


class HostResponse(StrEnum):
    AWARE_NOT_ASSISTING = "aware_not_assisting"
    STANDING_BY = "standing_by_for_public_safety"
    ASSISTING = "assisting"
    REQUEST_CONTACT = "request_contact"


@dataclass(frozen=True, slots=True)
class NoticeResponse:
    """The host agency's current answer about one operation; a change replaces it (the audit log keeps each)."""

    operation_id: str
    agency_id: str  # the host agency that answered
    notice_id: str  # the notice it answered through
    response: HostResponse
    note: str | None
    by: str  # the user who answered
    at: datetime


def response_from(value: object) -> HostResponse:
    """Read the ``response`` field, naming the values allowed when it is not one of them."""
    return one_of(HostResponse, value, "response")


def note_from(value: object) -> str | None:
    """Read the optional ``note``: plain text of at most 1,000 characters, blank as absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("note", "must be text")
    text = plain(value.strip(), "note", multiline=True)
    if len(text) > NOTE_CHARS:
        raise InvalidInput("note", f"must be at most {NOTE_CHARS} characters")
    return text or None

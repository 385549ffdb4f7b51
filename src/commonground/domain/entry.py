"""How an operation came to be entered: on time, after the fact (exigent), or phoned in to the watch.

An operation entered late is one the other agencies could not have been warned of; the rule makes
the late entry say why, so it is flagged in every view and counted in the reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from commonground.domain.drafts import text
from commonground.domain.errors import InvalidInput
from commonground.domain.model import PhoneIn
from commonground.domain.timewindow import TimeWindow

# A start this far in the past is after the fact: it needs an exigent reason.
LATE_ENTRY = timedelta(minutes=15)


def parse_exigent(data: Mapping[str, Any]) -> str | None:
    """Return the exigent reason a submission gives, or None; an ``exigent`` without a reason is refused."""
    raw = data.get("exigent")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidInput("exigent", "must be an object with a reason")
    return text(raw, "reason", "exigent.reason", required=True, limit=500, multiline=True)


def check_start(window: TimeWindow, now: datetime, exigent_reason: str | None) -> None:
    """Refuse a start more than ``LATE_ENTRY`` before ``now`` unless the entry says why it is late."""
    if exigent_reason is None and window.starts_at < now - LATE_ENTRY:
        minutes = int(LATE_ENTRY.total_seconds() // 60)
        raise InvalidInput(
            "starts_at",
            f"starts more than {minutes} minutes ago; to enter an operation after the fact, "
            'give "exigent": {"reason": ...}',
        )


def parse_phone_in(raw: Mapping[str, Any], entered_by: str) -> tuple[str, PhoneIn]:
    """Return the agency an ``on_behalf_of`` names and who called; every part is required."""
    agency_id = text(raw, "agency_id", "on_behalf_of.agency_id", required=True, limit=36)
    name = text(raw, "caller_name", "on_behalf_of.caller_name", required=True)
    phone = text(raw, "caller_phone", "on_behalf_of.caller_phone", required=True, limit=40)
    assert agency_id is not None and name is not None and phone is not None
    if sum(ch.isdigit() for ch in phone) < 3:
        raise InvalidInput("on_behalf_of.caller_phone", "must be a telephone number someone can call")
    return agency_id, PhoneIn(name, phone, entered_by)

"""Near-misses: teams that met without knowing of each other, recorded so the gap can be counted and closed.

A near-miss names the operations involved; the agencies that run them and the watch center see
it, nobody else. Nothing about it is needed to complete an operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commonground.domain.drafts import text
from commonground.domain.errors import InvalidInput
from commonground.domain.timewindow import isoformat, parse_instant

MAX_OPERATIONS = 10
MAX_DESCRIPTION = 4000
# A near-miss is reported after it happened; clocks on phones run a little ahead.
FUTURE_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class NearMissReport:
    """What a caller reports, validated: the operations involved, what happened, and when."""

    operation_ids: tuple[str, ...]
    description: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Involved:
    """One operation a near-miss names, with the agency that runs it."""

    operation_id: str
    agency_id: str


@dataclass(frozen=True, slots=True)
class NearMiss:
    id: str
    at: datetime
    description: str
    involved: tuple[Involved, ...]
    reported_by: str  # the user
    reported_by_agency: str
    recorded_at: datetime

    @property
    def agency_ids(self) -> frozenset[str]:
        return frozenset(i.agency_id for i in self.involved)


@dataclass(frozen=True, slots=True)
class NearMissView:
    """A near-miss as the agencies involved and the watch see it: agency names, no operation details."""

    id: str
    at: datetime
    description: str
    operations: tuple[tuple[str, str, str], ...]  # (operation id, agency id, agency name)
    reported_by_agency: tuple[str, str]  # (agency id, name)
    recorded_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": isoformat(self.at),
            "description": self.description,
            "operations": [{"id": o, "agency_id": a, "agency": name} for o, a, name in self.operations],
            "reported_by_agency": {"id": self.reported_by_agency[0], "name": self.reported_by_agency[1]},
            "recorded_at": isoformat(self.recorded_at),
        }


def parse_near_miss(raw: Mapping[str, Any], now: datetime) -> NearMissReport:
    """Validate a report: 1-10 distinct operation ids, a description, and a past time with a zone."""
    listed = raw.get("operation_ids")
    if not isinstance(listed, list) or not listed:
        raise InvalidInput("operation_ids", "must be a list of one or more operation ids")
    if len(listed) > MAX_OPERATIONS:
        raise InvalidInput("operation_ids", f"at most {MAX_OPERATIONS}")
    ids: list[str] = []
    for i, value in enumerate(listed):
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise InvalidInput(f"operation_ids.{i}", "must be an operation id")
        if value.strip() in ids:
            raise InvalidInput(f"operation_ids.{i}", "is named twice")
        ids.append(value.strip())
    description = text(raw, "description", "description", required=True, limit=MAX_DESCRIPTION, multiline=True)
    assert description is not None
    if raw.get("at") is None:
        raise InvalidInput("at", "is required")
    at = parse_instant(raw["at"], "at")
    if at > now + FUTURE_SKEW:
        raise InvalidInput("at", "is in the future; a near-miss is reported after it happened")
    return NearMissReport(tuple(ids), description, at)

"""Critical incidents during an operation: what happened, when, where, and whether help is wanted.

A host watch commander must not learn of a shooting in the city from the news: an incident goes
at once to the agencies whose jurisdiction holds the place, to every agency in an open conflict
with the operation and to the watch center, whatever the operation said about notice timing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area, LonLat, centroid, intersects_polygon, point_area
from commonground.domain.model import Agency, Operation
from commonground.domain.strings import one_of, plain
from commonground.domain.timewindow import parse_instant

SUMMARY_CHARS = 2_000
# An incident is reported as it happens: a time more than this ahead of the clock is a mistake.
FUTURE_SLACK = timedelta(minutes=5)
# Not acknowledged by any recipient within this, the watch center is alerted again.
ACK_WITHIN = timedelta(minutes=5)


class IncidentKind(StrEnum):
    SHOTS_FIRED = "shots_fired"
    USE_OF_FORCE = "use_of_force"
    INJURY = "injury"
    VEHICLE_COLLISION = "vehicle_collision"
    CROWD = "crowd"
    OTHER = "other"


class RecipientReason(StrEnum):
    """Why an agency was told: the place is in its jurisdiction, or it is in conflict with the operation."""

    HOST = "host"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Incident:
    """One reported incident; ``agency_id`` is the operating agency's."""

    id: str
    operation_id: str
    agency_id: str
    kind: IncidentKind
    at: datetime
    summary: str
    location: LonLat
    assistance_requested: bool
    reported_by: str
    reported_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None  # the agency whose member acknowledged first
    escalated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncidentDraft:
    """What a report said, checked; the place falls back to the operation's own."""

    kind: IncidentKind
    at: datetime
    summary: str
    location: LonLat
    assistance_requested: bool


def kind_from(value: object) -> IncidentKind:
    """Read ``kind``, naming the values allowed when it is not one of them."""
    return one_of(IncidentKind, value, "kind")


def summary_from(value: object) -> str:
    """Read ``summary``: plain text, not blank, at most 2,000 characters."""
    if not isinstance(value, str):
        raise InvalidInput("summary", "must be text")
    text = plain(value.strip(), "summary", multiline=True)
    if not text:
        raise InvalidInput("summary", "must not be blank")
    if len(text) > SUMMARY_CHARS:
        raise InvalidInput("summary", f"must be at most {SUMMARY_CHARS} characters")
    return text


def location_from(value: object, op: Operation) -> LonLat:
    """Read the optional GeoJSON ``location`` point; absent, the operation's point or centroid."""
    if value is None:
        return centroid(op.area)
    if not isinstance(value, Mapping) or value.get("type") != "Point":
        raise InvalidInput("location", 'must be a GeoJSON Point {"type": "Point", "coordinates": [lon, lat]}')
    coords = value.get("coordinates")
    if not isinstance(coords, list | tuple) or len(coords) != 2:
        raise InvalidInput("location.coordinates", "must be [lon, lat]")
    return point_area(coords[1], coords[0], 0, "location").coordinates[0]


def draft_from(body: Mapping[str, object], op: Operation, now: datetime) -> IncidentDraft:
    """Check a report's every field, naming the first one wrong."""
    at = parse_instant(body.get("at"), "at")
    if at > now + FUTURE_SLACK:
        raise InvalidInput("at", "must not be in the future")
    assistance = body.get("assistance_requested")
    if not isinstance(assistance, bool):
        raise InvalidInput("assistance_requested", "must be true or false")
    return IncidentDraft(
        kind_from(body.get("kind")),
        at,
        summary_from(body.get("summary")),
        location_from(body.get("location"), op),
        assistance,
    )


def hosts_of(place: LonLat, owner_id: str, agencies: Iterable[Agency]) -> list[Agency]:
    """The other agencies whose jurisdiction (holes cut out) holds the place, whatever their notice choices:
    a critical incident is not a notice an agency may decline."""
    point = Area("Point", (place,), 0.0)
    return [
        a
        for a in agencies
        if a.id != owner_id and a.jurisdiction and intersects_polygon(point, a.jurisdiction, a.jurisdiction_holes)
    ]


def overdue(incident: Incident, now: datetime) -> bool:
    """Say whether the incident owes the watch center an escalation: unacknowledged for ``ACK_WITHIN``."""
    return (
        incident.acknowledged_at is None and incident.escalated_at is None and now - incident.reported_at >= ACK_WITHIN
    )

"""Critical incidents: what the operating agency reports and what its recipients are shown."""

from __future__ import annotations

from typing import Literal

from pydantic import StrictBool

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.api.schemas.operations import OperationPublic
from commonground.domain.incidents import IncidentKind

POINT_EXAMPLE = {"type": "Point", "coordinates": [-93.265, 44.9778]}


class IncidentPoint(Strict):
    type: Literal["Point"] = described("Always `Point`.", "Point")
    coordinates: list[float] = described("`[lon, lat]`, WGS84.", [-93.265, 44.9778])


class IncidentCreate(Strict):
    kind: IncidentKind = described("What happened.", "shots_fired")
    at: Instant = described("When it happened, with its UTC offset (a time without one is refused).", TIME_EXAMPLE)
    summary: str = described("What happened, in a few words (at most 2,000 characters).", "Shots fired, no injuries")
    location: IncidentPoint | None = described(
        "Where, as a GeoJSON Point; absent, the operation's point or centroid.", POINT_EXAMPLE, default=None
    )
    assistance_requested: StrictBool = described("Whether the team asks local units for help.", True)


class IncidentPointPublic(Public):
    type: Literal["Point"] = described("Always `Point`.", "Point")
    coordinates: list[float] = described("`[lon, lat]`, WGS84.", [-93.265, 44.9778])


class IncidentPublic(Public):
    id: str = described("Incident id.", ID_EXAMPLE)
    kind: IncidentKind = described("What happened.", "shots_fired")
    at: Instant = described("When it happened.", TIME_EXAMPLE)
    location: IncidentPointPublic = described("Where it happened.", POINT_EXAMPLE)
    assistance_requested: bool = described("Whether the team asks local units for help.", True)
    reported_at: Instant = described("When it was reported here.", TIME_EXAMPLE)
    acknowledged_at: Instant | None = described(
        "When an agency told of it (or the watch center) first acknowledged it; null before.", None
    )
    escalated_at: Instant | None = described(
        "When the watch center was alerted that nobody had acknowledged it in 5 minutes; null if not.", None
    )
    operation: OperationPublic = described(
        "The operation, at `safety` (in full to its own agency).", {"id": ID_EXAMPLE, "level_disclosed": "safety"}
    )
    summary: str | None = described(
        "The operating agency's words: shown to it and the watch center only, absent for others.",
        "Shots fired, no injuries",
        default=None,
    )


class IncidentsPublic(Public):
    items: list[IncidentPublic] = described("Incidents the caller's agency may see, newest first.", [])
    next: str | None = next_cursor()

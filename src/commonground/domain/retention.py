"""How long details are kept, and what an operation keeps once they are purged.

Operation details are needed for weeks; subjects (clear or blinded) never past five years
(28 CFR Part 23); audit records at least a year (CJIS). A purged operation stays as a shell
that conflicts, notices and reports still count: its id, agency, times, the extent of its
area, its type, purpose, risk and status, and when it was purged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from commonground.domain.geometry import Area, LonLat
from commonground.domain.model import Contact, Operation, Team
from commonground.domain.targets import Target
from commonground.domain.timewindow import isoformat

# What a peer's operation, as this installation keeps it, keeps once purged: who, at what level, when.
KEPT_OF_DISCLOSED = ("id", "level_disclosed", "agency", "window")

SUBJECT_DAYS_CAP = 1826  # five years, leap days included
AUDIT_DAYS_MIN = 365


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """The three periods; a subject period past five years or an audit period under one is refused."""

    operation_days: int = 90
    subject_days: int = SUBJECT_DAYS_CAP
    audit_days: int = AUDIT_DAYS_MIN

    def __post_init__(self) -> None:
        if self.operation_days < 1:
            raise ValueError("operation details are kept at least 1 day after the operation ends")
        if not 1 <= self.subject_days <= SUBJECT_DAYS_CAP:
            raise ValueError(f"subjects are kept between 1 and {SUBJECT_DAYS_CAP} days")
        if self.audit_days < AUDIT_DAYS_MIN:
            raise ValueError(f"audit records are kept at least {AUDIT_DAYS_MIN} days")

    def operations_ended_before(self, now: datetime) -> datetime:
        """Operations that ended before this instant lose their details."""
        return now - timedelta(days=self.operation_days)

    def subjects_entered_before(self, now: datetime) -> datetime:
        """Operations entered before this instant lose their subjects, whatever their state."""
        return now - timedelta(days=self.subject_days)

    def audit_before(self, now: datetime) -> datetime:
        """Audit records older than this instant may be pruned (up to a signed checkpoint)."""
        return now - timedelta(days=self.audit_days)


def extent(area: Area) -> Area:
    """Return the box around ``area`` (a point stays a point), keeping its buffer."""
    if area.is_point:
        return area
    lons = [lon for lon, _ in area.coordinates]
    lats = [lat for _, lat in area.coordinates]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    ring = ((west, south), (east, south), (east, north), (west, north), (west, south))
    return Area("Polygon", ring, area.radius_m)


def purged(op: Operation, at: datetime) -> Operation:
    """Return the shell of ``op``: every detail a person typed is gone, what reports count stays."""
    return replace(
        op,
        title="",
        case_number=None,
        area=extent(op.area),
        address=None,
        contact=Contact("", ""),
        team=Team(),
        notes=None,
        subjects=(),
        after_action=None if op.after_action is None else op.after_action.counted(),
        version=op.version + 1,
        updated_at=at,
        purged_at=at,
    )


def purged_target(target: Target, at: datetime) -> Target:
    """Return the shell of a case target: who held it, its purpose and times stay; what identifies anyone goes."""
    return replace(target, case_number="", subjects=(), contact=Contact("", ""), purged_at=at)


def purged_disclosure(view: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """Return the shell of a peer's operation as disclosed here (a pair's counterpart, a notice's operation).

    The same period as ours: its contact and team go, its area becomes the box around it."""
    kept = {key: view[key] for key in KEPT_OF_DISCLOSED if key in view}
    area = view.get("area")
    boxed = _boxed(area) if isinstance(area, Mapping) else None
    shell = {"contact": Contact("", "").to_dict(), "team": Team().to_dict(), "purged_at": isoformat(at)}
    return kept | shell | {"area": area if boxed is None else boxed.to_geojson()}


def is_shell(view: Mapping[str, Any]) -> bool:
    """Whether a peer's operation as kept here is already ``purged_disclosure``'s shell."""
    return "purged_at" in view


def _boxed(area: Mapping[str, Any]) -> Area | None:
    """The box around a disclosed GeoJSON area, or None when it is not one this reads (then it is kept)."""
    kind, coordinates, radius = area.get("type"), area.get("coordinates"), area.get("radius_m", 0.0)
    if kind == "Polygon" and isinstance(coordinates, list) and coordinates:
        coordinates = coordinates[0]  # the outer ring holds the holes
    elif kind == "Point":
        coordinates = [coordinates]
    points = _positions(coordinates) if kind in ("Point", "LineString", "Polygon") else None
    if not points or not isinstance(radius, int | float):
        return None
    return extent(Area("Point" if kind == "Point" else "Polygon", points, float(radius)))


def _positions(raw: object) -> tuple[LonLat, ...] | None:
    if not isinstance(raw, list):
        return None
    points: list[LonLat] = []
    for position in raw:
        if not (
            isinstance(position, list) and len(position) >= 2 and all(isinstance(v, int | float) for v in position)
        ):
            return None
        points.append((float(position[0]), float(position[1])))
    return tuple(points)


def without_subjects(op: Operation, at: datetime) -> Operation:
    """Return ``op`` with its subjects removed (kept past the subject period), nothing else changed."""
    return replace(op, subjects=(), version=op.version + 1, updated_at=at)

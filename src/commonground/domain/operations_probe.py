"""A stand-in operation that lets a place-and-time question use the candidate index."""

from __future__ import annotations

from commonground.domain.geometry import Area
from commonground.domain.model import Contact, Operation, OperationStatus, Risk, Team
from commonground.domain.policy import Purpose
from commonground.domain.timewindow import TimeWindow

PROBE_ID = "probe"


def probe(area: Area, window: TimeWindow) -> Operation:
    """Return an operation nobody owns, live, at ``area`` during ``window``."""
    return Operation(
        id=PROBE_ID,
        agency_id="",
        type="other",
        purpose=Purpose.OTHER,
        title="",
        case_number=None,
        area=area,
        address=None,
        window=window,
        contact=Contact("", ""),
        team=Team(),
        risk=Risk.LOW,
        notice=None,
        notes=None,
        subjects=(),
        status=OperationStatus.PLANNED,
        version=0,
        created_by="",
        created_at=window.starts_at,
        updated_at=window.starts_at,
    )

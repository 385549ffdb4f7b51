"""The operation a benchmark probe checks: nobody's, live, at a place and time it draws."""

from __future__ import annotations

from commonground.domain.geometry import Area
from commonground.domain.model import Contact, Operation, OperationStatus, Risk, Team
from commonground.domain.policy import Purpose
from commonground.domain.timewindow import TimeWindow


def probe(area: Area, window: TimeWindow) -> Operation:
    """Return an operation nobody owns, live, at ``area`` during ``window``."""
    return Operation(
        id="probe",
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

"""Domain values for unit tests, with sensible defaults."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from commonground.domain.geometry import Area
from commonground.domain.model import Agency, Contact, Operation, OperationStatus, Risk, Team
from commonground.domain.policy import AgencyLevel, NoticeTiming, Policy, Purpose
from commonground.domain.timewindow import TimeWindow

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
_ids = itertools.count(1)


def agency(level: str = "local", policy: Policy | None = None, **kw: Any) -> Agency:
    n = next(_ids)
    return Agency(
        id=f"ag{n:04d}",
        ori=f"XX{n:07d}",
        name=f"Agency {n}",
        level=AgencyLevel(level),
        duty_phone="+1 555 0100",
        timezone="UTC",
        policy=policy or Policy(),
        **kw,
    )


def operation(
    owner: Agency,
    lon: float = -93.265,
    lat: float = 44.9778,
    radius: float = 100,
    start: datetime = T0,
    hours: float = 2,
    **kw: Any,
) -> Operation:
    n = next(_ids)
    op = Operation(
        id=f"op{n:06d}",
        agency_id=owner.id,
        type="search_warrant",
        purpose=Purpose.CRIMINAL,
        title=f"Secret title {n}",
        case_number=f"CASE-{n}",
        area=Area("Point", ((lon, lat),), radius),
        address="12 Secret St",
        window=TimeWindow(start, start + timedelta(hours=hours)),
        contact=Contact("Sgt. Contact", "+1 612 555 0100", "TAC 1"),
        team=Team(6, None, "grey SUV"),
        risk=Risk.HIGH,
        notice=NoticeTiming.AT_SUBMIT,
        notes="secret notes",
        subjects=({"kind": "person", "last_name": "Secretname"},),
        status=OperationStatus.PLANNED,
        version=1,
        created_by="u1",
        created_at=T0,
        updated_at=T0,
    )
    return replace(op, **kw)

"""Participation reports: per agency and period; the public one needs no sign-in and hides small counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from commonground.api.deps import Public, ReportReader, ServicesDep
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.reports import ParticipationPublic

router = APIRouter(tags=["reports"], route_class=PublicRoute)

From = Annotated[
    str, Query(alias="from", description="Start of the period, with a zone.", examples=["2026-11-01T00:00:00Z"])
]
To = Annotated[
    str, Query(description="End of the period (not included), with a zone.", examples=["2026-12-01T00:00:00Z"])
]


@router.get("/reports/participation", responses=fails(422))
def participation(services: ServicesDep, who: ReportReader, since: From, to: To) -> ParticipationPublic:
    """Each agency's figures for the period: every agency for auditors and the watch, the own for an agency admin."""
    return ParticipationPublic.model_validate(services.participation.report(who, since, to))


@router.get("/reports/public", responses=fails(404, 422))
def public(services: ServicesDep, _: Public, since: From, to: To) -> ParticipationPublic:
    """The same figures for anyone, every count below 10 shown as `"<10"`; 404 when the installation switched it off."""
    return ParticipationPublic.model_validate(services.participation.public(since, to))

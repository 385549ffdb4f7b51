"""Jurisdiction notices, dispatcher look-ups, and the transparency report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from commonground.api.deps import Auditor, Dispatcher, NoticesUser, ServicesDep, UserManager, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.routes.agencies import agency_public
from commonground.api.schemas.agencies import JURISDICTION_EXAMPLE, AgencyPublic
from commonground.api.schemas.audit import TransparencyPublic
from commonground.api.schemas.sharing import LookupPublic, NoticePublic, NoticeResponseIn, NoticesPublic
from commonground.domain.timewindow import parse_instant

router = APIRouter(tags=["sharing"], route_class=PublicRoute)


@router.get("/notices", responses=fails(422))
def list_notices(
    request: Request, services: ServicesDep, who: NoticesUser, limit: int | None = None, cursor: str | None = None
) -> NoticesPublic:
    """Other agencies' operations inside the caller's jurisdiction, at the `safety` level."""
    page = services.notices.list(who, page_limit(request, limit), cursor)
    return NoticesPublic.model_validate({"items": [n.to_dict() for n in page.items], "next": page.next})


@router.post("/notices/{notice_id}/response", responses=fails(403, 404, 422))
def respond_to_notice(notice_id: str, body: NoticeResponseIn, services: ServicesDep, who: NoticesUser) -> NoticePublic:
    """The host agency answers a notice (`aware_not_assisting` states non-participation); it may change it."""
    view = services.notices.respond(who, notice_id, body.response, body.note)
    return NoticePublic.model_validate(view.to_dict())


@router.get("/lookup", responses=fails(422, 429))
def lookup(
    services: ServicesDep,
    who: Dispatcher,
    lat: float,
    lon: float,
    radius_m: float | None = None,
    at: str | None = None,
) -> LookupPublic:
    """Who is operating within `radius_m` (default 300) of the point now, or at `at`, here and at every peer.

    Their contacts are told; a peer that did not answer is listed in `federation.unchecked`."""
    when = None if at is None else parse_instant(at, "at")
    return LookupPublic.model_validate(services.federated_lookups.lookup(who, lat, lon, radius_m, when).to_dict())


@router.put("/agencies/{agency_id}/jurisdiction", responses=fails(404, 422))
def put_jurisdiction(
    agency_id: str,
    services: ServicesDep,
    who: UserManager,
    body: dict[str, Any] | None = Body(
        default=None,
        description="A GeoJSON Polygon or MultiPolygon, `[lon, lat]`; null clears the jurisdiction.",
        examples=[JURISDICTION_EXAMPLE],
    ),
) -> AgencyPublic:
    """Set where the agency is the host agency, for notices; null clears it."""
    return agency_public(services.accounts.set_jurisdiction(who, agency_id, body), with_policy=False)


@router.get("/reports/transparency", responses=fails())
def transparency(services: ServicesDep, who: Auditor) -> TransparencyPublic:
    """Counts an oversight body can publish: notices by status, suppressed subject matches."""
    return TransparencyPublic.model_validate(services.audit.transparency(who))

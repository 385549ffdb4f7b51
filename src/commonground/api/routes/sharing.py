"""Jurisdiction notices, dispatcher look-ups, and the transparency report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from commonground.api.deps import (
    Auditor,
    Dispatcher,
    NoticeResponder,
    NoticesUser,
    ServicesDep,
    UserManager,
    page_limit,
)
from commonground.api.geojson import GEOJSON_ANSWER, feature_collection, wants_geojson
from commonground.api.responses import PublicRoute, fails
from commonground.api.routes.agencies import agency_public
from commonground.api.schemas.agencies import JURISDICTION_EXAMPLE, AgencyPublic
from commonground.api.schemas.audit import TransparencyPublic
from commonground.api.schemas.sharing import LookupPublic, NoticePublic, NoticeResponseCreate, NoticesPublic
from commonground.domain.timewindow import parse_instant

router = APIRouter(tags=["sharing"], route_class=PublicRoute)


@router.get("/notices", response_model=NoticesPublic, responses=fails(422) | GEOJSON_ANSWER)
def list_notices(
    request: Request, services: ServicesDep, who: NoticesUser, limit: int | None = None, cursor: str | None = None
) -> NoticesPublic | JSONResponse:
    """Other agencies' operations inside the caller's jurisdiction, at the `safety` level.

    `Accept: application/geo+json` answers a FeatureCollection whose properties are the same notices."""
    page = services.notices.list(who, page_limit(request, limit), cursor)
    answer = NoticesPublic.model_validate({"items": [n.to_dict() for n in page.items], "next": page.next})
    if wants_geojson(request):
        items = answer.model_dump(mode="json", exclude_unset=True)["items"]
        return feature_collection(items, lambda item: item["operation"].get("area"), page.next)
    return answer


@router.post("/notices/{notice_id}/response", responses=fails(403, 404, 422))
def respond_to_notice(
    notice_id: str, body: NoticeResponseCreate, services: ServicesDep, who: NoticeResponder
) -> NoticePublic:
    """The host agency's answer to a notice: `aware_not_assisting` records awareness for officer safety and
    states non-participation. The operating agency sees it on its operation and hears it live
    (`notice.responded`); it can be changed, and every change is audited."""
    view = services.notice_responses.respond(who, notice_id, body.response.value, body.note)
    return NoticePublic.model_validate(view.to_dict())


@router.get("/lookup", response_model=LookupPublic, responses=fails(422, 429) | GEOJSON_ANSWER)
def lookup(
    request: Request,
    services: ServicesDep,
    who: Dispatcher,
    lat: float,
    lon: float,
    radius_m: float | None = None,
    at: str | None = None,
) -> LookupPublic | JSONResponse:
    """Who is operating within `radius_m` (default 300) of the point now, or at `at`, here and at every peer.

    Their contacts are told; a peer that did not answer is listed in `federation.unchecked`.
    `Accept: application/geo+json` answers a FeatureCollection: one Feature per operation, its
    properties the same item, `at` and `federation` beside the features."""
    when = None if at is None else parse_instant(at, "at")
    answer = LookupPublic.model_validate(services.federated_lookups.lookup(who, lat, lon, radius_m, when).to_dict())
    if wants_geojson(request):
        found = answer.model_dump(mode="json", exclude_unset=True)
        members = {"at": found["at"], "federation": found["federation"]}
        return feature_collection(found["operations"], lambda item: item.get("area"), None, members)
    return answer


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

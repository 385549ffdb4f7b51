"""The CAD premise-alert feed for 911 centres: who is operating in the service area now or within 2 h."""

from __future__ import annotations

from fastapi import APIRouter

from commonground.api.deps import Dispatcher, ServicesDep
from commonground.api.responses import PublicRoute, fails
from commonground.api.routes.operations import parse_bbox
from commonground.api.schemas.cad import CadFeedPublic

router = APIRouter(tags=["cad"], route_class=PublicRoute)


@router.get("/cad/alerts", responses=fails(422))
def cad_alerts(services: ServicesDep, who: Dispatcher, bbox: str | None = None) -> CadFeedPublic:
    """Premise alerts for the caller agency's service area (its jurisdiction): every operation active now or
    starting within 2 h, at the `safety` level, each shaped after NENA's EIDO (docs/cad.md). `bbox`
    (`minlon,minlat,maxlon,maxlat`) narrows it. 403 when the agency has no jurisdiction. Audited."""
    return CadFeedPublic.model_validate(services.cad_alerts.feed(who, parse_bbox(bbox)).to_dict())

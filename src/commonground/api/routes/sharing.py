"""Jurisdiction notices, dispatcher look-ups, and the transparency report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from commonground.api.deps import Auditor, Dispatcher, NoticesUser, ServicesDep, UserManager, page_limit
from commonground.api.routes.agencies import agency_public
from commonground.domain.timewindow import parse_instant

router = APIRouter(tags=["sharing"])


@router.get("/notices")
def list_notices(
    request: Request, services: ServicesDep, who: NoticesUser, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    page = services.notices.list(who, page_limit(request, limit), cursor)
    return {"items": list(page.items), "next": page.next}


@router.get("/lookup")
def lookup(
    services: ServicesDep,
    who: Dispatcher,
    lat: float,
    lon: float,
    radius_m: float | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    when = None if at is None else parse_instant(at, "at")
    return services.lookups.lookup(who, lat, lon, radius_m, when)


@router.put("/agencies/{agency_id}/jurisdiction")
def put_jurisdiction(
    agency_id: str, services: ServicesDep, who: UserManager, body: dict[str, Any] | None = Body(default=None)
) -> dict[str, Any]:
    return agency_public(services.accounts.set_jurisdiction(who, agency_id, body), with_policy=False)


@router.get("/reports/transparency")
def transparency(services: ServicesDep, who: Auditor) -> dict[str, Any]:
    return services.audit.transparency(who)

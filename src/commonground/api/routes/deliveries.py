"""Deliveries: an agency's failed (or pending, or sent) deliveries, and sending one again."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import DeliveriesAdmin, ServicesDep, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.deliveries import DeliveriesPublic, DeliveryPublic

router = APIRouter(tags=["deliveries"], route_class=PublicRoute)


@router.get("/agencies/{agency_id}/deliveries", responses=fails(404, 422))
def list_deliveries(
    request: Request,
    agency_id: str,
    services: ServicesDep,
    who: DeliveriesAdmin,
    status: str = "failed",
    limit: int | None = None,
    cursor: str | None = None,
) -> DeliveriesPublic:
    """The agency's deliveries by status, newest first; `failed` also holds those raised as `delivery.failing`."""
    page = services.failed_deliveries.list(who, agency_id, status, page_limit(request, limit), cursor)
    return DeliveriesPublic.model_validate({"items": page.items, "next": page.next})


@router.post("/deliveries/{delivery_id}/redeliver", responses=fails(404, 422))
def redeliver(delivery_id: str, services: ServicesDep, who: DeliveriesAdmin) -> DeliveryPublic:
    """Send a delivery again at once, with its retries back and the same idempotency key."""
    return DeliveryPublic.model_validate(services.failed_deliveries.redeliver(who, delivery_id))

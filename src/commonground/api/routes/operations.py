"""Operations: submit (with the conflict check), list, read, change, cancel, complete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from commonground.api.deps import OperationsUser, ServicesDep, page_limit
from commonground.api.schemas import OperationCreate, OperationPatch, dump
from commonground.domain.errors import InvalidInput
from commonground.domain.model import OperationStatus
from commonground.domain.policy import parse_enum
from commonground.domain.timewindow import parse_instant
from commonground.service.ports import OperationFilter

router = APIRouter(tags=["operations"])


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        raise InvalidInput("bbox", "must be minlon,minlat,maxlon,maxlat") from None
    if len(parts) != 4:
        raise InvalidInput("bbox", "must be minlon,minlat,maxlon,maxlat")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("bbox", "must be minlon,minlat,maxlon,maxlat within -180..180 and -90..90")
    return (min_lon, min_lat, max_lon, max_lat)


@router.post("/operations", status_code=201)
def submit(body: OperationCreate, services: ServicesDep, who: OperationsUser) -> dict[str, Any]:
    view, conflicts = services.operations.submit(who, dump(body))
    return {**view, "conflicts": conflicts}


@router.get("/operations")
def list_operations(
    request: Request,
    services: ServicesDep,
    who: OperationsUser,
    active_at: str | None = None,
    bbox: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    where = OperationFilter(
        agency_id=who.agency.id,
        active_at=None if active_at is None else parse_instant(active_at, "active_at"),
        bbox=parse_bbox(bbox),
        status=None if status is None else parse_enum(OperationStatus, status, "status"),
    )
    page = services.operations.list(who, where, page_limit(request, limit), cursor)
    return {"items": list(page.items), "next": page.next}


@router.get("/operations/{operation_id}")
def get_operation(operation_id: str, services: ServicesDep, who: OperationsUser) -> dict[str, Any]:
    return services.operations.get(who, operation_id)


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        raise InvalidInput("If-Match", "send the version you are changing, e.g. If-Match: 3")
    try:
        return int(if_match.strip().strip("W/").strip('"'))
    except ValueError:
        raise InvalidInput("If-Match", "must be the operation's version number") from None


@router.patch("/operations/{operation_id}")
def patch_operation(
    operation_id: str,
    body: OperationPatch,
    services: ServicesDep,
    who: OperationsUser,
    if_match: str | None = Header(default=None),
) -> dict[str, Any]:
    view, conflicts = services.operations.update(who, operation_id, dump(body), _version(if_match))
    return {**view, "conflicts": conflicts}


@router.post("/operations/{operation_id}/cancel")
def cancel(operation_id: str, services: ServicesDep, who: OperationsUser) -> dict[str, Any]:
    return services.operations.finish(who, operation_id, OperationStatus.CANCELLED)


@router.post("/operations/{operation_id}/complete")
def complete(operation_id: str, services: ServicesDep, who: OperationsUser) -> dict[str, Any]:
    return services.operations.finish(who, operation_id, OperationStatus.COMPLETED)

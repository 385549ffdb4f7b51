"""Operations: submit (with the conflict check), list, read, change, cancel, complete."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from commonground.api import kml
from commonground.api.deps import OperationsUser, ServicesDep, page_limit
from commonground.api.geojson import GEOJSON_ANSWER, feature_collection, wants_geojson
from commonground.api.kml import KML_ANSWER, wants_kml
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import dump
from commonground.api.schemas.conflicts import OperationCheckedPublic
from commonground.api.schemas.operations import (
    OperationCompletion,
    OperationCreate,
    OperationPatch,
    OperationPublic,
    OperationsPublic,
)
from commonground.domain.errors import InvalidInput
from commonground.domain.model import OperationStatus
from commonground.domain.policy import parse_enum
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.domain.timewindow import parse_instant
from commonground.domain.views import ConflictView, HostResponseView, OperationView
from commonground.service.federation import Checked
from commonground.service.ports import OperationFilter

router = APIRouter(tags=["operations"], route_class=PublicRoute)


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


def operation_public(
    view: OperationView, unchecked: list[str] | None = None, answers: Sequence[HostResponseView] = ()
) -> OperationPublic:
    extra: dict[str, object] = {"federation_unchecked": unchecked} if unchecked else {}
    if answers:  # the host agencies' answers, for its own agency only
        extra["host_responses"] = [a.to_dict() for a in answers]
    return OperationPublic.model_validate({**view.to_dict(), **extra})


def checked_public(
    view: OperationView, conflicts: Sequence[ConflictView], federation: Checked, remote: Sequence[RemoteConflict]
) -> OperationCheckedPublic:
    listed = [*(c.to_dict() for c in conflicts), *(r.to_dict() for r in remote)]  # remote ones name the installation
    return OperationCheckedPublic.model_validate(
        {**view.to_dict(), "conflicts": listed, "federation": federation.to_dict()}
    )


@router.post("/operations", status_code=201, responses=fails(422))
def submit(body: OperationCreate, services: ServicesDep, who: OperationsUser) -> OperationCheckedPublic:
    """Store an operation and check it; the answer lists the conflicts found (empty when clear).

    The watch center enters a phoned-in operation with `on_behalf_of`; it belongs to the caller's agency."""
    entered = services.intake.submit(who, dump(body))
    return checked_public(entered.view, entered.conflicts, entered.checked, entered.remote)


@router.get("/operations", response_model=OperationsPublic, responses=fails(422) | GEOJSON_ANSWER | KML_ANSWER)
def list_operations(
    request: Request,
    services: ServicesDep,
    who: OperationsUser,
    active_at: str | None = None,
    bbox: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> OperationsPublic | Response:
    """The caller's agency's operations; `active_at`, `bbox` and `status` narrow the list.

    `Accept: application/geo+json` answers a FeatureCollection whose properties are the same items;
    `Accept: application/vnd.google-earth.kml+xml` a KML document of the same items (the next page's
    cursor in `X-Next-Cursor`)."""
    where = OperationFilter(
        agency_id=who.agency.id,
        active_at=None if active_at is None else parse_instant(active_at, "active_at"),
        bbox=parse_bbox(bbox),
        status=None if status is None else parse_enum(OperationStatus, status, "status"),
    )
    page = services.operations.list(who, where, page_limit(request, limit), cursor)
    answer = OperationsPublic.model_validate({"items": [v.to_dict() for v in page.items], "next": page.next})
    if wants_geojson(request):
        items = answer.model_dump(mode="json", exclude_unset=True)["items"]
        return feature_collection(items, lambda item: item["area"], page.next)
    if wants_kml(request):
        items = answer.model_dump(mode="json", exclude_unset=True)["items"]
        return kml.document(items, f"{who.agency.name}: operations", page.next)
    return answer


@router.get("/operations/{operation_id}", responses=fails(404, 422))
def get_operation(operation_id: str, services: ServicesDep, who: OperationsUser) -> OperationPublic:
    """The own agency's operation in full; another's only through a conflict, as its policy allows."""
    view = services.operations.get(who, operation_id)
    unchecked = services.reprobe.unchecked_names(who.agency.id, view.id)
    return operation_public(view, unchecked, services.notice_responses.of_operation(who, view.id))


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        raise InvalidInput("If-Match", "send the version you are changing, e.g. If-Match: 3")
    try:
        return int(if_match.strip().strip("W/").strip('"'))
    except ValueError:
        raise InvalidInput("If-Match", "must be the operation's version number") from None


@router.patch("/operations/{operation_id}", responses=fails(404, 409, 422))
def patch_operation(
    operation_id: str,
    body: OperationPatch,
    services: ServicesDep,
    who: OperationsUser,
    if_match: str | None = Header(default=None, description="The version being changed.", examples=["3"]),
) -> OperationCheckedPublic:
    """Change an operation at the version sent; a moved place or time re-runs the check."""
    view, conflicts = services.operations.update(who, operation_id, dump(body), _version(if_match))
    checked, remote = services.intake.probe(who, view, changed=True)
    services.federated_notices.after_check(who, view.id, checked)
    return checked_public(view, conflicts, checked, remote)


@router.post("/operations/{operation_id}/cancel", responses=fails(404, 409, 422))
def cancel(operation_id: str, services: ServicesDep, who: OperationsUser) -> OperationPublic:
    """Cancel; the operation's open conflicts close with it."""
    view = services.operations.finish(who, operation_id, OperationStatus.CANCELLED)
    services.federated_notices.finished(who, operation_id)  # peers told of it hear its exit
    return operation_public(view)


@router.post("/operations/{operation_id}/complete", responses=fails(404, 409, 422))
def complete(
    operation_id: str, services: ServicesDep, who: OperationsUser, body: OperationCompletion | None = None
) -> OperationPublic:
    """Complete; the operation's open conflicts close with it. The body, optional, says how it went."""
    after = None if body is None else dump(body)
    view = services.operations.finish(who, operation_id, OperationStatus.COMPLETED, after)
    services.federated_notices.finished(who, operation_id)  # peers told of it hear its exit
    return operation_public(view)

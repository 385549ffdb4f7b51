"""The API routes' dependencies in one place: the services, and the permission each declares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from commonground.domain.errors import InvalidInput
from commonground.domain.permissions import Permission
from commonground.domain.strings import plain
from commonground.edge.deps import Requires, ServicesDep, get_services, requires
from commonground.service.principal import Principal

Public = Annotated[None, requires(Permission.PUBLIC)]
AnyUser = Annotated[Principal, requires(Permission.AUTHENTICATED)]
InstallationAdmin = Annotated[Principal, requires(Permission.INSTALLATION_ADMIN)]
AgencyAdmin = Annotated[Principal, requires(Permission.AGENCY_ADMIN)]
UserManager = Annotated[Principal, requires(Permission.MANAGE_USERS)]
OperationsUser = Annotated[Principal, requires(Permission.OPERATIONS)]
ConflictsUser = Annotated[Principal, requires(Permission.CONFLICTS)]
Dispatcher = Annotated[Principal, requires(Permission.LOOKUP)]
Verifier = Annotated[Principal, requires(Permission.VERIFY)]
NoticesUser = Annotated[Principal, requires(Permission.NOTICES)]
NoticeResponder = Annotated[Principal, requires(Permission.RESPOND_NOTICES)]
IncidentsUser = Annotated[Principal, requires(Permission.INCIDENTS)]
IncidentAcknowledger = Annotated[Principal, requires(Permission.ACKNOWLEDGE_INCIDENTS)]
Auditor = Annotated[Principal, requires(Permission.AUDIT)]
CheckpointReader = Annotated[Principal, requires(Permission.AUDIT_CHECKPOINTS)]
DeliveriesAdmin = Annotated[Principal, requires(Permission.DELIVERIES)]
WatchCenter = Annotated[Principal, requires(Permission.WATCH_CENTER)]
PlacesWatch = Annotated[Principal, requires(Permission.INSTALLATION_PLACES)]
ReportReader = Annotated[Principal, requires(Permission.REPORTS)]
TargetsUser = Annotated[Principal, requires(Permission.CASE_TARGETS)]


async def plain_query(request: Request) -> None:
    """Refuse a control character in a declared query parameter, as a body's text is refused.

    PostgreSQL cannot hold a NUL and SQLite keeps one; the answer must not depend on the store.
    Parameters a route does not declare are ignored, as FastAPI ignores them. Async: no
    worker-thread hop for a check of a few strings."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    declared = _query_names(route.dependant)
    for name, value in request.query_params.multi_items():
        if name in declared:
            plain(value, name)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for inner in dependant.dependencies:
        names |= _query_names(inner)
    return names


def page_limit(request: Request, limit: int | None) -> int:
    settings = get_services(request).settings
    if limit is None:
        return settings.page_size
    if limit < 1 or limit > settings.max_page_size:
        raise InvalidInput("limit", f"must be between 1 and {settings.max_page_size}")
    return limit


__all__ = [
    "AgencyAdmin",
    "AnyUser",
    "Auditor",
    "CheckpointReader",
    "ConflictsUser",
    "DeliveriesAdmin",
    "Dispatcher",
    "IncidentAcknowledger",
    "IncidentsUser",
    "InstallationAdmin",
    "NoticeResponder",
    "NoticesUser",
    "OperationsUser",
    "Permission",
    "PlacesWatch",
    "Public",
    "ReportReader",
    "Requires",
    "ServicesDep",
    "UserManager",
    "Verifier",
    "WatchCenter",
    "get_services",
    "page_limit",
    "plain_query",
    "requires",
]

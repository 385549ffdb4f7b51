"""The API routes' dependencies in one place: the services, and the permission each declares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request

from commonground.domain.errors import InvalidInput
from commonground.domain.permissions import Permission
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
NoticesUser = Annotated[Principal, requires(Permission.NOTICES)]
Auditor = Annotated[Principal, requires(Permission.AUDIT)]
CheckpointReader = Annotated[Principal, requires(Permission.AUDIT_CHECKPOINTS)]


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
    "Dispatcher",
    "InstallationAdmin",
    "NoticesUser",
    "OperationsUser",
    "Permission",
    "Public",
    "Requires",
    "ServicesDep",
    "UserManager",
    "get_services",
    "page_limit",
    "requires",
]

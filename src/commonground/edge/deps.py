"""The services handle and the permission check every route, API or console, depends on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from starlette.concurrency import run_in_threadpool

from commonground.bootstrap import Services
from commonground.domain.errors import InsufficientScope, NotAuthenticated, NotPermitted
from commonground.domain.permissions import ROLES, Permission, permits
from commonground.domain.scopes import needed
from commonground.edge.cookies import session_principal
from commonground.service.principal import Principal


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def services_dependency(request: Request) -> Services:
    """Async, because FastAPI runs a plain function dependency in a worker thread, and a thread
    hop costs far more than reading an attribute."""
    return get_services(request)


ServicesDep = Annotated[Services, Depends(services_dependency)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class Requires:
    """A route's declared permission, checked before the handler runs."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Principal | None:
        if self.permission is Permission.PUBLIC:
            return None
        if self.inline(request):
            return self.resolve(request)
        return await run_in_threadpool(self.resolve, request)

    def inline(self, request: Request) -> bool:
        """Resolve on the event loop? A bearer token's look-up is one read, and on embedded
        SQLite a read is a local call of a fraction of a millisecond, cheaper than the worker-
        thread hop around it (15% of a submission's CPU). A networked store's read, or a
        console session (which may write), goes to a worker thread."""
        return bearer_token(request) is not None and get_services(request).store.inline_reads

    def resolve(self, request: Request) -> Principal | None:
        """Who is calling, if allowed to: a bearer token, or the console's session cookie."""
        token = bearer_token(request)
        if token is not None:
            principal = get_services(request).accounts.authenticate(token)
        else:  # the console's pages call the API with their session cookie
            found = session_principal(request)
            if found is None:
                raise NotAuthenticated("a bearer token is required")
            principal = found
        request.state.principal = principal
        if not permits(principal.user.roles, self.permission):
            raise NotPermitted(f"this needs one of the roles: {', '.join(sorted(ROLES[self.permission]))}")
        scope = needed(self.permission)
        if not principal.may(self.permission) and scope is not None:  # the roles allow it; the token's scopes do not
            raise InsufficientScope(scope.value)
        return principal


class BearerRequires(Requires, SecurityBase):
    """A permission that needs a caller: the OpenAPI document shows it as the HTTP bearer scheme."""

    model = HTTPBearerModel(description="`Authorization: Bearer <token>`; the console sends its session cookie.")
    scheme_name = "bearer"


def requires(permission: Permission) -> Any:
    return Depends(Requires(permission) if permission is Permission.PUBLIC else BearerRequires(permission))

"""People's accounts after creation: list, change, disable, enable, password and authenticator resets."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from commonground.api.deps import Public, ServicesDep, UserManager, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.routes.agencies import user_public
from commonground.api.schemas.common import dump
from commonground.api.schemas.users import (
    AccountPublic,
    AccountsPublic,
    PasswordResetPublic,
    SetPassword,
    UserPatch,
)
from commonground.domain.model import Role, User
from commonground.domain.policy import parse_enum
from commonground.domain.timewindow import isoformat
from commonground.service.ports import UserFilter

router = APIRouter(tags=["users"], route_class=PublicRoute)
SET_PASSWORD_PAGE = "/set-password"  # noqa: S105 - a page path, not a secret


def account_public(user: User) -> AccountPublic:
    """A user as ``user_public`` shows one, with what its administrators also see."""
    return AccountPublic(
        **user_public(user).model_dump(),
        disabled=user.disabled,
        expires_at=isoformat(user.expires_at) if user.expires_at else None,
    )


@router.get("/users", responses=fails(422))
def list_users(
    request: Request,
    services: ServicesDep,
    who: UserManager,
    agency_id: str | None = None,
    role: str | None = None,
    disabled: bool | None = None,
    username: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> AccountsPublic:
    """People of the agency (any agency's, for the installation admin); filters by role, disabled, username prefix."""
    where = UserFilter(
        agency_id=agency_id,
        role=parse_enum(Role, role, "role").value if role else None,
        disabled=disabled,
        username_prefix=username.lower() if username else None,
    )
    page = services.lifecycle.list(who, where, page_limit(request, limit), cursor)
    return AccountsPublic(items=[account_public(u) for u in page.items], next=page.next)


@router.patch("/users/{user_id}", responses=fails(404, 422))
def update_user(user_id: str, body: UserPatch, services: ServicesDep, who: UserManager) -> AccountPublic:
    """Change a person's display name, phone, e-mail or roles."""
    return account_public(services.lifecycle.update(who, user_id, dump(body)))


@router.post("/users/{user_id}/disable", responses=fails(404, 409, 422))
def disable_user(user_id: str, services: ServicesDep, who: UserManager) -> AccountPublic:
    """Disable a person: every token and console session stops at once."""
    return account_public(services.lifecycle.disable(who, user_id))


@router.post("/users/{user_id}/enable", responses=fails(404, 422))
def enable_user(user_id: str, services: ServicesDep, who: UserManager) -> AccountPublic:
    """Let a disabled person sign in again; their earlier tokens stay revoked."""
    return account_public(services.lifecycle.enable(who, user_id))


@router.post("/users/{user_id}/reset-password", status_code=201, responses=fails(404, 422))
def reset_password(user_id: str, services: ServicesDep, who: UserManager) -> PasswordResetPublic:
    """Issue a one-time set-password token, valid 24 hours and shown only here."""
    reset = services.lifecycle.reset_password(who, user_id)
    return PasswordResetPublic(
        user_id=reset.user_id,
        token=reset.token,
        expires_at=isoformat(reset.expires_at),
        set_password_url=SET_PASSWORD_PAGE,
    )


@router.post("/users/{user_id}/reset-mfa", responses=fails(404, 422))
def reset_mfa(user_id: str, services: ServicesDep, who: UserManager) -> AccountPublic:
    """Remove a person's authenticator; their next console sign-in enrols a new one."""
    return account_public(services.lifecycle.reset_mfa(who, user_id))


@router.post("/auth/set-password", status_code=204, response_class=Response, responses=fails(422, public=True))
def set_password(body: SetPassword, services: ServicesDep, _: Public) -> Response:
    """Set a new password with a set-password token; the token is used up."""
    services.lifecycle.set_password(body.token, body.password)
    return Response(status_code=204)

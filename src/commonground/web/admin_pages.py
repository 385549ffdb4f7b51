"""Agency administration in the console: people, tokens, lockouts, sharing policy, jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StateConflict
from commonground.domain.jurisdictions import to_geojson
from commonground.domain.model import Role
from commonground.domain.permissions import Permission, grantable
from commonground.domain.policy import COUNTERPART_CLASSES, Level, NoticeTiming, Purpose
from commonground.edge.deps import ServicesDep
from commonground.service.principal import Principal
from commonground.web.session import ConsoleRequires, check_csrf, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Principal, Depends(ConsoleRequires(Permission.MANAGE_USERS))]
PolicyOwner = Annotated[Principal, Depends(ConsoleRequires(Permission.AGENCY_ADMIN))]

LEVELS = {
    Level.SAFETY: "Only what keeps officers safe: your agency's name, the on-scene contact and how to reach them, "
    "where and when, and how the team looks (size, attire, vehicles). Always shared; never less.",
    Level.OPERATIONAL: "Safety, plus the kind of operation, its purpose, risk, the address as typed and its status.",
    Level.FULL: "Operational, plus the title, case number, notes and a summary of the subjects.",
}
PURPOSES = {
    Purpose.CRIMINAL: "criminal investigation",
    Purpose.CIVIL_IMMIGRATION: "civil immigration enforcement",
    Purpose.PUBLIC_ORDER: "public order / crowd management",
    Purpose.PROTECTIVE: "protective details",
    Purpose.TRAINING: "training",
    Purpose.OTHER: "other",
}
NOTICES = {
    NoticeTiming.AT_SUBMIT: "as soon as the operation is entered",
    NoticeTiming.AT_START: "when the operation starts",
    NoticeTiming.WITHHELD: "withheld (counted in the transparency report)",
}
ROLES = [r.value for r in Role if r is not Role.ADMIN]


def _page(request: Request, services: ServicesDep, who: Principal, status_code: int = 200, **extra: Any) -> Response:
    agency = services.accounts.get_agency(who.agency.id)
    rings = agency.jurisdiction
    jurisdiction = None if rings is None else to_geojson(rings, agency.jurisdiction_holes)
    return render(
        request,
        "admin.html",
        who,
        status_code=status_code,
        agency=agency,
        policy=agency.policy.to_dict(),
        people=services.signin.users(who, agency.id),
        tokens=services.accounts.list_tokens(who),
        jurisdiction=jurisdiction,
        levels=LEVELS,
        purposes=PURPOSES,
        notices=NOTICES,
        classes=COUNTERPART_CLASSES,
        roles=[r for r in ROLES if Role(r) in grantable(who.user.roles)],  # an agency admin: agency roles only
        owns_policy=who.has(Role.AGENCY_ADMIN),
        **extra,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, services: ServicesDep, who: Manager) -> Response:
    return _page(request, services, who)


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    services: ServicesDep,
    who: Manager,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    password: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    data = {
        "agency_id": who.agency.id,
        "username": username,
        "display_name": display_name,
        "roles": roles or [],
        "password": password or None,
        "phone": phone or None,
    }
    try:
        user = services.accounts.create_user(who, data)
    except (InvalidInput, NotPermitted) as exc:
        return _page(request, services, who, 422, error=str(exc))
    return _page(
        request,
        services,
        who,
        message=f"Created {user.username}. They enrol their authenticator at their first sign-in.",
    )


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    services: ServicesDep,
    who: Manager,
    user_id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    scopes: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    limited = scopes.replace(",", " ").split() or None  # empty: everything the holder's roles allow
    try:
        token, record = services.accounts.create_token(who, user_id, name or "console", scopes=limited)
    except (InvalidInput, NotFound) as exc:
        return _page(request, services, who, 422, error=str(exc))
    return _page(request, services, who, new_token=token, token_expires=record.expires_at)


@router.post("/admin/tokens/revoke", response_class=HTMLResponse)
def revoke_token(
    request: Request,
    services: ServicesDep,
    who: Manager,
    token_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        services.accounts.revoke_token(who, token_id)
    except (NotFound, StateConflict) as exc:
        return _page(request, services, who, 409, error=str(exc))
    return _page(request, services, who, message="Token revoked; it stopped working at once.")


@router.post("/admin/release", response_class=HTMLResponse)
def release(
    request: Request,
    services: ServicesDep,
    who: Manager,
    user_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        services.signin.release(who, user_id)
    except (NotFound, NotPermitted) as exc:
        return _page(request, services, who, 404, error=str(exc))
    return _page(request, services, who, message="Account released; the person may sign in again.")


@router.post("/admin/policy", response_class=HTMLResponse)
def set_policy(
    request: Request,
    services: ServicesDep,
    who: PolicyOwner,
    federal: Annotated[str, Form()] = "safety",
    state: Annotated[str, Form()] = "safety",
    local: Annotated[str, Form()] = "safety",
    tribal: Annotated[str, Form()] = "safety",
    watch: Annotated[str, Form()] = "operational",
    restricted: Annotated[list[str] | None, Form()] = None,
    receive_notices: Annotated[str, Form()] = "",
    allow_withheld: Annotated[str, Form()] = "",
    default_notice: Annotated[str, Form()] = "at_submit",
    proximity_m: Annotated[str, Form()] = "500",
    time_buffer_min: Annotated[str, Form()] = "60",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        data = {
            "disclose": {"federal": federal, "state": state, "local": local, "tribal": tribal, "watch": watch},
            "restricted_purposes": restricted or [],
            "receive_notices": bool(receive_notices),
            "allow_withheld": bool(allow_withheld),
            "default_notice": default_notice,
            "proximity_m": _int(proximity_m, "proximity_m"),
            "time_buffer_min": _int(time_buffer_min, "time_buffer_min"),
            # The page does not edit exceptions (the API does); saving it keeps them.
            "restriction_exceptions": sorted(who.agency.policy.restriction_exceptions),
        }
        policy = services.accounts.set_policy(who, who.agency.id, data)
    except (InvalidInput, NotPermitted) as exc:
        return _page(request, services, who, 422, error=str(exc))
    return _page(request, services, who, message=f"Sharing policy saved (version {policy.version}).")


def _int(raw: str, field: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(field, "must be a whole number") from None


ACCOUNT_ACTIONS = {
    "disable": "Account disabled: its tokens and console sessions stopped at once.",
    "enable": "Account enabled; earlier tokens stay revoked.",
    "reset-mfa": "Authenticator removed; the next sign-in enrols a new one.",
    "reset-password": "Set-password token issued.",
}


@router.post("/admin/account", response_class=HTMLResponse)
def account(
    request: Request,
    services: ServicesDep,
    who: Manager,
    user_id: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Disable, enable, or reset the password or authenticator of one person (docs/security.md)."""
    check_csrf(request, csrf)
    extra: dict[str, Any] = {}
    try:
        if action == "disable":
            services.lifecycle.disable(who, user_id)
        elif action == "enable":
            services.lifecycle.enable(who, user_id)
        elif action == "reset-mfa":
            services.lifecycle.reset_mfa(who, user_id)
        elif action == "reset-password":
            reset = services.lifecycle.reset_password(who, user_id)
            extra = {"reset_token": reset.token, "reset_expires": reset.expires_at.strftime("%Y-%m-%d %H:%M UTC")}
        else:
            raise InvalidInput("action", "must be disable, enable, reset-mfa or reset-password")
    except (NotFound, NotPermitted) as exc:
        return _page(request, services, who, 404, error=str(exc))
    except (InvalidInput, StateConflict) as exc:
        return _page(request, services, who, 422, error=str(exc))
    return _page(request, services, who, message=ACCOUNT_ACTIONS[action], **extra)

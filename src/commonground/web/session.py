"""Console pages' permission, CSRF and template helpers."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from commonground.domain.model import Role
from commonground.domain.permissions import Permission
from commonground.edge.cookies import COOKIE, PRE_COOKIE
from commonground.edge.deps import Requires, get_services
from commonground.service.principal import Principal

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

# What each role sees in the navigation bar, in order.
NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/watch", "Watch", Permission.CONFLICTS),
    ("/operations", "Operations", Permission.OPERATIONS),
    ("/notices", "Notices", Permission.NOTICES),
    ("/lookup", "Look-up", Permission.LOOKUP),
    ("/admin", "Agency", Permission.MANAGE_USERS),
    ("/auditor", "Audit", Permission.AUDIT),
    ("/reports", "Reports", Permission.REPORTS),
)


class SignInRequired(Exception):
    """Raised by a console page for a visitor without a live session: send them to /login."""


class ConsoleForbidden(Exception):
    """Raised when the signed-in person's roles do not include the page's permission."""


class ConsoleRequires(Requires):
    """A console page's declared permission, read from the session cookie instead of a bearer token."""

    def inline(self, request: Request) -> bool:
        return False  # a session look-up may write (touch, expiry)

    def resolve(self, request: Request) -> Principal | None:
        found = get_services(request).signin.session(request.cookies.get(COOKIE))
        if found is None:
            raise SignInRequired()
        record, who = found
        request.state.csrf = record.csrf
        request.state.principal = who
        if not who.may(self.permission):
            raise ConsoleForbidden()
        return who


def check_csrf(request: Request, token: str) -> None:
    """Refuse a form whose CSRF token is not the session's (or, before sign-in, the pre-cookie's)."""
    expected = getattr(request.state, "csrf", None) or request.cookies.get(PRE_COOKIE) or ""
    if not expected or not secrets.compare_digest(token, expected):
        raise ConsoleForbidden()


HOMES: tuple[tuple[Role, str], ...] = (
    (Role.WATCH, "/watch"),
    (Role.OFFICER, "/operations"),
    (Role.SUPERVISOR, "/operations"),
    (Role.DISPATCHER, "/lookup"),
    (Role.AGENCY_ADMIN, "/admin"),
    (Role.ADMIN, "/admin"),
    (Role.AUDITOR, "/auditor"),
)


def home_for(who: Principal) -> str:
    """The first page a person's roles open."""
    return next((path for role, path in HOMES if who.has(role)), "/login")


def render(request: Request, name: str, who: Principal | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the navigation, CSRF token and map settings every page needs."""
    settings = get_services(request).settings
    nav = [(path, label) for path, label, permission in NAV if who is not None and who.may(permission)]
    return templates.TemplateResponse(
        request,
        name,
        {
            "who": who,
            "nav": nav,
            "csrf": getattr(request.state, "csrf", ""),
            "tile_url": settings.console_tile_url,
            "tile_attribution": settings.console_tile_attribution,
            "geocoder_url": settings.console_geocoder_url,
            "home": home_box(who),
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )


def home_box(who: Principal | None) -> str:
    """Where the maps open: the signed-in agency's jurisdiction as "west,south,east,north", or empty."""
    rings = who.agency.jurisdiction if who is not None else None
    points = [point for ring in rings or () for point in ring]
    if not points:
        return ""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return ",".join(f"{v:.5f}" for v in (min(lons), min(lats), max(lons), max(lats)))


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    settings = get_services(request).settings
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=settings.console_cookie_secure, path="/"
    )


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)

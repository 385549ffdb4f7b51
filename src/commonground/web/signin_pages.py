"""Sign-in pages: banner, password and code, first-time authenticator enrolment, sign-out, set-password."""

from __future__ import annotations

import secrets
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from commonground.domain.errors import InvalidInput, NotAuthenticated, RateLimited
from commonground.domain.permissions import Permission
from commonground.edge.cookies import COOKIE, PRE_COOKIE
from commonground.edge.deps import ServicesDep, client_source
from commonground.service.principal import Principal
from commonground.service.signin import ABSOLUTE, Stage
from commonground.web.session import ConsoleRequires, check_csrf, home_for, redirect, render, set_cookie

router = APIRouter(include_in_schema=False)
Public = Annotated[None, Depends(ConsoleRequires(Permission.PUBLIC))]
SignedIn = Annotated[Principal, Depends(ConsoleRequires(Permission.AUTHENTICATED))]
SESSION_AGE = int(ABSOLUTE.total_seconds())


@router.get("/", response_class=HTMLResponse)
def index(request: Request, services: ServicesDep, _: Public) -> Response:
    found = services.signin.session(request.cookies.get(COOKIE))
    return redirect(home_for(found[1]) if found else "/login")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, services: ServicesDep, _: Public) -> Response:
    token = request.cookies.get(COOKIE)
    if services.signin.session(token) is not None:
        return redirect("/")
    pending = services.signin.pending(token)
    if pending is not None and pending.stage == Stage.BANNER:
        request.state.csrf = pending.csrf
        return render(request, "login.html", None, step="credentials")
    pre = secrets.token_urlsafe(24)
    request.state.csrf = pre
    response = render(request, "login.html", None, step="banner", banner=services.settings.console_banner)
    set_cookie(request, response, PRE_COOKIE, pre)
    return response


@router.post("/login/accept")
def accept_banner(request: Request, services: ServicesDep, _: Public, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    token, _record = services.signin.accept_banner()
    response = redirect("/login")
    set_cookie(request, response, COOKIE, token, SESSION_AGE)
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/login")
def sign_in(
    request: Request,
    services: ServicesDep,
    _: Public,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=512)] = "",
    otp: Annotated[str, Form(max_length=12)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    token = request.cookies.get(COOKIE)
    pending = services.signin.pending(token)
    if pending is None or pending.stage != Stage.BANNER:
        return redirect("/login")
    request.state.csrf = pending.csrf
    check_csrf(request, csrf)
    try:
        new_token, record = services.signin.sign_in(token, username, password, otp, client_source(request))
    except (NotAuthenticated, RateLimited) as exc:
        page = render(
            request,
            "login.html",
            None,
            status_code=429 if isinstance(exc, RateLimited) else 401,
            step="credentials",
            error=str(exc),
            username=username,
        )
        if isinstance(exc, RateLimited):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    response = redirect("/enrol" if record.stage == Stage.ENROL else "/")
    set_cookie(request, response, COOKIE, new_token, SESSION_AGE)
    return response


def _enrol_page(request: Request, services: ServicesDep, error: str | None = None) -> Response:
    token = request.cookies.get(COOKIE)
    pending = services.signin.pending(token)
    if pending is None or pending.stage != Stage.ENROL:
        return redirect("/login")
    request.state.csrf = pending.csrf
    user, uri = services.signin.enrolment(token)
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    # A viewBox (omitsize) lets the stylesheet scale the code whole; fixed width/height made it crop.
    qr = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=True, title="QR code of the authenticator key"
    )
    return render(
        request,
        "enrol.html",
        None,
        status_code=401 if error else 200,
        user=user,
        secret=secret,
        uri=uri,
        qr=qr,
        error=error,
    )


@router.get("/enrol", response_class=HTMLResponse)
def enrol_page(request: Request, services: ServicesDep, _: Public) -> Response:
    return _enrol_page(request, services)


@router.post("/enrol")
def enrol(
    request: Request,
    services: ServicesDep,
    _: Public,
    otp: Annotated[str, Form(max_length=12)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    token = request.cookies.get(COOKIE)
    pending = services.signin.pending(token)
    if pending is None or pending.stage != Stage.ENROL:
        return redirect("/login")
    request.state.csrf = pending.csrf
    check_csrf(request, csrf)
    try:
        new_token, _record = services.signin.enrol(token, otp, client_source(request))
    except NotAuthenticated as exc:
        if services.signin.pending(token) is None:
            return redirect("/login")
        return _enrol_page(request, services, str(exc))
    response = redirect("/")
    set_cookie(request, response, COOKIE, new_token, SESSION_AGE)
    return response


@router.post("/logout")
def sign_out(request: Request, services: ServicesDep, who: SignedIn, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    services.signin.sign_out(request.cookies.get(COOKIE))
    response = redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


def _set_password_page(request: Request, token: str, error: str | None = None, status_code: int = 200) -> Response:
    pre = secrets.token_urlsafe(24)
    request.state.csrf = pre
    response = render(request, "set_password.html", None, status_code=status_code, token=token, error=error)
    set_cookie(request, response, PRE_COOKIE, pre)
    return response


@router.get("/set-password", response_class=HTMLResponse)
def set_password_page(request: Request, _: Public, token: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The page an administrator's set-password token opens (docs/security.md, "Account lifecycle")."""
    return _set_password_page(request, token)


@router.post("/set-password")
def set_password(
    request: Request,
    services: ServicesDep,
    _: Public,
    token: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=512)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        services.lifecycle.set_password(token, password)
    except InvalidInput as exc:
        return _set_password_page(request, token, str(exc), status_code=422)
    response = redirect("/login")
    response.delete_cookie(PRE_COOKIE, path="/")
    return response

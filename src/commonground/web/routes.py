"""The console: pages for the watch center, officers, dispatchers, agency admins and auditors.

Pages are rendered here; their live data comes from the JSON API, which accepts the
console's session cookie (with the CSRF header on writes), so there is one code path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from commonground.domain.errors import InvalidInput
from commonground.domain.model import Role
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import parse_instant
from commonground.edge.deps import ServicesDep
from commonground.service.ports import AuditFilter
from commonground.service.principal import Principal
from commonground.web import admin_pages, report_pages, signin_pages, vocabulary
from commonground.web.session import (
    ConsoleForbidden,
    ConsoleRequires,
    SignInRequired,
    redirect,
    render,
)
from commonground.web.static_files import static_app

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


Watcher = Annotated[Principal, Depends(ConsoleRequires(Permission.CONFLICTS))]
Officer = Annotated[Principal, Depends(ConsoleRequires(Permission.OPERATIONS))]
NoticeReader = Annotated[Principal, Depends(ConsoleRequires(Permission.NOTICES))]
Dispatcher = Annotated[Principal, Depends(ConsoleRequires(Permission.LOOKUP))]
Auditor = Annotated[Principal, Depends(ConsoleRequires(Permission.AUDIT))]
Anyone = Annotated[None, Depends(ConsoleRequires(Permission.PUBLIC))]


@router.get("/watch", response_class=HTMLResponse)
def watch(request: Request, who: Watcher) -> Response:
    return render(request, "watch.html", who, may_acknowledge=who.may(Permission.ACKNOWLEDGE_INCIDENTS))


@router.get("/operations", response_class=HTMLResponse)
def operations(request: Request, who: Officer) -> Response:
    may_resolve, may_verify = who.may(Permission.RESOLVE_CONFLICTS), who.may(Permission.VERIFY)
    return render(
        request,
        "operations.html",
        who,
        may_resolve=may_resolve,
        may_verify=may_verify,
        phone_in=who.has(Role.WATCH),  # the watch enters operations only for an agency that phoned in
        **vocabulary.operation_form(),
    )


@router.get("/notices", response_class=HTMLResponse)
def notices(request: Request, who: NoticeReader) -> Response:
    return render(
        request,
        "notices.html",
        who,
        may_respond=who.may(Permission.RESPOND_NOTICES),
        may_acknowledge=who.may(Permission.ACKNOWLEDGE_INCIDENTS),
    )


@router.get("/lookup", response_class=HTMLResponse)
def lookup(request: Request, who: Dispatcher) -> Response:
    return render(request, "lookup.html", who)


AUDIT_PAGE = 50


@router.get("/auditor", response_class=HTMLResponse)
def auditor(
    request: Request,
    services: ServicesDep,
    who: Auditor,
    action: str = "",
    actor: str = "",
    since: str = "",
    before: int | None = None,
) -> Response:
    """The log newest first, a page at a time (``before`` is the cursor), with names instead of ids."""
    error, older = None, None
    try:
        where = AuditFilter(
            since=parse_instant(since, "since") if since else None,
            actor=actor or None,
            action=action or None,
            newest_first=True,
        )
        page = services.audit.search(who, where, AUDIT_PAGE, before)
        items, older = list(page.items), page.next
    except InvalidInput as exc:
        items, error = [], f"{exc}"
    verdict = services.audit.verdict()
    latest = services.audit.checkpoints(who, 1, None).items
    query = {k: v for k, v in (("action", action), ("actor", actor), ("since", since)) if v}
    return render(
        request,
        "auditor.html",
        who,
        items=items,
        names=services.audit.names(who, items),
        actions=services.audit.actions(),
        verdict=verdict,
        checkpoint=latest[0] if latest else None,
        action=action,
        actor=actor,
        since=since,
        error=error,
        older=urlencode({**query, "before": older}) if older else None,
        newer=urlencode(query) if before is not None else None,
    )


@router.get("/favicon.ico", response_class=FileResponse)
def favicon(_: Anyone) -> Response:
    """Browsers ask for /favicon.ico whatever the page says; answer with the console's icon."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def install(app: FastAPI) -> None:
    """Mount the console on the app: pages, sign-in, static files, and its two redirects."""
    app.include_router(signin_pages.router)
    app.include_router(router)
    app.include_router(admin_pages.router)
    app.include_router(report_pages.router)
    app.mount("/static", static_app(str(STATIC)), name="static")  # gzip and cache headers: web/static_files.py

    @app.exception_handler(SignInRequired)
    def _to_login(request: Request, exc: SignInRequired) -> Response:
        return redirect("/login")

    @app.exception_handler(ConsoleForbidden)
    def _forbidden(request: Request, exc: ConsoleForbidden) -> Response:
        who = getattr(request.state, "principal", None)
        return render(request, "forbidden.html", who, status_code=403)

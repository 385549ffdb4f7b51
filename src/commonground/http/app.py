"""The FastAPI application: built in ``create_app``, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from commonground import bootstrap, logs
from commonground.api import mount as api
from commonground.api.retries import SafeRetries
from commonground.config import Settings
from commonground.http import metrics
from commonground.http.headers import SecurityHeaders
from commonground.http.limits import BodyLimit
from commonground.http.request_log import RequestLog
from commonground.runtime import process
from commonground.web import routes as web


def create_app(settings: Settings | None = None, services: bootstrap.Services | None = None) -> FastAPI:
    """Build the app; its lifespan builds the services (unless given) and starts the background."""
    owns_services = services is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.services is None:
            app.state.services = bootstrap.build_services(settings)
        stop_background = process.start(app, app.state.services)  # notices, stream hub, deliveries
        try:
            yield
        finally:
            stop_background()
            if owns_services and app.state.services is not None:
                app.state.services.close()

    app = FastAPI(
        title="Common Ground",
        version="1",
        description="Officer-safety deconfliction and information sharing (HTTP API v1).",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    api.install(app)
    web.install(app)  # the console: pages, sign-in and static files
    shown = settings if settings is not None else services.settings if services is not None else Settings()
    if owns_services:  # a process of its own (serve): its log is ours; a test's app leaves the test's alone
        logs.configure(shown.log_format, shown.log_level)
    app.add_middleware(SafeRetries)  # inside the body limit: a retry gets the first answer (docs/retries.md)
    app.add_middleware(
        BodyLimit, max_bytes=shown.max_body_bytes, jurisdiction_bytes=shown.max_jurisdiction_body_bytes
    )  # before parsing: docs/security.md
    # CSP, HSTS, no-store: docs/security.md
    app.add_middleware(SecurityHeaders, tile_url=shown.console_tile_url, geocoder_url=shown.console_geocoder_url)
    meter = metrics.install(app)  # GET /metrics: docs/operations.md
    app.add_middleware(
        RequestLog, enabled=shown.log_requests, observe=meter.observe
    )  # outermost: every answer has its id and line
    return app


__all__ = ["create_app"]

"""The FastAPI application: built in ``create_app``, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from commonground import bootstrap
from commonground.api import errors
from commonground.api.deps import Permission, requires
from commonground.api.routes import agencies, audit, auth, conflicts, health, operations, sharing
from commonground.api.routes import channels as channel_routes
from commonground.api.routes import stream as stream_routes
from commonground.api.scheduler import NoticeScheduler
from commonground.config import Settings
from commonground.notify.runtime import start_notifications
from commonground.web import routes as web

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, services: bootstrap.Services | None = None) -> FastAPI:
    owns_services = services is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.services is None:
            app.state.services = bootstrap.build_services(settings)
        scheduler = NoticeScheduler(app.state.services)
        scheduler.start()
        stop_notifications = start_notifications(app, app.state.services)  # stream hub, delivery worker (issue 6)
        try:
            yield
        finally:
            stop_notifications()
            scheduler.stop()
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
    errors.install(app)
    for module in (auth, agencies, operations, conflicts, sharing, audit, stream_routes, channel_routes):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)
    web.install(app)  # the console: pages, sign-in and static files (issue 7)

    @app.get(f"{API_PREFIX}/openapi.json", include_in_schema=False, dependencies=[requires(Permission.PUBLIC)])
    def openapi() -> JSONResponse:
        return JSONResponse(_schema(app))

    return app


def _schema(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        # One schema per model: a response field with a default may be absent (above the
        # disclosed level), so it must not turn required in a separate output schema.
        app.openapi_schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            separate_input_output_schemas=False,
        )
    return app.openapi_schema


__all__ = ["API_PREFIX", "Depends", "create_app"]

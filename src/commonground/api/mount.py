"""Mount the JSON API (HTTP API v1) on an app: its routers, error mapping and OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from commonground.api import errors
from commonground.api.deps import Permission, plain_query, requires
from commonground.api.routes import (
    agencies,
    audit,
    auth,
    cad,
    conflicts,
    deliveries,
    federation,
    health,
    incidents,
    near_misses,
    operations,
    reports,
    sensitive_places,
    sharing,
    targets,
    users,
    verification,
    watch,
    wire,
    wire_lookups,
    wire_notices,
    wire_workflow,
)
from commonground.api.routes import channels as channel_routes
from commonground.api.routes import stream as stream_routes

API_PREFIX = "/api/v1"


def install(app: FastAPI) -> None:
    """Add the API's routers under ``API_PREFIX``, the health probe at the root, and the error handlers."""
    errors.install(app)
    # Between installations; signed, outside the API document. First, so a peer's probe is not
    # matched against every API route before its own (their paths never overlap).
    for wire_module in (wire, wire_lookups, wire_notices, wire_workflow):
        app.include_router(wire_module.router)
    for module in (
        auth,
        agencies,
        users,
        operations,
        conflicts,
        sharing,
        audit,
        stream_routes,
        channel_routes,
        deliveries,
        federation,
        watch,
        reports,
        sensitive_places,
        near_misses,
        targets,
        cad,
        incidents,
        verification,
    ):
        app.include_router(module.router, prefix=API_PREFIX, dependencies=[Depends(plain_query)])
    app.include_router(health.router)

    @app.get(f"{API_PREFIX}/openapi.json", include_in_schema=False, dependencies=[requires(Permission.PUBLIC)])
    def openapi() -> JSONResponse:
        return JSONResponse(_schema(app))


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

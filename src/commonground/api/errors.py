"""One error envelope; domain errors mapped to HTTP statuses in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from commonground.domain import errors

STATUS: dict[type[errors.CommonGroundError], int] = {
    errors.InvalidInput: 422,
    errors.NotAuthenticated: 401,
    errors.NotPermitted: 403,
    errors.NotFound: 404,
    errors.StaleVersion: 409,
    errors.StateConflict: 409,
    errors.RateLimited: 429,
    errors.DeconflictionUnavailable: 503,
}


def envelope(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}}, status_code=status, headers=headers
    )


def _field(loc: tuple[Any, ...], kind: str = "") -> str:
    if kind == "json_invalid":  # its loc ends in the parser's character position, not a field
        return "body"
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.CommonGroundError)
    return domain_response(exc)


def domain_response(exc: errors.CommonGroundError) -> JSONResponse:
    """The envelope and status of a domain error, also for middleware that refuses before any route."""
    status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 500)
    headers = None
    if isinstance(exc, errors.NotAuthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, errors.RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return envelope(status, exc.code, exc.message, exc.details, headers)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": _field(tuple(e.get("loc", ())), str(e.get("type", ""))), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    first = details[0] if details else {"field": "body", "message": "invalid"}
    return envelope(422, "invalid_input", f"{first['field']}: {first['message']}", details)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode (not UTF-8): bad input like any other
        details = [{"field": "body", "message": "is not UTF-8 JSON text"}]
        return envelope(422, "invalid_input", "body: is not UTF-8 JSON text", details)
    code = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}.get(exc.status_code, "http_error")
    return envelope(exc.status_code, code, str(exc.detail), None, dict(exc.headers) if exc.headers else None)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    return envelope(500, "internal_error", "something went wrong; the error was logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.CommonGroundError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)

"""How routes answer: only the keys a view set, and the error envelope under each status it can send."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from commonground.api.retries import RETRIED_METHODS, safe_retries
from commonground.api.schemas.common import ErrorEnvelope

WHY: dict[int, str] = {
    401: "Missing, unknown or expired bearer token.",
    403: "Authenticated, but no role of the caller (or scope of the token) may do this; or no second factor enrolled.",
    404: "No such object, or one of another agency that the caller may not see.",
    409: "A stale `If-Match` version, or the object's state does not allow this.",
    422: "Invalid input; `details` names each refused field.",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "The store is unavailable; nothing was changed, try again.",
}


class PublicRoute(APIRoute):
    """Serialise only the keys the response model was given: a field above the disclosed level
    stays absent instead of turning into null."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """A POST or PATCH honours ``Idempotency-Key`` (docs/retries.md)."""
        handler = super().get_route_handler()
        if not (self.methods or set()) & RETRIED_METHODS:
            return handler
        return safe_retries(handler)


def fails(*statuses: int, public: bool = False) -> dict[int | str, dict[str, Any]]:
    """Document the error envelope under ``statuses``, and 401/403 unless the route is ``public``."""
    every = (*(() if public else (401, 403)), *statuses, 503)
    return {status: {"model": ErrorEnvelope, "description": WHY[status]} for status in sorted(set(every))}

"""``GET /api/v1/stream``: live events as Server-Sent Events, each rendered for the caller."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from commonground.api.deps import NoticesUser, ServicesDep
from commonground.api.responses import fails
from commonground.domain import scopes
from commonground.domain.model import Role
from commonground.notify.render import for_user
from commonground.runtime.hub import EventHub
from commonground.runtime.stream import LiveStream, parse_last_event_id

router = APIRouter(tags=["stream"])


def _last_seq(services: ServicesDep) -> int:
    with services.store.read() as tx:
        return tx.outbox.last_seq()


SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: `event:` the event name, `data:` its JSON view, `id:` a cursor.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.get("/stream", response_class=StreamingResponse, responses={**SSE, **fails(422)})
async def stream(
    request: Request,
    services: ServicesDep,
    who: NoticesUser,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Conflict, notice and look-up events for the caller; ``Last-Event-ID`` resumes after that event."""
    hub: EventHub = request.app.state.event_hub
    start = parse_last_event_id(last_event_id or request.query_params.get("last_event_id"))
    if start is None:
        start = await run_in_threadpool(_last_seq, services)
    hears = partial(scopes.hears, who.scopes)
    live = LiveStream(services, hub, for_user(who), watch=who.has(Role.WATCH), start=start, hears=hears)
    return StreamingResponse(
        live.events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )

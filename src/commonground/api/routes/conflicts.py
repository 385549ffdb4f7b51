"""Conflicts from the caller's side, and their workflow."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import ConflictsUser, ServicesDep, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import dump
from commonground.api.schemas.conflicts import AckBody, ConflictPublic, ConflictsPublic, NoteBody, ResolveBody
from commonground.domain.model import ConflictStatus
from commonground.domain.policy import parse_enum
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.domain.views import AnyConflictView

router = APIRouter(tags=["conflicts"], route_class=PublicRoute)


def conflict_public(view: AnyConflictView | RemoteConflict) -> ConflictPublic:
    return ConflictPublic.model_validate(view.to_dict())


@router.get("/conflicts", responses=fails(422))
def list_conflicts(
    request: Request,
    services: ServicesDep,
    who: ConflictsUser,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> ConflictsPublic:
    """Conflicts the caller may see: an officer's own operations', a supervisor's agency's, or all for the watch."""
    wanted = None if status is None else parse_enum(ConflictStatus, status, "status")
    size = page_limit(request, limit)
    page = services.conflicts.list(who, wanted, size, cursor)
    remote = [] if cursor else [c.to_dict() for c in services.conflicts.remote(who, wanted, size)]
    listed = {"items": [v.to_dict() for v in page.items], "next": page.next}
    return ConflictsPublic.model_validate({**listed, "remote": remote} if remote else listed)  # absent when none


@router.get("/conflicts/{conflict_id}", responses=fails(404, 422))
def get_conflict(conflict_id: str, services: ServicesDep, who: ConflictsUser) -> ConflictPublic:
    """One conflict, with who was told of it, when and how; or one with a peer installation's operation."""
    remote = services.conflicts.get_remote(who, conflict_id)
    if remote is not None:
        return ConflictPublic.model_validate(remote.to_dict())
    view, deliveries = services.conflicts.get(who, conflict_id)
    return ConflictPublic.model_validate({**view.to_dict(), "deliveries": [d.to_dict() for d in deliveries]})


@router.post("/conflicts/{conflict_id}/ack", responses=fails(404, 409, 422))
def acknowledge(
    conflict_id: str, services: ServicesDep, who: ConflictsUser, body: AckBody | None = None
) -> ConflictPublic:
    """Record that a side has seen the conflict; the watch center may act for a side."""
    return conflict_public(services.conflicts.acknowledge(who, conflict_id, dump(body) if body else {}))


@router.post("/conflicts/{conflict_id}/resolve", responses=fails(404, 409, 422))
def resolve(conflict_id: str, body: ResolveBody, services: ServicesDep, who: ConflictsUser) -> ConflictPublic:
    """Close the conflict as worked out, with a note and how it ended (`outcome`, `other` when absent)."""
    return conflict_public(services.conflicts.close(who, conflict_id, dump(body), ConflictStatus.RESOLVED))


@router.post("/conflicts/{conflict_id}/dismiss", responses=fails(404, 409, 422))
def dismiss(conflict_id: str, body: NoteBody, services: ServicesDep, who: ConflictsUser) -> ConflictPublic:
    """Close the conflict as not one, with a note."""
    return conflict_public(services.conflicts.close(who, conflict_id, dump(body), ConflictStatus.DISMISSED))

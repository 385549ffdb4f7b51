"""Conflicts from the caller's side, and their workflow."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from commonground.api.deps import ConflictsUser, ServicesDep, page_limit
from commonground.api.schemas import AckBody, NoteBody, dump
from commonground.domain.model import ConflictStatus
from commonground.domain.policy import parse_enum

router = APIRouter(tags=["conflicts"])


@router.get("/conflicts")
def list_conflicts(
    request: Request,
    services: ServicesDep,
    who: ConflictsUser,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    wanted = None if status is None else parse_enum(ConflictStatus, status, "status")
    page = services.conflicts.list(who, wanted, page_limit(request, limit), cursor)
    return {"items": list(page.items), "next": page.next}


@router.get("/conflicts/{conflict_id}")
def get_conflict(conflict_id: str, services: ServicesDep, who: ConflictsUser) -> dict[str, Any]:
    return services.conflicts.get(who, conflict_id)


@router.post("/conflicts/{conflict_id}/ack")
def acknowledge(
    conflict_id: str, services: ServicesDep, who: ConflictsUser, body: AckBody | None = None
) -> dict[str, Any]:
    return services.conflicts.acknowledge(who, conflict_id, dump(body) if body else {})


@router.post("/conflicts/{conflict_id}/resolve")
def resolve(conflict_id: str, body: NoteBody, services: ServicesDep, who: ConflictsUser) -> dict[str, Any]:
    return services.conflicts.close(who, conflict_id, dump(body), ConflictStatus.RESOLVED)


@router.post("/conflicts/{conflict_id}/dismiss")
def dismiss(conflict_id: str, body: NoteBody, services: ServicesDep, who: ConflictsUser) -> dict[str, Any]:
    return services.conflicts.close(who, conflict_id, dump(body), ConflictStatus.DISMISSED)

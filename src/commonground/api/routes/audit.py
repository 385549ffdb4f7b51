"""The audit log, for auditors."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import Auditor, CheckpointReader, ServicesDep, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.audit import AuditRecordsPublic, CheckpointsPublic
from commonground.domain.strings import serial
from commonground.domain.timewindow import parse_instant
from commonground.service.ports import AuditFilter

router = APIRouter(tags=["audit"], route_class=PublicRoute)


@router.get("/audit", responses=fails(422))
def search_audit(
    request: Request,
    services: ServicesDep,
    who: Auditor,
    since: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> AuditRecordsPublic:
    """Audit records, oldest first, with the hash chain's verdict."""
    where = AuditFilter(since=None if since is None else parse_instant(since, "since"), actor=actor, action=action)
    page = services.audit.search(who, where, page_limit(request, limit), _cursor(cursor))
    verdict = services.audit.verdict()
    return AuditRecordsPublic.model_validate(
        {"items": list(page.items), "next": page.next, "chain": {"intact": verdict.intact, "checked": verdict.checked}}
    )


@router.get("/audit/checkpoints", responses=fails(422))
def list_checkpoints(
    request: Request,
    services: ServicesDep,
    who: CheckpointReader,
    limit: int | None = None,
    cursor: str | None = None,
) -> CheckpointsPublic:
    """Signed checkpoints of the audit log, newest first: copies for an outside party to hold."""
    page = services.audit.checkpoints(who, page_limit(request, limit), _cursor(cursor))
    return CheckpointsPublic.model_validate({"items": list(page.items), "next": page.next})


def _cursor(cursor: str | None) -> int | None:
    return None if cursor is None else serial(cursor, "cursor", "is not a cursor this endpoint gave out")

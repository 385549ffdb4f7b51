"""Liveness and readiness for load balancers and monitors."""

from __future__ import annotations

from fastapi import APIRouter, Response

from commonground.api.deps import Public, ServicesDep
from commonground.api.schemas.common import HealthPublic, ReadinessCheckPublic, ReadinessPublic

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(_: Public) -> HealthPublic:
    """Answer while the process serves; no store is read."""
    return HealthPublic(status="ok")


@router.get(
    "/readyz",
    responses={503: {"model": ReadinessPublic, "description": "Not ready: the failing check is named."}},
)
def readyz(_: Public, services: ServicesDep, response: Response) -> ReadinessPublic:
    """Answer 200 only while the database answers at head and this process's worker passes; 503 otherwise."""
    checks = services.readiness.checks()
    ready = all(c.ok for c in checks)
    response.status_code = 200 if ready else 503
    return ReadinessPublic(
        status="ready" if ready else "unready",
        checks=[ReadinessCheckPublic(name=c.name, ok=c.ok, detail=c.detail) for c in checks],
    )

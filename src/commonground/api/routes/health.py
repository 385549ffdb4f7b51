"""Liveness for load balancers and monitors."""

from __future__ import annotations

from fastapi import APIRouter

from commonground.api.deps import Public
from commonground.api.schemas.common import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(_: Public) -> HealthPublic:
    """Answer while the process serves; no store is read."""
    return HealthPublic(status="ok")

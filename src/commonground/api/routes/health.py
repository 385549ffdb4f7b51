"""Liveness for load balancers and monitors."""

from __future__ import annotations

from fastapi import APIRouter

from commonground.api.deps import Public

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(_: Public) -> dict[str, str]:
    return {"status": "ok"}

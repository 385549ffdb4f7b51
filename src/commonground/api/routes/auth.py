"""Sign-in and bearer tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from commonground.api.deps import Public, ServicesDep, UserManager
from commonground.api.schemas import LoginRequest, TokenCreate, TokenPublic
from commonground.domain.timewindow import isoformat

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=TokenPublic)
def login(body: LoginRequest, services: ServicesDep, _: Public) -> dict[str, Any]:
    token, record = services.signin.api_login(body.username, body.password, body.otp)
    return {"token": token, "expires_at": isoformat(record.expires_at) if record.expires_at else None}


@router.post("/tokens", status_code=201, response_model=TokenPublic)
def create_token(body: TokenCreate, services: ServicesDep, who: UserManager) -> dict[str, Any]:
    token, record = services.accounts.create_token(who, body.user_id, body.name, body.expires_at)
    return {"token": token, "expires_at": isoformat(record.expires_at) if record.expires_at else None}


@router.get("/tokens")
def list_tokens(services: ServicesDep, who: UserManager) -> dict[str, Any]:
    """Tokens of the agency (all, for the installation admin); never the token values."""
    return {"items": services.accounts.list_tokens(who), "next": None}


@router.post("/tokens/{token_id}/revoke", status_code=204)
def revoke_token(token_id: str, services: ServicesDep, who: UserManager) -> Response:
    services.accounts.revoke_token(who, token_id)
    return Response(status_code=204)

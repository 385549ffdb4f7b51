"""Sign-in and bearer tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from commonground.api.deps import Public, ServicesDep, UserManager
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.auth import LoginRequest, TokenCreate, TokenPublic, TokenRecordPublic, TokensPublic
from commonground.domain.timewindow import isoformat
from commonground.edge.deps import client_source
from commonground.service.ports import TokenRecord

router = APIRouter(tags=["auth"], route_class=PublicRoute)


def token_public(token: str, record: TokenRecord) -> TokenPublic:
    return TokenPublic.model_validate(
        {
            "token": token,
            "expires_at": isoformat(record.expires_at) if record.expires_at else None,
            "scopes": None if record.scopes is None else sorted(record.scopes),
            "lookup_limit_per_hour": record.lookup_limit_per_hour,
        }
    )


@router.post("/auth/login", responses=fails(401, 403, 422, 429, public=True))
def login(body: LoginRequest, request: Request, services: ServicesDep, _: Public) -> TokenPublic:
    """Exchange a username and password (and code, once enrolled) for a 12-hour bearer token."""
    source = client_source(request)
    return token_public(*services.signin.api_login(body.username, body.password, body.otp, source=source))


@router.post("/tokens", status_code=201, responses=fails(404, 422))
def create_token(body: TokenCreate, services: ServicesDep, who: UserManager) -> TokenPublic:
    """Make a bearer token for a user (a CAD link, a script), limited to ``scopes``; its value is shown only here."""
    scopes = None if body.scopes is None else [s.value for s in body.scopes]
    made = services.accounts.create_token(
        who, body.user_id, body.name, body.expires_at, scopes, body.lookup_limit_per_hour
    )
    return token_public(*made)


@router.get("/tokens", responses=fails())
def list_tokens(services: ServicesDep, who: UserManager) -> TokensPublic:
    """Tokens of the agency (all, for the installation admin); never the token values."""
    return TokensPublic(
        items=[TokenRecordPublic.model_validate(t) for t in services.accounts.list_tokens(who)], next=None
    )


@router.post("/tokens/{token_id}/revoke", status_code=204, response_class=Response, responses=fails(404, 409, 422))
def revoke_token(token_id: str, services: ServicesDep, who: UserManager) -> Response:
    """Stop a token at once."""
    services.accounts.revoke_token(who, token_id)
    return Response(status_code=204)

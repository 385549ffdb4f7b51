"""Sign-in and bearer tokens."""

from __future__ import annotations

from pydantic import AwareDatetime

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described
from commonground.domain.scopes import Scope

SCOPES = (
    "What the token may reach (docs/api.md, Scopes); never more than the user's roles allow. "
    "Null or left out: everything the roles allow."
)
QUOTA = (
    "The token's own hourly look-up quota (1-20,000), in place of the per-user limit: a CAD link serving a whole "
    "911 centre needs far more than one dispatcher. Only for a user who may look up. Null: the installation's."
)


class LoginRequest(Strict):
    username: str = described("Sign-in name.", "sgt.moore", max_length=80)
    password: str = described("Password.", "correct horse battery", max_length=512)
    otp: str | None = described(
        "The current code of the person's enrolled authenticator; needed unless COMMONGROUND_REQUIRE_MFA=false.",
        "123456",
        default=None,
        max_length=16,
    )


class TokenCreate(Strict):
    user_id: str = described("Whose token it is.", ID_EXAMPLE)
    name: str = described("What it is for.", "CAD link", min_length=1, max_length=120)
    expires_at: AwareDatetime | None = described(
        "When it stops working; default 90 days.", "2027-03-01T00:00:00Z", default=None
    )
    scopes: list[Scope] | None = described(SCOPES, ["lookup"], default=None, max_length=len(Scope))
    lookup_limit_per_hour: int | None = described(QUOTA, 5000, default=None)


class TokenPublic(Public):
    token: str = described("The bearer token, shown once.", "cg_9mN0c1Xq…")
    # Rendered by pydantic since v1 (no milliseconds), unlike the views' instants.
    expires_at: AwareDatetime | None = described(
        "When it stops working, or null.", "2027-03-01T12:00:00Z", default=None
    )
    scopes: list[Scope] | None = described(SCOPES, ["lookup"], default=None)
    lookup_limit_per_hour: int | None = described(QUOTA, 5000, default=None)


class TokenRecordPublic(Public):
    id: str = described("Token id, for revoking it.", ID_EXAMPLE)
    name: str = described("What it is for.", "CAD link")
    user_id: str = described("Whose token it is.", ID_EXAMPLE)
    username: str = described("Their sign-in name.", "sgt.moore")
    created_at: Instant = described("When it was made.", TIME_EXAMPLE)
    expires_at: Instant | None = described("When it stops working, or null.", TIME_EXAMPLE)
    revoked_at: Instant | None = described("When it was revoked, or null.", None)
    scopes: list[Scope] | None = described(SCOPES, ["lookup"], default=None)
    lookup_limit_per_hour: int | None = described(QUOTA, 5000, default=None)


class TokensPublic(Public):
    items: list[TokenRecordPublic] = described("Tokens the administrator answers for; never their values.", [])
    next: str | None = described("Always null: one page.", None)

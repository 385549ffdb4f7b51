"""The one exception tree of Common Ground.

    CommonGroundError
    ├── InvalidInput            bad value for a named field (HTTP 422)
    ├── NotAuthenticated        no or bad credentials (401)
    │   └── SignatureRefused    a federation request or answer whose signature does not hold (401)
    ├── NotPermitted            authenticated, but the role may not (403)
    │   ├── InsufficientScope   the bearer token's scopes do not reach the route; names the scope (403)
    │   └── EnrolmentRequired   a right password, but no second factor enrolled yet (403)
    ├── NotFound                absent, or another agency's object the caller may not see (404)
    ├── StaleVersion            If-Match did not match the stored version (409)
    ├── StateConflict           the object's state forbids the change (409)
    ├── RateLimited             too many requests; carries retry_after seconds (429)
    └── DeconflictionUnavailable the store cannot check; never answer "no conflict" (503)

    DeliveryError               a webhook or e-mail send failed; ``retry`` says whether later may help

Statuses are mapped in one place, ``commonground.api.errors``; a ``DeliveryError`` never reaches
HTTP (the delivery use-case retries or gives up).
"""

from __future__ import annotations

from typing import Any


class CommonGroundError(Exception):
    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(CommonGroundError):
    """A value was refused; ``field`` names it as a dotted path (``location.lat``)."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", details=[{"field": field, "message": message}])
        self.field = field


class NotAuthenticated(CommonGroundError):
    code = "not_authenticated"


class SignatureRefused(NotAuthenticated):
    """A signed federation message refused: unknown key, altered, too old, or replayed."""

    code = "signature_refused"


class NotPermitted(CommonGroundError):
    code = "forbidden"


class InsufficientScope(NotPermitted):
    """The token's scopes leave this route out; ``scope`` names the one it needs."""

    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(f"this token's scopes do not include {scope}", details={"scope": scope})
        self.scope = scope


class EnrolmentRequired(NotPermitted):
    """Sign-in with a password alone is refused until the person enrols an authenticator."""

    code = "mfa_enrolment_required"


class NotFound(CommonGroundError):
    code = "not_found"


class StaleVersion(CommonGroundError):
    code = "stale_version"


class StateConflict(CommonGroundError):
    code = "state_conflict"


class RateLimited(CommonGroundError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class DeconflictionUnavailable(CommonGroundError):
    code = "deconfliction_unavailable"


class DeliveryError(Exception):
    """A send failed; ``retry`` says whether trying again later can help."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry

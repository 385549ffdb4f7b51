"""The console's session cookie, read wherever a request is authenticated (the API accepts it too)."""

from __future__ import annotations

import secrets

from fastapi import Request

from commonground.domain.errors import NotPermitted
from commonground.service.principal import Principal

COOKIE = "cg_session"
PRE_COOKIE = "cg_pre"  # double-submit CSRF token for the banner form, before any session exists
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_principal(request: Request) -> Principal | None:
    """Return the person behind a signed-in console cookie; unsafe methods need the CSRF header."""
    found = request.app.state.services.signin.session(request.cookies.get(COOKIE))
    if found is None:
        return None
    record, principal = found
    request.state.csrf = record.csrf
    if request.method not in SAFE_METHODS and not secrets.compare_digest(
        request.headers.get(CSRF_HEADER, ""), record.csrf
    ):
        raise NotPermitted("a console request needs its CSRF token")
    assert isinstance(principal, Principal)
    return principal

"""Safe retries: a request repeated with the same ``Idempotency-Key`` gets the first answer back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from commonground.domain.errors import InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# How long a key's first answer is kept; a retry later than this is a new request.
KEPT_FOR = timedelta(hours=24)
# A claim still without an answer after this long was left by a process that died mid-request
# (no request runs for minutes); a retry then runs the request instead of waiting out KEPT_FOR.
ABANDONED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Replay:
    """The first answer to a keyed request; ``status`` is None while that request is still under way."""

    owner: str  # a hash of the caller's credential: keys of different callers never meet
    key: str
    fingerprint: str  # a hash of method, path and body: the same key with another body is refused
    status: int | None
    body: bytes
    content_type: str
    created_at: datetime


def check_key(raw: str) -> str:
    """Refuse an empty key or one over ``MAX_KEY_LENGTH`` characters, naming the header."""
    key = raw.strip()
    if not key:
        raise InvalidInput(HEADER, "must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(HEADER, f"at most {MAX_KEY_LENGTH} characters")
    return key


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """Return what makes two keyed requests the same request."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def owner_of(credential: str) -> str:
    """Return the stored name of a caller's credential (a bearer token or a session), never the credential."""
    return hashlib.sha256(credential.encode()).hexdigest()


def is_expired(replay: Replay, now: datetime) -> bool:
    return replay.created_at <= now - KEPT_FOR


def is_abandoned(replay: Replay, now: datetime) -> bool:
    """Say whether a claim has waited so long for its answer that its request can no longer be running."""
    return replay.status is None and replay.created_at <= now - ABANDONED_AFTER

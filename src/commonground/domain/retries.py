"""Safe retries: what a repeated ``Idempotency-Key`` gets, decided from the first request's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from commonground.domain.errors import InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 255
# A key answers the same for a day (docs/retries.md); then it may be used afresh.
KEPT_FOR = timedelta(hours=24)
# A first request still unanswered after this is taken as lost (its process died): the key is free again.
LEASE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Answer:
    """The first response, kept to be sent again: status, media type, chosen headers and the sealed body."""

    status: int
    media_type: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Attempt:
    """One key of one caller: the request it was first sent with, and its answer once there is one."""

    scope: str  # a digest of the caller's credential, never the credential
    key: str
    fingerprint: str  # a digest of method, path, the headers that change meaning, and the body
    claimed_at: datetime
    answer: Answer | None = None


class Verdict(StrEnum):
    FRESH = "fresh"  # do the work and keep its answer
    REPLAY = "replay"  # send the kept answer again
    DIFFERENT = "different"  # the key was used with another request: 422
    IN_PROGRESS = "in_progress"  # the first is still running: 409, try again shortly


def check_key(raw: str) -> str:
    """Return the key as sent, or refuse one that is empty, too long or not printable ASCII."""
    if not raw or len(raw) > MAX_KEY_CHARS:
        raise InvalidInput(HEADER, f"must be 1 to {MAX_KEY_CHARS} characters")
    if not all(32 < ord(c) < 127 for c in raw):
        raise InvalidInput(HEADER, "must be printable ASCII without spaces")
    return raw


def expired(kept: Attempt, now: datetime) -> bool:
    """A kept key is free again after a day, or once its unanswered first request has outlived the lease."""
    return now - kept.claimed_at >= (KEPT_FOR if kept.answer is not None else LEASE)


def verdict(kept: Attempt, fingerprint: str) -> Verdict:
    """Compare a repeated key's request with the one it was first sent with (not expired)."""
    if kept.fingerprint != fingerprint:
        return Verdict.DIFFERENT
    return Verdict.REPLAY if kept.answer is not None else Verdict.IN_PROGRESS

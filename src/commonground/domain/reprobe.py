"""A peer that could not be checked about an operation: kept until it answers, retried with backoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

BACKOFF_CAP_FACTOR = 32  # the longest wait between re-probes of one peer, in multiples of the base interval


@dataclass(frozen=True, slots=True)
class Unchecked:
    """One operation of this side that one peer has not yet been asked about successfully."""

    operation_id: str
    agency_id: str
    peer_id: str
    since: datetime
    attempts: int
    next_at: datetime


def next_attempt(at: datetime, attempts: int, base_seconds: float) -> datetime:
    """When to ask again after ``attempts`` failures: doubling from the base, capped, so a dead peer costs little."""
    factor = min(2 ** max(attempts - 1, 0), BACKOFF_CAP_FACTOR)
    return at + timedelta(seconds=base_seconds * factor)


def unchecked_message(installation: str) -> str:
    """The plain words an agency reads when a peer could not be checked."""
    return f"could not check installation {installation}; will keep trying"


def checked_message(installation: str, conflicts: int) -> str:
    """The plain words an agency reads when a peer finally answered."""
    found = "no conflicts" if conflicts == 0 else f"{conflicts} conflict{'s' if conflicts != 1 else ''}"
    return f"installation {installation} has now been checked: {found} found"

"""Hash-chaining of audit records: each record seals its content and its predecessor."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commonground.domain.timewindow import isoformat

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What happened, by whom, to what, with which outcome; sealed by the store."""

    action: str
    outcome: str
    actor_user_id: str | None = None
    actor_agency_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    details: dict[str, Any] | None = field(default=None)


def record_fields(seq: int, at: datetime, entry: AuditEntry, prev_hash: str) -> dict[str, Any]:
    """Every field a record stores but its hash: what the store writes and the seal covers."""
    return {
        "seq": seq,
        "at": at,
        "actor_user_id": entry.actor_user_id,
        "actor_agency_id": entry.actor_agency_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome,
        "details": entry.details,
        "prev_hash": prev_hash,
    }


def seal(seq: int, at: datetime, entry: AuditEntry, prev_hash: str) -> str:
    """Return the record's hash over a canonical rendering of every stored field."""
    body = {**record_fields(seq, at, entry, prev_hash), "at": isoformat(at)}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()

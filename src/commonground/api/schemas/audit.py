"""The audit log and the transparency report, for auditors."""

from __future__ import annotations

from typing import Any

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, described, next_cursor


class AuditRecordPublic(Public):
    seq: int = described("Position in the hash chain.", 39)
    at: Instant = described("When it happened.", TIME_EXAMPLE)
    actor_user_id: str | None = described("Who did it; null for the system.", ID_EXAMPLE)
    actor_agency_id: str | None = described("Their agency.", ID_EXAMPLE)
    action: str = described("Tag `source:subject:action` (docs/audit.md).", "ops:operation:read-other")
    object_type: str | None = described("What it was done to.", "operation")
    object_id: str | None = described("Its id.", ID_EXAMPLE)
    outcome: str = described("`success`, `denied` or `failure`.", "success")
    details: dict[str, Any] | None = described("What else the record holds.", {"level": "safety"})
    hash: str = described("This record's chain hash (hex SHA-256).", "aaec975e63b2a266…")


class ChainPublic(Public):
    intact: bool = described("Every record's hash checks.", True)
    checked: int = described("How many records were checked.", 78)


class AuditRecordsPublic(Public):
    items: list[AuditRecordPublic] = described("Matching records, oldest first.", [])
    next: str | None = next_cursor()
    chain: ChainPublic = described("The chain's verdict at the time of reading.", {"intact": True, "checked": 78})


class CheckpointPublic(Public):
    format: str = described("What the document is.", "commonground-audit-checkpoint-v1")
    tree_size: int = described("How many records the signed tree head covers.", 1000)
    root_hash: str = described("The Merkle tree head (RFC 9162, hex SHA-256).", "5dc9da79a70659a9…")
    at: Instant = described("When it was signed.", TIME_EXAMPLE)
    last_hash: str = described("The chain hash of record `tree_size`.", "aaec975e63b2a266…")
    public_key: str = described("The installation's Ed25519 public key (base64, raw).", "2dNh0m…")
    signature: str = described("Ed25519 over the signed text (docs/audit.md), base64.", "q83v…")


class CheckpointsPublic(Public):
    items: list[CheckpointPublic] = described("Signed checkpoints, newest first.", [])
    next: str | None = next_cursor()


class NoticeCountsPublic(Public):
    agency_id: str = described("The operating agency.", ID_EXAMPLE)
    agency: str | None = described("Its name.", "ICE ERO St. Paul")
    notices_cancelled: int | None = described("Notices cancelled before they were due.", 0, default=None)
    notices_scheduled: int | None = described("Notices waiting for the operation's start.", 1, default=None)
    notices_sent: int | None = described("Notices sent.", 2, default=None)
    notices_withheld: int | None = described("Notices the operation withheld.", 0, default=None)


class SuppressedCountPublic(Public):
    agency_id: str = described("The restricting agency.", ID_EXAMPLE)
    agency: str | None = described("Its name.", "Minneapolis Police Department")
    count: int = described("Subject matches its restricted purposes suppressed.", 3)


class ResponseCountPublic(Public):
    agency_id: str = described("The host agency that answered notices.", ID_EXAMPLE)
    agency: str | None = described("Its name.", "Minneapolis Police Department")
    response: str = described("The answer given.", "aware_not_assisting")
    count: int = described("How many times it gave that answer (each change counts).", 1)


class TransparencyPublic(Public):
    notices_by_operating_agency: list[NoticeCountsPublic] = described("Notices per operating agency.", [])
    suppressed_subject_matches_by_restricting_agency: list[SuppressedCountPublic] = described(
        "Subject matches never made, per agency whose policy restricted them.", []
    )
    notice_responses_by_host_agency: list[ResponseCountPublic] = described(
        "Answers host agencies gave to notices, per agency and answer.", [], default_factory=list
    )

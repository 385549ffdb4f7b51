"""Walk the audit chain and report the first record that breaks it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from commonground.audit.chain import GENESIS, AuditEntry, seal


@dataclass(frozen=True, slots=True)
class StoredRecord:
    seq: int
    at: datetime
    entry: AuditEntry
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Verdict:
    intact: bool
    checked: int
    problem: str | None = None


def verify_chain(records: Iterable[StoredRecord]) -> Verdict:
    """Check sequence, links and seals; altered, removed or reordered records all fail."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for rec in records:
        if rec.seq != expected_seq:
            return Verdict(False, checked, f"record {expected_seq} is missing or out of order (found {rec.seq})")
        if rec.prev_hash != expected_prev:
            return Verdict(False, checked, f"record {rec.seq} does not link to its predecessor")
        if seal(rec.seq, rec.at, rec.entry, rec.prev_hash) != rec.hash:
            return Verdict(False, checked, f"record {rec.seq} was altered")
        expected_prev, expected_seq, checked = rec.hash, expected_seq + 1, checked + 1
    return Verdict(True, checked)

"""The hash chain catches altered, removed and reordered records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from commonground.audit.chain import GENESIS, AuditEntry, seal
from commonground.audit.verify import StoredRecord, verify_chain

T = datetime(2026, 11, 28, tzinfo=UTC)


def chain(n: int) -> list[StoredRecord]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = AuditEntry("ops:operation:create", "success", actor_user_id=f"u{seq}", details={"n": seq})
        at = T + timedelta(seconds=seq)
        digest = seal(seq, at, entry, prev)
        out.append(StoredRecord(seq, at, entry, prev, digest))
        prev = digest
    return out


def test_an_untouched_chain_verifies() -> None:
    verdict = verify_chain(chain(5))
    assert verdict.intact and verdict.checked == 5


def test_an_altered_detail_is_caught() -> None:
    records = chain(5)
    records[2] = replace(records[2], entry=replace(records[2].entry, details={"n": 99}))
    verdict = verify_chain(records)
    assert not verdict.intact and "3" in (verdict.problem or "")


def test_a_removed_record_is_caught() -> None:
    records = chain(5)
    del records[1]
    assert not verify_chain(records).intact


def test_reordered_records_are_caught() -> None:
    records = chain(5)
    records[1], records[2] = records[2], records[1]
    assert not verify_chain(records).intact


def test_a_rewritten_tail_with_fresh_hashes_still_breaks_at_the_seq() -> None:
    records = chain(4)
    forged = [*records[:2], replace(records[3], seq=3)]
    assert not verify_chain(forged).intact

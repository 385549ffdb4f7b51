"""Signed checkpoints through the audit service, on both stores: when they are signed, the quick
verdict, inclusion proofs, and pruning that keeps ``verify`` green."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from commonground.audit.chain import AuditEntry
from commonground.audit.proofs import check_consistency, check_proof
from commonground.bootstrap import Services, build_services, signature_check
from commonground.config import Settings, normalise_url
from commonground.domain.errors import InvalidInput, StateConflict
from commonground.service.clock import ManualClock
from tests.conftest import World
from tests.integration.conftest_pg import RoleDatabase, cluster, roles_db

__all__ = ["cluster", "roles_db"]  # fixtures, imported for pytest

START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def audited(store_url: str, clock: ManualClock) -> Iterator[Services]:
    built = build_services(Settings(database_url=store_url, audit_checkpoint_records=10), clock=clock)
    yield built
    built.close()


def write(services: Services, n: int, clock: ManualClock) -> None:
    for i in range(n):
        with services.store.write() as tx:
            tx.audit.append(AuditEntry("ops:operation:create", "success", details={"i": i}), clock.now())
        clock.advance(timedelta(seconds=1))


def sql(services: Services, statement: str) -> None:
    engine = create_engine(normalise_url(services.settings.database_url))
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_checkpoints_fall_due_by_records_or_minutes(audited: Services, clock: ManualClock) -> None:
    """The first record makes one due; then every 10 records, or 60 minutes after the last with any new."""
    write(audited, 3, clock)
    first = audited.audit.checkpoint()
    assert first is not None and first.tree_size == 3
    assert first.public_key == audited.federation.public_key() and first.signature_checks(signature_check())
    write(audited, 9, clock)
    assert audited.audit.checkpoint() == first  # 9 new: not yet due
    write(audited, 1, clock)
    second = audited.audit.checkpoint()
    assert second is not None and second.tree_size == 13
    write(audited, 1, clock)
    assert audited.audit.checkpoint() == second
    clock.advance(timedelta(minutes=61))
    third = audited.audit.checkpoint()
    assert third is not None and third.tree_size == 14 and third.frontier_fits()


def test_the_quick_verdict_checks_from_the_latest_checkpoint(audited: Services, clock: ManualClock) -> None:
    """Intact counts every kept record; a re-sealed anchor or a truncated tail breaks it."""
    write(audited, 12, clock)
    audited.audit.checkpoint(force=True)
    write(audited, 4, clock)
    verdict = audited.audit.verdict()
    assert verdict.intact and verdict.checked == 16
    sql(audited, "UPDATE audit_log SET hash = prev_hash WHERE seq = 12")
    broken = audited.audit.verdict()
    assert not broken.intact and str(broken.problem).startswith("record 12 differs from the checkpoint of 12")
    sql(audited, "DELETE FROM audit_log WHERE seq >= 11")
    truncated = audited.audit.verdict()
    assert not truncated.intact and "truncated" in str(truncated.problem)


def test_an_inclusion_proof_verifies_and_an_altered_one_is_refused(audited: Services, clock: ManualClock) -> None:
    write(audited, 21, clock)
    proof = audited.audit.prove(7)
    assert proof["tree_size"] == 21 and proof["record"]["seq"] == 7
    verdict = check_proof(proof, signature_check())
    assert verdict.valid, verdict.message

    def altered(change: Any) -> bool:
        doc = copy.deepcopy(proof)
        change(doc)
        return check_proof(doc, signature_check()).valid

    assert not altered(lambda d: d["record"].update(outcome="denied"))
    assert not altered(lambda d: d["record"]["details"].update(i=99))
    assert not altered(lambda d: d["path"].__setitem__(0, "00" * 32))
    assert not altered(lambda d: d["checkpoint"].update(root_hash="11" * 32))
    assert not altered(lambda d: d["checkpoint"].update(at="2024-01-01T09:00:01.000Z"))  # signature
    assert not altered(lambda d: d.update(leaf_index=5))
    with pytest.raises(InvalidInput) as refused:
        audited.audit.prove(99)
    assert refused.value.field == "seq"


def test_prune_keeps_the_retention_period_and_verify_stays_green(audited: Services, clock: ManualClock) -> None:
    """Only records older than the retention period go, up to a signed checkpoint; the log still verifies."""
    write(audited, 25, clock)
    audited.audit.checkpoint(force=True)  # 25 records, signed at START + 25 s
    clock.advance(timedelta(days=2))
    write(audited, 5, clock)
    audited.audit.checkpoint(force=True)  # 30
    clock.advance(timedelta(days=400))
    with pytest.raises(InvalidInput) as refused:
        audited.audit.prune(clock.now() - timedelta(days=300))
    assert refused.value.field == "before"
    assert audited.audit.prune(START + timedelta(days=1)) == 25
    with audited.store.read() as tx:
        assert tx.audit.bounds() == (26, 31)  # 31: the prune's own record
        pruned = [r for r in tx.audit.all() if r.entry.action == "audit:log:prune"]
        assert pruned[0].entry.details is not None and pruned[0].entry.details["through"] == 25
    full, quick = audited.audit.verify(), audited.audit.verdict()
    assert full.intact and full.checked == 6 and full.tree_size == 31, full.problem
    assert quick.intact, quick.problem
    assert check_proof(audited.audit.prove(28), signature_check()).valid
    assert audited.audit.prune(START + timedelta(days=1)) == 0  # nothing more is old enough
    sql(audited, "DELETE FROM audit_log WHERE seq = 26")
    gap = audited.audit.verify()
    assert not gap.intact and "no signed checkpoint covers them" in str(gap.problem)


def test_retention_below_a_year_is_refused() -> None:
    with pytest.raises(ValidationError, match="audit_retention_days"):
        Settings(audit_retention_days=364)
    assert Settings().audit_retention_days == 365


def test_a_later_checkpoint_is_proved_consistent_with_a_held_one(audited: Services, clock: ManualClock) -> None:
    """RFC 9162 consistency: the log of the latest checkpoint extends the held one; a forged old head does not."""
    write(audited, 13, clock)
    held = audited.audit.checkpoint(force=True)
    assert held is not None
    write(audited, 8, clock)
    proof = audited.audit.consistency(held)
    assert proof["new"]["tree_size"] == 21
    assert check_consistency(proof, signature_check(), held).valid
    forged = copy.deepcopy(proof)
    forged["old"]["root_hash"] = "22" * 32
    assert not check_consistency(forged, signature_check()).valid  # its signature no longer checks
    assert not check_consistency({**proof, "proof": proof["proof"][1:]}, signature_check()).valid


def test_a_broken_chain_is_never_signed(audited: Services, clock: ManualClock) -> None:
    """A record after the last checkpoint that does not link to its predecessor: no new checkpoint is signed."""
    write(audited, 5, clock)
    audited.audit.checkpoint(force=True)
    write(audited, 3, clock)
    sql(audited, "UPDATE audit_log SET prev_hash = hash WHERE seq = 6")
    with pytest.raises(StateConflict, match="record 6 does not link"):
        audited.audit.checkpoint(force=True)


@pytest.mark.postgres
def test_the_app_role_signs_checkpoints_but_cannot_undo_them(roles_db: RoleDatabase) -> None:
    """As docs/postgres.md sets it up: the app role appends checkpoints; deleting them, or records, is refused."""
    services = build_services(Settings(database_url=roles_db.app_url))
    try:
        World(services)  # the installation admin, and its audit records
        made = services.audit.checkpoint(force=True)
        assert made is not None and made.tree_size > 0 and services.audit.verify().intact
        with pytest.raises(ProgrammingError, match="permission denied"), services.store.write() as tx:
            tx.audit.prune(made.tree_size)
    finally:
        services.close()
    engine = create_engine(roles_db.app_url)
    with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"), conn.begin():
        conn.execute(text("DELETE FROM audit_checkpoints"))
    engine.dispose()


def test_a_purge_prunes_the_audit_log_past_its_retention_and_verify_stays_green(
    audited: Services, clock: ManualClock
) -> None:
    """``commonground purge`` reaches the ledger: records past the audit period go, up to a signed checkpoint."""
    write(audited, 12, clock)
    audited.audit.checkpoint(force=True)
    clock.advance(timedelta(days=366))
    counts = audited.retention.purge()
    assert counts.audit_pruned == 12
    with audited.store.read() as tx:
        bounds = tx.audit.bounds()
    assert bounds is not None and bounds[0] == 13  # the prune's and the purge's own records stay
    assert audited.audit.verify().intact
    assert audited.retention.purge().audit_pruned == 0

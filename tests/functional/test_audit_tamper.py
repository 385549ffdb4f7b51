"""The issue's measured findings: truncation and a re-sealed chain are caught, from the CLI as a real process.

Each test tampers with the database the way "whoever holds the database" can: deleting the
newest row, the newest 100 rows or every row, or altering a record and re-sealing the chain
with the package's own ``seal``. Before signed checkpoints, ``audit verify`` said "intact" to all four.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from commonground.audit.chain import GENESIS, AuditEntry, seal
from commonground.bootstrap import open_store

CLI = [sys.executable, "-m", "commonground.cli"]
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RECORDS = 150


def run(*args: str, url: str, key_file: Path) -> subprocess.CompletedProcess[str]:
    env = {"COMMONGROUND_FEDERATION_KEY_FILE": str(key_file)}
    return subprocess.run(
        [*CLI, *args, "--database-url", url],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **env},
    )


def write_records(url: str, n: int = RECORDS) -> None:
    """Append ``n`` records through the store, as the services would."""
    store = open_store(url)
    try:
        with store.write() as tx:
            for i in range(n):
                tx.audit.append(
                    AuditEntry("ops:operation:create", "success", details={"n": i}), T0 + timedelta(seconds=i)
                )
    finally:
        store.close()


def delete_last(n: int) -> Callable[[Engine], None]:
    def tamper(engine: Engine) -> None:
        with engine.begin() as conn:
            top: int = conn.execute(text("SELECT max(seq) FROM audit_log")).scalar_one()
            conn.execute(text("DELETE FROM audit_log WHERE seq > :floor"), {"floor": top - n})

    return tamper


def delete_all(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


def alter_and_reseal(engine: Engine) -> None:
    """Change record 7's outcome and re-seal it and every later record with the package's own code."""
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all()
        prev = GENESIS
        for row in rows:
            outcome = "failure" if row["seq"] == 7 else row["outcome"]
            at = datetime.fromisoformat(str(row["at"])).replace(tzinfo=UTC)
            details = row["details"]
            entry = AuditEntry(
                row["action"],
                outcome,
                row["actor_user_id"],
                row["actor_agency_id"],
                row["object_type"],
                row["object_id"],
                None if details is None else json.loads(details),
            )
            digest = seal(row["seq"], at, entry, prev)
            conn.execute(
                text("UPDATE audit_log SET outcome = :o, prev_hash = :p, hash = :h WHERE seq = :s"),
                {"o": outcome, "p": prev, "h": digest, "s": row["seq"]},
            )
            prev = digest


def wipe_checkpoints(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoints"))


TAMPERING = {
    "the last row deleted": delete_last(1),
    "the last 100 rows deleted": delete_last(100),
    "every row deleted": delete_all,
    "a row altered and the chain re-sealed": alter_and_reseal,
}


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "installation.key"


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_catches_it_from_the_checkpoints_it_signed(
    sqlite_url: str, key_file: Path, tamper: Callable[[Engine], None]
) -> None:
    """A verification that passed signs a checkpoint; tampering afterwards no longer verifies."""
    write_records(sqlite_url)
    assert run("audit", "verify", url=sqlite_url, key_file=key_file).returncode == 0
    engine = create_engine(sqlite_url)
    tamper(engine)
    engine.dispose()
    broken = run("audit", "verify", url=sqlite_url, key_file=key_file)
    assert broken.returncode == 1 and "BROKEN" in broken.stderr


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_against_an_exported_checkpoint_catches_it_even_with_the_checkpoints_wiped(
    sqlite_url: str, key_file: Path, tmp_path: Path, tamper: Callable[[Engine], None]
) -> None:
    """An outside party's copy of a signed checkpoint catches what the database can no longer show."""
    write_records(sqlite_url)
    held = tmp_path / "held-checkpoint.json"
    exported = run("audit", "checkpoint", "--export", str(held), url=sqlite_url, key_file=key_file)
    engine = create_engine(sqlite_url)
    tamper(engine)
    wipe_checkpoints(engine)
    engine.dispose()
    broken = run("audit", "verify", "--against", str(held), url=sqlite_url, key_file=key_file)
    assert exported.returncode == 0 and broken.returncode == 1 and "BROKEN" in broken.stderr


def test_a_truncated_tail_is_named_as_truncation(sqlite_url: str, key_file: Path, tmp_path: Path) -> None:
    """The verdict says what happened: the log is shorter than the checkpoint the party holds."""
    write_records(sqlite_url)
    held = tmp_path / "held.json"
    run("audit", "checkpoint", "--export", str(held), url=sqlite_url, key_file=key_file)
    engine = create_engine(sqlite_url)
    delete_last(1)(engine)
    wipe_checkpoints(engine)
    engine.dispose()
    broken = run("audit", "verify", "--against", str(held), url=sqlite_url, key_file=key_file)
    assert broken.returncode == 1 and "truncated" in broken.stderr
    untouched = run("audit", "verify", url=sqlite_url, key_file=key_file)
    assert untouched.returncode == 0  # with the checkpoints wiped, the database alone cannot tell


def test_a_printed_proof_verifies_offline_and_an_altered_one_is_refused(
    sqlite_url: str, key_file: Path, tmp_path: Path
) -> None:
    """``audit prove`` prints a proof; ``audit verify-proof`` checks it with no database, and refuses a change."""
    write_records(sqlite_url)
    held, proof = tmp_path / "held.json", tmp_path / "proof.json"
    run("audit", "checkpoint", "--export", str(held), url=sqlite_url, key_file=key_file)
    made = run("audit", "prove", "42", "--output", str(proof), url=sqlite_url, key_file=key_file)
    assert made.returncode == 0, made.stderr
    offline = [*CLI, "audit", "verify-proof", str(proof), "--against", str(held)]
    good = subprocess.run(offline, capture_output=True, text=True, check=False, timeout=60)
    assert good.returncode == 0 and "record 42 is in the log of 150 records" in good.stdout
    doc = json.loads(proof.read_text())
    doc["record"]["details"] = {"n": 7}
    proof.write_text(json.dumps(doc))
    bad = subprocess.run(offline, capture_output=True, text=True, check=False, timeout=60)
    assert bad.returncode == 1 and "REFUSED" in bad.stderr and "altered" in bad.stderr

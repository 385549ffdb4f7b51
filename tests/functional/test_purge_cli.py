"""``commonground purge`` and the sweep's purge, run as real processes on a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.service.clock import ManualClock
from tests.conftest import World, operation_data

CLI = [sys.executable, "-m", "commonground.cli"]


def run(*args: str, url: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args, "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def enter_old_operation(url: str) -> str:
    """Enter, through the real use-case, an operation that ended about 200 days ago; return its id."""
    then = datetime.now(UTC) - timedelta(days=200)
    services = build_services(Settings(database_url=url), clock=ManualClock(then))
    try:
        world = World(services)
        sgt = world.person(world.agency(), "supervisor")
        view, _ = services.operations.submit(sgt, operation_data(starts=then + timedelta(hours=1), title="Zqoldtitle"))
        return view.id
    finally:
        services.close()


def stored(url: str, operation_id: str) -> tuple[str, str | None]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT title, purged_at FROM operations WHERE id = :id"), {"id": operation_id}
            ).one()
    finally:
        engine.dispose()
    return str(row[0]), row[1]


def test_purge_dry_run_counts_then_purge_removes_and_audit_verify_stays_green(sqlite_url: str) -> None:
    op_id = enter_old_operation(sqlite_url)
    rehearsal = run("purge", "--dry-run", url=sqlite_url)
    assert rehearsal.returncode == 0, rehearsal.stderr
    assert "purge: would purge the details of 1 operations" in rehearsal.stdout
    assert "purge: audit records pruned: not counted in a dry run" in rehearsal.stdout
    assert stored(sqlite_url, op_id) == ("Zqoldtitle", None)

    done = run("purge", url=sqlite_url)
    assert done.returncode == 0, done.stderr
    assert "purge: purged the details of 1 operations" in done.stdout
    assert "purge: purged 0 subjects" in done.stdout  # operation_data carries no subjects
    title, purged_at = stored(sqlite_url, op_id)
    assert title == "" and purged_at is not None
    assert run("audit", "verify", url=sqlite_url).returncode == 0

    swept = run("sweep", url=sqlite_url)
    assert swept.returncode == 0, swept.stderr
    assert "sweep: purge: purged the details of 0 operations" in swept.stdout


def test_a_subject_period_past_five_years_is_refused_at_start(sqlite_url: str) -> None:
    refused = run("purge", "--dry-run", url=sqlite_url, env={"COMMONGROUND_SUBJECT_RETENTION_DAYS": "1827"})
    assert refused.returncode != 0
    assert "subject_retention_days" in refused.stderr

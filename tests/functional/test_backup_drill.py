"""The backup drill, on both stores: back up during submissions, restore into a fresh database, verify the
audit chain, and find every operation acknowledged before the backup started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, fresh_postgres_database, operation_data


def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commonground.cli", *args, "--database-url", url],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COMMONGROUND_LOG_LEVEL": "warning"},
    )


@pytest.fixture
def fresh_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as ``store_url``: where the drill restores to."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        yield from fresh_postgres_database()


def test_a_backup_taken_under_load_restores_and_verifies(store_url: str, fresh_url: str, tmp_path: Path) -> None:
    services = build_services(Settings(database_url=store_url, notify_worker=False))
    world = World(services)
    writers = [world.person(world.agency("local"), "supervisor") for _ in range(3)]
    acked: list[str] = []
    lock, stop = threading.Lock(), threading.Event()

    def submit(who: Any, n: int) -> None:
        i = 0
        while not stop.is_set():
            op, _ = services.operations.submit(who, operation_data(lat=40 + n + i / 1000, lon=-100 + i / 1000))
            with lock:
                acked.append(op.id)
            i += 1

    threads = [threading.Thread(target=submit, args=(w, n), daemon=True) for n, w in enumerate(writers)]
    for t in threads:
        t.start()
    try:
        while len(acked) < 30:
            threading.Event().wait(0.05)
        with lock:
            before = list(acked)  # acknowledged before the backup started
        made = cli("backup", str(tmp_path / "cg.backup"), url=store_url)
        with lock:
            during = len(acked) - len(before)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        services.close()
    assert made.returncode == 0, made.stderr[-2000:]
    head = json.loads((tmp_path / "cg.backup.head.json").read_text())
    assert head["seq"] > 0 and len(head["hash"]) == 64
    assert oct((tmp_path / "cg.backup").stat().st_mode & 0o777) == "0o600"

    restored = cli("restore", str(tmp_path / "cg.backup"), url=fresh_url)
    assert restored.returncode == 0, restored.stderr[-2000:]
    verified = cli("audit", "verify", url=fresh_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    back = build_services(Settings(database_url=fresh_url, notify_worker=False))
    try:
        with back.store.read() as tx:
            found = [op_id for op_id in before if tx.operations.get(op_id) is None]
            bounds = tx.audit.bounds()
            last = tx.audit.get(bounds[1]) if bounds else None
        assert found == []  # every acknowledged operation is in the copy
        assert last is not None and (last.seq, last.hash) == (head["seq"], head["hash"])  # the head recorded
    finally:
        back.close()
    print(f"\nbackup drill: {len(before)} acknowledged before, {during} more during the backup; head #{head['seq']}")

    # A second restore over the now-populated database is refused without --force.
    again = cli("restore", str(tmp_path / "cg.backup"), url=fresh_url)
    assert again.returncode == 2 and "--force" in again.stderr
    forced = cli("restore", str(tmp_path / "cg.backup"), "--force", url=fresh_url)
    assert forced.returncode == 0, forced.stderr[-2000:]

"""``commonground federation identity`` and ``peer add``, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "commonground.cli", "federation"]


def run(*args: str, url: str, key_file: str = "", check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COMMONGROUND_FEDERATION_NAME": "county-west",
        "COMMONGROUND_PUBLIC_URL": "https://cg.w.example",
    }
    if key_file:
        env["COMMONGROUND_FEDERATION_KEY_FILE"] = key_file
    return subprocess.run(
        [*CLI, *args, "--database-url", url], capture_output=True, text=True, check=check, timeout=120, env=env
    )


def test_identity_is_made_once_and_kept_in_the_database(sqlite_url: str) -> None:
    first = json.loads(run("identity", url=sqlite_url).stdout)
    assert first["name"] == "county-west" and first["url"] == "https://cg.w.example"
    assert len(first["public_key"]) == 44
    assert json.loads(run("identity", url=sqlite_url).stdout) == first


def test_a_key_file_is_made_on_first_start_and_used(sqlite_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "federation.key"
    first = json.loads(run("identity", url=sqlite_url, key_file=str(key_file)).stdout)
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert json.loads(run("identity", url=sqlite_url, key_file=str(key_file)).stdout) == first
    assert json.loads(run("identity", url=sqlite_url).stdout)["public_key"] != first["public_key"]


def test_peer_add_stores_the_peer_and_refuses_a_bad_one(sqlite_url: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    key = json.loads(run("identity", url=other).stdout)["public_key"]
    peer = json.loads(run("peer", "add", "city-east", "http://127.0.0.1:8001", key, url=sqlite_url).stdout)
    assert peer["name"] == "city-east" and peer["status"] == "unknown" and peer["public_key"] == key
    again = run("peer", "add", "city-east", "http://127.0.0.1:8001", key, url=sqlite_url, check=False)
    assert again.returncode == 1 and "already registered" in again.stderr
    bad = run("peer", "add", "x", "http://cg.example.gov", key, url=sqlite_url, check=False)
    assert bad.returncode == 1 and "loopback" in bad.stderr

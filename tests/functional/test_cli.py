"""The command line as API.md documents it, run as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import LiveServer, bearer

CLI = [sys.executable, "-m", "commonground.cli"]


def run(*args: str, url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args, "--database-url", url], capture_output=True, text=True, check=check, timeout=120
    )


def test_bootstrap_token_create_and_audit_verify(sqlite_url: str) -> None:
    token = run("admin", "bootstrap", "--username", "root", url=sqlite_url).stdout.strip().splitlines()[-1]
    assert token.startswith("cg_")
    again = run("token", "create", "--user", "root", url=sqlite_url).stdout.strip().splitlines()[-1]
    assert again.startswith("cg_") and again != token
    assert run("audit", "verify", url=sqlite_url).returncode == 0
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET outcome = 'failure' WHERE seq = 1"))
    engine.dispose()
    broken = run("audit", "verify", url=sqlite_url, check=False)
    assert broken.returncode != 0 and "BROKEN" in broken.stderr


def test_a_bootstrapped_token_works_against_the_server(sqlite_url: str) -> None:
    token = run("admin", "bootstrap", "--username", "root", url=sqlite_url).stdout.strip().splitlines()[-1]
    from commonground.bootstrap import build_services
    from commonground.config import Settings

    services = build_services(Settings(database_url=sqlite_url))
    try:
        with LiveServer(services) as live:
            r = httpx.get(f"{live.url}/api/v1/agencies", headers=bearer(token))
            assert r.status_code == 200 and r.json()["items"][0]["ori"] == "CGINSTALL"
    finally:
        services.close()


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert "up to date" in run("db", "upgrade", url=url).stdout


def test_token_create_takes_repeatable_scopes_and_refuses_a_bad_one(sqlite_url: str) -> None:
    run("admin", "bootstrap", "--username", "root", url=sqlite_url)
    made = run(
        "token", "create", "--user", "root", "--name", "ops", "--scope", "admin", "--scope", "admin", url=sqlite_url
    )
    token = made.stdout.strip().splitlines()[-1]
    for bad in ("lookup", "lookups"):  # root's roles give nothing under lookup; lookups is no scope
        refused = run(
            "token", "create", "--user", "root", "--scope", "admin", "--scope", bad, url=sqlite_url, check=False
        )
        assert refused.returncode == 1 and "scopes:" in refused.stderr and refused.stdout == ""
    from commonground.bootstrap import build_services
    from commonground.config import Settings

    services = build_services(Settings(database_url=sqlite_url))
    try:
        with LiveServer(services) as live:
            r = httpx.get(f"{live.url}/api/v1/tokens", headers=bearer(token))
            assert r.status_code == 200
            assert {t["name"]: t["scopes"] for t in r.json()["items"]} == {"bootstrap": None, "ops": ["admin"]}
    finally:
        services.close()

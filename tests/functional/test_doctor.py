"""``commonground doctor`` on a healthy installation and on a broken one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, free_port


def doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commonground.cli", "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COMMONGROUND_LOG_LEVEL": "warning", **env},
    )


def levels(out: str) -> dict[str, str]:
    found = {}
    for line in out.splitlines():
        level, _, rest = line.partition(" ")
        if level in ("ok", "warn", "fail"):
            found[rest.strip().split(":", 1)[0]] = level
    return found


def test_doctor_passes_a_healthy_installation_and_names_each_fault_of_a_broken_one(
    store_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "audit.key"
    healthy = {
        "COMMONGROUND_DATABASE_URL": store_url,
        "COMMONGROUND_AUDIT_KEY_FILE": str(key),
        "COMMONGROUND_PUBLIC_URL": "https://cg.example.org",
    }
    services = build_services(Settings(database_url=store_url, audit_key_file=str(key)))
    World(services).person(World(services).agency("local"), "supervisor")  # some audit records
    services.close()
    key.chmod(0o600)

    good = doctor(healthy)
    assert good.returncode == 0, good.stdout + good.stderr
    seen = levels(good.stdout)
    for check in ("database", "migrations", "audit key file", "cookies", "smtp", "clock", "disk", "audit chain"):
        assert seen.get(check) == "ok", (check, good.stdout)
    if store_url.startswith("postgresql"):
        assert seen["postgis"] == "ok"

    key.chmod(0o644)
    broken = {
        **healthy,
        "COMMONGROUND_PUBLIC_URL": "http://cg.example.org",  # Secure cookies over http: no sign-in possible
        "COMMONGROUND_SMTP_HOST": "127.0.0.1",
        "COMMONGROUND_SMTP_PORT": str(free_port()),  # nothing listens
    }
    bad = doctor(broken)
    assert bad.returncode == 1, bad.stdout
    seen = levels(bad.stdout)
    assert seen["audit key file"] == seen["cookies"] == seen["smtp"] == "fail", bad.stdout
    assert f"chmod 600 {key}" in bad.stdout and "1 failed" not in bad.stdout and "3 failed" in bad.stdout

    gone = doctor({**healthy, "COMMONGROUND_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none"})
    assert gone.returncode == 1 and levels(gone.stdout)["database"] == "fail", gone.stdout

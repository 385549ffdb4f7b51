"""The README's five-minute tour, run as written against the demo on a real server, with MFA required."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.demo import DEMO_PASSWORD, seed
from tests.conftest import LiveServer

ROOT = Path(__file__).parents[2]
TOUR = re.compile(r"## Five-minute tour.*?```sh\n(.*?)```", re.S)


def test_the_readme_tour_works_with_the_demo_tokens(tmp_path: Path) -> None:
    script = TOUR.search((ROOT / "README.md").read_text())
    assert script is not None
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    services = build_services(Settings(database_url=url))
    assert services.settings.require_mfa  # the default: the tour must not need a password sign-in
    try:
        seed(services, token_file=tmp_path / "demo-tokens.json")
        (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # the tour runs from a checkout
        with LiveServer(services) as live:
            login = {"username": "mpd.sgt", "password": DEMO_PASSWORD}
            refused = httpx.post(f"{live.url}/api/v1/auth/login", json=login)
            assert refused.status_code == 403  # so the tour cannot lean on it
            shell = script.group(1).replace("http://127.0.0.1:8000", live.url)
            run = subprocess.run(
                ["/bin/bash", "-e", "-c", shell],
                cwd=tmp_path,
                env={**os.environ, "COMMONGROUND_DATABASE_URL": url},
                capture_output=True,
                text=True,
                timeout=120,
            )
    finally:
        services.close()
    out = run.stdout
    assert run.returncode == 0, run.stderr[-2000:]
    for refusal in ("not_authenticated", "mfa_enrolment_required", "forbidden"):
        assert refusal not in out
    assert '"counterpart"' in out  # step 2: the new operation's conflict
    assert '"status":"resolved"' in out.replace(" ", "")  # step 4, on the conflict step 2 found
    assert '"code":"invalid_input"' in out and '"field":"starts_at"' in out  # step 5
    assert '"action": "ops:conflict:create"' in out  # step 6
    assert '"insufficient_scope"' in out and '{"scope":"notices"}' in out  # step 7

"""The deployment kit: systemd units that ``systemd-analyze verify`` accepts, and files the docs name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
UNITS = (
    "commonground.service",
    "commonground-worker.service",
    "commonground-sweep.service",
    "commonground-sweep.timer",
)
INSTALLED = "/opt/commonground/.venv/bin/commonground"


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not on this machine")
    here = str(Path(sys.executable).parent / "commonground")  # the command as installed here
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace(INSTALLED, here))
    done = subprocess.run(
        ["systemd-analyze", "verify", *UNITS], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no warning either


def test_the_units_run_what_the_docs_say() -> None:
    serve = (DEPLOY / "systemd" / "commonground.service").read_text()
    assert "serve --no-worker --proxy-headers --forwarded-allow-ips 127.0.0.1" in serve
    assert (
        "ExecStart=/opt/commonground/.venv/bin/commonground worker"
        in (DEPLOY / "systemd" / "commonground-worker.service").read_text()
    )
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    for part in (*UNITS, "nginx/commonground.conf", "Caddyfile", "container/Containerfile", "env.example"):
        assert part in deploy, part

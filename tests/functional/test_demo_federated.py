"""``commonground demo --federated`` as a person runs it: a real process, two installations, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from typer.testing import CliRunner

from commonground.audit.tags import Action
from commonground.bootstrap import build_services
from commonground.cli.federated_demo import Installation, installations, prepare, register, tour
from commonground.cli.main import app
from commonground.service.ports import AuditFilter
from tests.conftest import bearer, free_port

ROOT = Path(__file__).parents[2]
READY = "Ctrl-C stops both."
SCRIPT = re.compile(r"^A=http.*?(?=\n\n)", re.S | re.M)
README_SCRIPT = re.compile(r"## Two installations.*?```sh\n(.*?)\n```", re.S)


def children(pid: int) -> list[int]:
    """Return the processes whose parent is ``pid`` (read from /proc: the demo's two servers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def federated_demo(tmp_path: Path, port: int, peer_port: int) -> Iterator[tuple[subprocess.Popen[bytes], IO[str]]]:
    """Run the demo in its own process group, as a terminal would; kill what is left when the block ends."""
    command = [sys.executable, "-m", "commonground.cli", "demo", "--federated", "--port", str(port)]
    command += ["--peer-port", str(peer_port), "--database-url", f"sqlite:///{tmp_path / 'twin-cities.db'}"]
    command += ["--peer-database-url", f"sqlite:///{tmp_path / 'federal.db'}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONGROUND_")}
    with (tmp_path / "demo.out").open("w+") as out:
        proc = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 240
            while READY not in (tmp_path / "demo.out").read_text():
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "demo.out").read_text()[-3000:]
                time.sleep(0.5)
            yield proc, out
        finally:
            with suppress(ProcessLookupError):  # whatever is left of the group, servers orphaned by a failure too
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def documents(text: str) -> list[dict[str, Any]]:
    """Return the JSON documents printed one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (start := text.find("{", at)) >= 0:
        doc, at = decoder.raw_decode(text, start)
        found.append(doc)
    return found


def printed_token(output: str, username: str) -> str:
    match = re.search(rf"^  {re.escape(username)} .* (cg_\S+)$", output, re.M)
    assert match is not None, username
    return match.group(1)


def test_the_printed_curls_find_the_other_installations_operations_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    port, peer_port = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{peer_port}"
    with federated_demo(tmp_path, port, peer_port) as (proc, _):
        output = (tmp_path / "demo.out").read_text()
        servers = children(proc.pid)
        assert len(servers) == 2
        for base in (a, b):
            assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        # The printed tokens are the ones in each side's token file.
        tokens = json.loads((tmp_path / "demo-tokens.json").read_text())
        federal = json.loads((tmp_path / "demo-tokens-federal.json").read_text())
        assert printed_token(output, "mpd.sgt") == tokens["mpd.sgt"]
        assert printed_token(output, "usms.dusm") == federal["usms.dusm"]
        assert "mpd.sgt" not in federal and "usms.dusm" not in tokens  # each side its own people
        assert httpx.get(f"{b}/api/v1/operations", headers=bearer(tokens["watch"])).status_code == 401
        # The script the demo prints, run as printed from the folder it was started in.
        script = SCRIPT.search(output)
        assert script is not None, output[-3000:]
        run = subprocess.run(["/bin/bash", "-e", "-c", script.group(0)], cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        on_twin_cities, on_federal = documents(run.stdout)
        assert on_twin_cities["checked"] == ["federal-region"] and on_twin_cities["unchecked"] == []
        assert on_federal["checked"] == ["twin-cities"] and on_federal["unchecked"] == []
        (fbi,) = [h for h in on_twin_cities["hits"] if h["operation"]["agency"]["ori"] == "MNFBI0100"]
        assert fbi["installation"] == {"name": "federal-region"}
        assert {"MN0271100", "MNICE0100"} <= {h["operation"]["agency"]["ori"] for h in on_federal["hits"]}
        # Each hit is an operation the other installation really holds.
        held = httpx.get(f"{b}/api/v1/operations/{fbi['operation']['id']}", headers=bearer(federal["fbi.ssa"]))
        assert held.status_code == 200 and held.json()["agency"]["name"] == "FBI Minneapolis Field Office"
        for hit in on_federal["hits"]:
            there = httpx.get(f"{a}/api/v1/operations/{hit['operation']['id']}", headers=bearer(tokens["watch"]))
            assert there.status_code == 200, there.text
        # Ctrl-C reaches the whole process group; the demo and both servers end.
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(30) == 0
    assert_stopped(tmp_path, servers, (a, b))


def assert_stopped(tmp_path: Path, servers: list[int], bases: tuple[str, ...]) -> None:
    assert not any(alive(pid) for pid in servers)
    for base in bases:
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            raise AssertionError(f"{base} still answers")
        except httpx.ConnectError:
            pass
    assert "Both installations stopped." in (tmp_path / "demo.out").read_text()


def test_sigterm_to_the_demo_alone_stops_both_servers(tmp_path: Path) -> None:
    """A service manager or ``timeout`` signals only the demo process: it must stop its servers itself."""
    port, peer_port = free_port(), free_port()
    with federated_demo(tmp_path, port, peer_port) as (proc, _):
        servers = children(proc.pid)
        assert len(servers) == 2 and all(alive(pid) for pid in servers)
        proc.terminate()
        assert proc.wait(30) == 0
    assert_stopped(tmp_path, servers, (f"http://127.0.0.1:{port}", f"http://127.0.0.1:{peer_port}"))


def test_the_readme_shows_what_the_demo_prints() -> None:
    block = README_SCRIPT.search((ROOT / "README.md").read_text())
    assert block is not None
    assert block.group(1) == tour(installations(None, "sqlite://", 8000, 8001))


def registrations(side: Installation) -> tuple[list[tuple[str, str, str]], int, int]:
    """Return a side's peers (name, URL, key) and how many peer additions and removals it audited."""
    services = build_services(side.settings)
    try:
        with services.store.read() as tx:
            peers = [(p.name, p.url, p.public_key) for p in tx.peers.all()]
            added, removed = (
                len(tx.audit.records(AuditFilter(action=action), 1000, None).items)
                for action in (Action.PEER_ADD, Action.PEER_REMOVE)
            )
        return peers, added, removed
    finally:
        services.close()


def test_a_restart_keeps_the_registrations_and_other_ports_replace_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the token files are written where the demo runs
    urls = f"sqlite:///{tmp_path / 'twin-cities.db'}", f"sqlite:///{tmp_path / 'federal.db'}"

    def start(port: int, peer_port: int) -> tuple[list[Installation], list[str], list[int]]:
        sides = installations(urls[0], urls[1], port, peer_port)
        prepared = prepare(sides)
        keys = [key for _report, key in prepared]
        register(sides[0], sides[1], keys[1])
        register(sides[1], sides[0], keys[0])
        return sides, keys, [report.operations for report, _key in prepared]

    sides, keys, operations = start(18000, 18001)
    assert operations == [60, 24]
    assert keys[0] != keys[1]  # each installation its own key
    first = [registrations(side) for side in sides]
    assert first == [
        ([("federal-region", "http://127.0.0.1:18001", keys[1])], 1, 0),
        ([("twin-cities", "http://127.0.0.1:18000", keys[0])], 1, 0),
    ]
    assert start(18000, 18001)[2] == operations  # nothing re-seeded
    assert [registrations(side) for side in sides] == first  # nothing re-registered
    moved, again, _ = start(18100, 18001)
    assert again == keys
    assert [registrations(side) for side in moved] == [
        ([("federal-region", "http://127.0.0.1:18001", keys[1])], 1, 0),
        ([("twin-cities", "http://127.0.0.1:18100", keys[0])], 2, 1),
    ]


def test_the_same_port_twice_is_refused_naming_the_option_and_nothing_is_made(tmp_path: Path) -> None:
    db, peer_db = tmp_path / "twin-cities.db", tmp_path / "federal.db"
    args = ["demo", "--federated", "--port", "18200", "--peer-port", "18200", "--database-url", f"sqlite:///{db}"]
    result = CliRunner().invoke(app, [*args, "--peer-database-url", f"sqlite:///{peer_db}"])
    assert result.exit_code == 2
    assert "--peer-port" in result.output and "must differ from --port" in result.output
    assert not db.exists() and not peer_db.exists()

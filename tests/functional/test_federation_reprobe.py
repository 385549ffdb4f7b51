"""Never a false clear: a peer down at submission is re-probed until it answers, with real servers on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from commonground.audit.tags import Action
from tests.conftest import bearer, operation_data, server_process
from tests.functional.sse_client import SseClient
from tests.functional.test_federation import Installation, install, submit, trust
from tests.functional.test_federation_conflicts import remote_conflicts

# The federal side's own loop is off: its operation, entered while the city was down, is unchecked
# there too, and its re-probe would find the same pair first (still once a side) and blur the counts.
QUIET = {"COMMONGROUND_FEDERATION_REPROBE_SECONDS": "0"}
WAIT_S = 30.0  # how long a test waits for the background re-probe to reach a restarted peer


def until(condition: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def own_operation(inst: Installation, operation_id: str) -> dict[str, Any]:
    r = httpx.get(f"{inst.url}/api/v1/operations/{operation_id}", headers=bearer(inst.supervisor), timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def federal_then_city_with_feds_down(tmp_path: Path) -> tuple[Installation, Installation, str, str]:
    """The federal operation entered while both run; the city's, next door, while the federal server is stopped."""
    city = install(tmp_path, "city", "local")
    feds = install(tmp_path, "feds", "federal")
    trust(city, feds)
    with server_process(feds.db, port=feds.port, env=feds.env()):
        theirs = submit(feds, operation_data())
    assert theirs["federation"]["unchecked"] == ["city"]
    return city, feds, theirs["id"], ""


def test_a_peer_down_at_submission_is_re_probed_and_the_conflict_reaches_both_sides_once(tmp_path: Path) -> None:
    city, feds, theirs, _ = federal_then_city_with_feds_down(tmp_path)
    with (
        server_process(city.db, port=city.port, env=city.env(COMMONGROUND_FEDERATION_REPROBE_SECONDS="0.5")),
        SseClient(city.url, city.supervisor) as city_stream,
    ):
        mine = submit(city, operation_data())  # accepted though the federal installation cannot be checked
        assert mine["federation"]["checked"] == [] and mine["federation"]["unchecked"] == ["feds"]
        assert remote_conflicts(city) == []
        assert own_operation(city, mine["id"])["federation_unchecked"] == ["feds"]  # the operation view says so
        time.sleep(1.5)  # the loop tries while the peer is down: still unchecked, nothing recorded
        assert remote_conflicts(city) == []
        # The federal server comes back: the same database file and port; nobody submits anything.
        with server_process(feds.db, port=feds.port, env=feds.env(**QUIET)):
            assert until(lambda: len(remote_conflicts(city)) >= 1), "the re-probe never reached the restarted peer"
            assert until(lambda: len(remote_conflicts(feds)) >= 1)
            time.sleep(2.0)  # further rounds must not record it again
            (city_side,) = remote_conflicts(city)
            (fed_side,) = remote_conflicts(feds)
            assert "federation_unchecked" not in own_operation(city, mine["id"])  # checked now: the field is gone
            events = city_stream.drain(1.0)
    heard = {e.event: e.data for e in events}
    # The submitting agency heard, in plain words, that the installation could not be checked, then that it was.
    assert sorted(e.event for e in events) == ["conflict.created", "federation.checked", "federation.unchecked"]
    assert heard["federation.unchecked"]["message"] == "could not check installation feds; will keep trying"
    assert heard["federation.unchecked"]["operation_id"] == mine["id"]
    assert heard["federation.checked"]["conflicts"] == 1 and heard["federation.checked"]["installation"] == "feds"
    assert heard["conflict.created"]["counterpart"]["id"] == theirs
    assert city_side["your_operation_id"] == mine["id"] and city_side["counterpart"]["id"] == theirs
    assert fed_side["your_operation_id"] == theirs and fed_side["counterpart"]["id"] == mine["id"]
    rounds = city.audit(Action.FEDERATION_REPROBE)
    assert sum(r["answered"] for r in rounds) == 1, rounds
    assert sum(r["conflicts"] for r in rounds) == 1, rounds
    assert sum(r["still_unchecked"] for r in rounds) >= 1  # the rounds while the peer was down, counted


def test_the_sweep_re_checks_every_live_operation_against_every_peer_when_the_loop_is_off(tmp_path: Path) -> None:
    city, feds, theirs, _ = federal_then_city_with_feds_down(tmp_path)
    env = city.env(COMMONGROUND_FEDERATION_REPROBE_SECONDS="0")  # no loop: only the sweep asks again
    with server_process(city.db, port=city.port, env=env):
        mine = submit(city, operation_data())
        assert mine["federation"]["unchecked"] == ["feds"]
    with server_process(feds.db, port=feds.port, env=feds.env(**QUIET)):
        with server_process(city.db, port=city.port, env=env):
            time.sleep(1.5)
            assert remote_conflicts(city) == []  # the loop is off: nothing asked the peer again
        first = sweep(city, env)
        assert first.returncode == 0, first.stderr
        assert "sweep: 1 peer probes, 1 answered, 0 unchecked, 1 conflicts with peer installations" in first.stdout
        again = sweep(city, env)
        assert "sweep: 1 peer probes, 1 answered, 0 unchecked, 0 conflicts with peer installations" in again.stdout
        (fed_side,) = remote_conflicts(feds)
    assert fed_side["your_operation_id"] == theirs and fed_side["counterpart"]["id"] == mine["id"]
    with server_process(city.db, port=city.port, env=env):
        (city_side,) = remote_conflicts(city)
    assert city_side["your_operation_id"] == mine["id"] and city_side["counterpart"]["id"] == theirs


def sweep(inst: Installation, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commonground.cli", "sweep", "--database-url", inst.db],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )

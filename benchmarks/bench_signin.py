"""How long each kind of refused sign-in takes over HTTP: they must not tell accounts apart.

Runs a real ``commonground serve`` process on SQLite (or --database-url), prepares a person
with a password, one whose source is held back, one locked and one disabled, then posts
``/api/v1/auth/login`` --rounds times for each kind, interleaved, each from a loopback
address of its own. Prints the median and p90 of each kind and its median as a ratio to a
wrong password's (goal: every refusal within 0.9-1.1).

Usage: .venv/bin/python benchmarks/bench_signin.py [--rounds 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import World, server_process

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.service.signin_ports import Credential

PASSWORD = "correct horse battery staple"
HELD_SOURCE = "127.0.5.1"
# The server's own limits are opened up so only the refusal under test answers; the hold-back is long.
SERVER_ENV = {
    "COMMONGROUND_SIGNIN_ATTEMPTS_PER_MINUTE": "0",
    "COMMONGROUND_SIGNIN_HOLD_BACK_SECONDS": "3600",
    "COMMONGROUND_SIGNIN_HOLD_BACK_MAX_SECONDS": "3600",
    "COMMONGROUND_NOTIFY_WORKER": "false",
}


def prepare(url: str) -> dict[str, str]:
    """Create the people each kind of refusal signs in as; return their usernames."""
    services = build_services(Settings(database_url=url))
    try:
        world = World(services)
        admin = world.person(world.agency(), "agency_admin")
        names = {}
        for kind in ("wrong password", "held back", "locked", "disabled", "success"):
            names[kind] = world.person(admin.agency, "officer", password=PASSWORD).user.username
        with services.store.write() as tx:
            locked = tx.people.by_username(names["locked"])
            assert locked is not None
            credential = tx.signin.credential(locked[0].id) or Credential(locked[0].id)
            tx.signin.put_credential(replace(credential, locked_at=datetime.now(UTC)))
        disabled = world.principal(names["disabled"])
        services.lifecycle.disable(admin, disabled.user.id)
        return names
    finally:
        services.close()


def post(base: str, source: str, username: str, password: str) -> tuple[float, int]:
    """One sign-in from ``source``; the seconds it took and the status."""
    with httpx.Client(base_url=base, timeout=30, transport=httpx.HTTPTransport(local_address=source)) as client:
        started = time.perf_counter()
        r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
        return time.perf_counter() - started, r.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        names = prepare(url)
        with server_process(url, env=SERVER_ENV) as (_proc, base):
            for _ in range(5):
                post(base, HELD_SOURCE, names["held back"], "wrong password")
            kinds: dict[str, Callable[[int], tuple[float, int]]] = {
                "unknown user": lambda n: post(base, f"127.0.4.{n % 250 + 1}", f"nobody-{n}", PASSWORD),
                # a new source every time, so a wrong password is never held back
                "wrong password": lambda n: post(base, f"127.0.3.{n % 250 + 1}", names["wrong password"], "nope"),
                "held back": lambda n: post(base, HELD_SOURCE, names["held back"], PASSWORD),
                "locked": lambda n: post(base, f"127.0.6.{n % 250 + 1}", names["locked"], PASSWORD),
                "disabled": lambda n: post(base, f"127.0.7.{n % 250 + 1}", names["disabled"], PASSWORD),
                "success": lambda n: post(base, f"127.0.8.{n % 250 + 1}", names["success"], PASSWORD),
            }
            for run in kinds.values():  # warm-up
                run(10_000)
            times: dict[str, list[float]] = {kind: [] for kind in kinds}
            for n in range(args.rounds):
                for kind, run in kinds.items():
                    seconds, status = run(n)
                    expected = 200 if kind == "success" else 401
                    assert status == expected, f"{kind}: {status}"
                    times[kind].append(seconds)
    reference = statistics.median(times["wrong password"])
    print(f"{'kind':<16}{'median ms':>10}{'p90 ms':>10}{'ratio':>8}   ({args.rounds} rounds)")
    for kind, found in times.items():
        median = statistics.median(found)
        p90 = statistics.quantiles(found, n=10)[-1]
        print(f"{kind:<16}{median * 1000:>10.1f}{p90 * 1000:>10.1f}{median / reference:>8.2f}")


if __name__ == "__main__":
    main()

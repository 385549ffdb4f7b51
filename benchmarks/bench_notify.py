"""Time from a conflicting submission's HTTP response to the event's arrival at an SSE client.

Runs a real ``commonground serve`` process (SQLite, or PostgreSQL with --database-url),
one SSE client subscribed as the second agency's supervisor, and submits --conflicts
pairs of operations one after another; prints p50, p99 and max (goal: p99 <= 1 s).

Usage: .venv/bin/python benchmarks/bench_notify.py [--conflicts 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import server_process

from commonground.bootstrap import build_services
from commonground.config import Settings


def operation(lat: float, lon: float, starts: datetime) -> dict[str, object]:
    return {
        "type": "search_warrant",
        "purpose": "criminal",
        "title": "Bench",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "location": {"lat": lat, "lon": lon, "radius_m": 50},
        "contact": {"name": "Sgt. Bench", "phone": "+1 612 555 0100"},
        "team": {"personnel": 4},
        "risk": "low",
    }


def setup(url: str) -> tuple[str, str]:
    """Create two agencies, a supervisor in each, and return their tokens."""
    services = build_services(Settings(database_url=url))
    try:
        admin, _ = services.accounts.bootstrap_admin("bench-root")
        with services.store.read() as tx:
            found = tx.people.by_username(admin.username)
            assert found is not None
            agency = tx.agencies.get(found[0].agency_id)
            assert agency is not None
        from commonground.service.principal import Principal

        root = Principal(found[0], agency)
        tokens = []
        for n in range(2):
            made = services.accounts.create_agency(
                root,
                {
                    "ori": f"BENCH{n:04d}",
                    "name": f"Bench {n}",
                    "level": "local",
                    "duty_phone": "+1 555 000 0000",
                    "timezone": "America/Chicago",
                },
            )
            user = services.accounts.create_user(
                root,
                {"agency_id": made.id, "username": f"bench{n}", "display_name": f"Bench {n}", "roles": ["supervisor"]},
            )
            tokens.append(services.accounts.create_token(None, user.id, "bench")[0])
        return tokens[0], tokens[1]
    finally:
        services.close()


class Listener(threading.Thread):
    """An SSE client recording when each conflict id arrived."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token = base, token
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self.cond = threading.Condition()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with (
            httpx.Client(timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", f"{self.base}/api/v1/stream", headers=headers) as response,
        ):
            self.ready.set()
            kind = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind == "conflict.created":
                    now = time.perf_counter()
                    with self.cond:
                        self.arrived[json.loads(line[5:])["id"]] = now
                        self.cond.notify_all()

    def wait_for(self, conflict_id: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: conflict_id in self.arrived, timeout=timeout)
            return self.arrived.get(conflict_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conflicts", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="cg-bench-notify-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    token_a, token_b = setup(url)
    with server_process(url, env={"COMMONGROUND_LOOKUP_LIMIT_PER_HOUR": "100000"}) as (_, base):
        listener = Listener(base, token_b)
        listener.start()
        listener.ready.wait(10)
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        latencies: list[float] = []
        missing = 0
        with httpx.Client(base_url=base, timeout=30) as http:
            for i in range(args.conflicts):
                lat, lon = 30.0 + (i // 100) * 0.05, -100.0 + (i % 100) * 0.05
                http.post(
                    "/api/v1/operations",
                    json=operation(lat, lon, starts),
                    headers={"Authorization": f"Bearer {token_a}"},
                ).raise_for_status()
                r = http.post(
                    "/api/v1/operations",
                    json=operation(lat, lon + 0.0005, starts),
                    headers={"Authorization": f"Bearer {token_b}"},
                )
                answered = time.perf_counter()
                r.raise_for_status()
                conflict_id = r.json()["conflicts"][0]["id"]
                arrived = listener.wait_for(conflict_id, timeout=10)
                if arrived is None:
                    missing += 1
                    continue
                latencies.append(max(0.0, arrived - answered))
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        store = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(f"bench-notify ({store}): {len(latencies)} conflicts, missing {missing}")
        print(
            f"  response -> SSE arrival: p50 {p(0.50):.1f} ms  p99 {p(0.99):.1f} ms  "
            f"max {latencies[-1] * 1000:.1f} ms  mean {statistics.fmean(latencies) * 1000:.1f} ms"
        )
        print(f"  goal p99 <= 1000 ms: {'met' if p(0.99) <= 1000 and not missing else 'NOT met'}")


if __name__ == "__main__":
    main()

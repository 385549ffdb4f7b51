"""Time from a conflicting submission's HTTP response to the event's arrival at an SSE client,
and from a critical incident's POST to its arrival at the host, the counterpart and the watch.

Runs a real ``commonground serve`` process (SQLite, or PostgreSQL with --database-url),
one SSE client subscribed as the second agency's supervisor, and submits --conflicts
pairs of operations one after another; prints p50, p99 and max (goal: p99 <= 1 s). Then
the first agency reports --incidents incidents on an operation whose notice is withheld,
inside a host city's jurisdiction and in conflict with the second agency's: three SSE
clients (the city's supervisor, the second agency's, the watch center) time each from the
POST being sent to its ``incident.reported`` arriving, beside a bare request (``GET /healthz``)
timed in the same run (goal: p99 under 1 s for each).

Usage: .venv/bin/python benchmarks/bench_notify.py [--conflicts 1000] [--incidents 200] [--database-url URL]
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


INCIDENT_SPOT = (40.0, -90.0)  # (lat, lon), far from the conflict phase's grid, inside the host city


def _square(lat: float, lon: float, half: float = 0.05) -> dict[str, object]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def setup(url: str) -> dict[str, str]:
    """Create the agencies (two operating, a host city, a watch center), one person each; return their tokens."""
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
        tokens = {}
        extra: dict[str, dict[str, object]] = {
            "a": {"policy": {"allow_withheld": True}},
            "b": {},
            "host": {"jurisdiction": _square(*INCIDENT_SPOT)},
            "watch": {"level": "state"},
        }
        for n, (name, more) in enumerate(extra.items()):
            made = services.accounts.create_agency(
                root,
                {
                    "ori": f"BENCH{n:04d}",
                    "name": f"Bench {name}",
                    "level": "local",
                    "duty_phone": "+1 555 000 0000",
                    "timezone": "America/Chicago",
                    **more,
                },
            )
            role = "watch" if name == "watch" else "supervisor"
            user = services.accounts.create_user(
                root,
                {"agency_id": made.id, "username": f"bench{n}", "display_name": f"Bench {n}", "roles": [role]},
            )
            tokens[name] = services.accounts.create_token(None, user.id, "bench")[0]
        return tokens
    finally:
        services.close()


class Listener(threading.Thread):
    """An SSE client recording when each object id of one event kind arrived."""

    def __init__(self, base: str, token: str, kind: str = "conflict.created") -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.kind = base, token, kind
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
                elif line.startswith("data:") and kind == self.kind:
                    now = time.perf_counter()
                    with self.cond:
                        self.arrived[json.loads(line[5:])["id"]] = now
                        self.cond.notify_all()

    def wait_for(self, conflict_id: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: conflict_id in self.arrived, timeout=timeout)
            return self.arrived.get(conflict_id)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (sorted), in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def incident_phase(base: str, tokens: dict[str, str], count: int, starts: datetime) -> bool:
    """Report ``count`` incidents of a withheld operation; time POST -> stream for host, counterpart, watch."""
    listeners = {who: Listener(base, tokens[who], "incident.reported") for who in ("host", "b", "watch")}
    for listener in listeners.values():
        listener.start()
        listener.ready.wait(10)
    lat, lon = INCIDENT_SPOT
    bare: list[float] = []
    times: dict[str, list[float]] = {who: [] for who in listeners}
    missing = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        withheld = {**operation(lat, lon, starts), "notice": "withheld"}
        op = http.post("/api/v1/operations", json=withheld, headers={"Authorization": f"Bearer {tokens['a']}"})
        op.raise_for_status()
        http.post(
            "/api/v1/operations",
            json=operation(lat, lon + 0.0005, starts),
            headers={"Authorization": f"Bearer {tokens['b']}"},
        ).raise_for_status()
        body = {
            "kind": "shots_fired",
            "at": datetime.now(UTC).isoformat(),
            "summary": "Bench: shots fired",
            "location": {"type": "Point", "coordinates": [lon, lat]},
            "assistance_requested": True,
        }
        path = f"/api/v1/operations/{op.json()['id']}/incidents"
        for _ in range(count):
            sent = time.perf_counter()
            http.get("/healthz").raise_for_status()
            bare.append(time.perf_counter() - sent)
            sent = time.perf_counter()
            r = http.post(path, json=body, headers={"Authorization": f"Bearer {tokens['a']}"})
            r.raise_for_status()
            incident_id = r.json()["id"]
            for who, listener in listeners.items():
                arrived = listener.wait_for(incident_id, timeout=10)
                if arrived is None:
                    missing += 1
                else:
                    times[who].append(max(0.0, arrived - sent))
    base_p50, base_p99 = percentile(bare, 0.50), percentile(bare, 0.99)
    print(f"bench-notify incidents: {count} incidents of a withheld operation, missing {missing} arrivals")
    print(f"  bare request (GET /healthz): p50 {base_p50:.1f} ms  p99 {base_p99:.1f} ms")
    met = not missing
    for who, label in (("host", "host city"), ("b", "counterpart"), ("watch", "watch center")):
        p50, p99 = percentile(times[who], 0.50), percentile(times[who], 0.99)
        met = met and p99 < 1000
        print(
            f"  POST incident -> SSE {label:12}: p50 {p50:.1f} ms  p99 {p99:.1f} ms"
            f"  ({p50 / base_p50:.1f}x / {p99 / base_p99:.1f}x a bare request)"
        )
    print(f"  goal p99 < 1000 ms for each: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conflicts", type=int, default=1000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="cg-bench-notify-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    tokens = setup(url)
    token_a, token_b = tokens["a"], tokens["b"]
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
        if args.incidents:
            incident_phase(base, tokens, args.incidents, starts)


if __name__ == "__main__":
    main()

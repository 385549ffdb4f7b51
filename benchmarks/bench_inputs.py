"""Bad input costs little and the largest accepted area does not slow the next check: figures printed.

One real server process on a fresh SQLite file. Measures, over HTTP: a normal point
submission with nothing near; the largest area accepted (10,000 positions, close to
COMMONGROUND_MAX_AREA_KM2); normal submissions inside it afterwards (each finds the
conflict); and how long refusing a 10 MB body (413) and 10,000-deep nesting (422) takes.

    .venv/bin/python benchmarks/bench_inputs.py [--submissions 200]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import World, operation_data, server_process

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.geometry import Area, area_km2

LAT, LON = 44.9778, -93.265


def ring(n: int, r: float) -> list[list[float]]:
    points = [[LON + r * math.cos(2 * math.pi * i / n), LAT + r * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return [*points, points[0]]


def timed(send: Any) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = send()
    return (time.perf_counter() - start) * 1000, answer


def submissions(http: httpx.Client, token: str, n: int, lat: float, conflicts: int) -> list[float]:
    """Submit ``n`` point operations around ``lat``; each must find exactly ``conflicts`` conflicts."""
    times = []
    for i in range(n):
        body = operation_data(lat + 0.0001 * (i % 50), LON + 0.3 + 0.0001 * (i // 50), radius_m=50)
        ms, answer = timed(lambda body=body: http.post("/api/v1/operations", json=body, headers=auth(token)))
        assert answer.status_code == 201, answer.text[:200]
        found = [c for c in answer.json()["conflicts"] if c["counterpart"]["agency"]["level"] == "federal"]
        assert len(found) == conflicts, answer.text[:300]
        times.append(ms)
    return times


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def figures(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        services = build_services(Settings(database_url=url))
        world = World(services)
        city = world.token(world.person(world.agency("local"), "supervisor"))
        federal = world.token(world.person(world.agency("federal"), "supervisor"))
        services.close()
        biggest = ring(9_999, 0.6)
        km2 = area_km2(Area("Polygon", tuple((lon, lat) for lon, lat in biggest)))
        with server_process(url) as (_, base), httpx.Client(base_url=base, timeout=60) as http:
            before = submissions(http, city, args.submissions, LAT + 2.0, 0)  # far from everything
            body = operation_data(geometry={"type": "Polygon", "coordinates": [biggest]})
            body.pop("location")
            big_ms, answer = timed(lambda: http.post("/api/v1/operations", json=body, headers=auth(federal)))
            assert answer.status_code == 201, answer.text[:300]
            inside = submissions(http, city, args.submissions, LAT, 1)  # each conflicts with the big area
            raw = json.dumps(operation_data()).encode()
            huge = raw + b" " * (10 * 1024 * 1024)
            headers = {**auth(city), "Content-Type": "application/json"}
            huge_ms, refused = timed(lambda: http.post("/api/v1/operations", content=huge, headers=headers))
            assert refused.status_code == 413
            deep = b"[" * 10_000 + b"]" * 10_000
            deep_ms, refused = timed(lambda: http.post("/api/v1/operations", content=deep, headers=headers))
            assert refused.status_code == 422
        print(f"normal submission, nothing near:          {figures(before)}")
        print(f"largest accepted area ({len(biggest)} positions, {km2:,.0f} km²): {big_ms:.1f} ms")
        print(f"normal submission inside it (1 conflict): {figures(inside)}")
        print(f"10 MB body refused (413):                 {huge_ms:.1f} ms")
        print(f"10,000-deep nesting refused (422):        {deep_ms:.1f} ms")


if __name__ == "__main__":
    main()

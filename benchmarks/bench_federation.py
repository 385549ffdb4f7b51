"""Submission latency with 0, 1 and 2 federation peers, all real processes on loopback.

Starts three ``commonground serve`` processes (separate SQLite files): the one measured and two
peers, which trust it from the start. The measured installation takes --submissions operations
with no peer, then after registering one peer, then both; each time from a client that keeps
one connection alive and from one that opens a new connection per request. Prints p50 and p99
of each and the 2-peer / 0-peer p99 ratio (goal: <= 2).

Usage: .venv/bin/python benchmarks/bench_federation.py [--submissions 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import bearer, operation_data, server_process
from tests.functional.test_federation import Installation, install, trust

from commonground.bootstrap import build_services
from commonground.config import Settings

MODES = ("keep-alive", "new connection")


def quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def timed(post: Callable[[dict[str, object]], httpx.Response], n: int) -> list[float]:
    took = []
    for _ in range(n):
        # Spread out, so the local check's work stays the same from one run to the next.
        data = operation_data(lat=44.5 + random.random(), lon=-93.8 + random.random())
        start = time.perf_counter()
        r = post(data)
        took.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 201, r.text
    return took


def run(main: Installation, n: int, mode: str) -> list[float]:
    """Time ``n`` submissions; ``mode`` says whether the client reuses its connection."""
    base, headers = f"{main.url}/api/v1", bearer(main.supervisor)
    if mode == "keep-alive":
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            return timed(lambda data: client.post("/operations", json=data), n)

    # No connection kept: each request opens (and closes) its own TCP connection, while the
    # client itself (its TLS context, costly to build) is made once, as a real one would be.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, headers=headers, timeout=30, limits=no_reuse) as client:
        return timed(lambda data: client.post("/operations", json=data), n)


def register(main: Installation, peer: Installation) -> None:
    body = {"name": peer.name, "url": peer.url, "public_key": peer.public_key}
    r = httpx.post(f"{main.url}/api/v1/federation/peers", json=body, headers=bearer(main.admin), timeout=10)
    assert r.status_code == 201, r.text


def one_way(here: Installation, there: Installation) -> None:
    services = build_services(Settings(database_url=here.db))
    try:
        services.federation.add_peer(None, {"name": there.name, "url": there.url, "public_key": there.public_key})
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=200)
    args = parser.parse_args()
    results: dict[tuple[int, str], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        measured = install(folder, "measured", "local")
        peers = [install(folder, "peer-a", "federal"), install(folder, "peer-b", "state")]
        trust(peers[0], peers[1])
        for peer in peers:
            one_way(peer, measured)  # the peers trust the measured one; it registers them as it goes
        with ExitStack() as stack:
            for inst in (measured, *peers):
                stack.enter_context(server_process(inst.db, port=inst.port, env=inst.env()))
            run(measured, 20, MODES[0])  # warm up
            for count in range(3):
                if count:
                    register(measured, peers[count - 1])
                    run(measured, 5, MODES[0])  # warm the new peer's connection up
                for mode in MODES:
                    results[count, mode] = quantiles(run(measured, args.submissions, mode))
    print(f"{args.submissions} submissions each")
    for mode in MODES:
        print(f"client: {mode}")
        for count in range(3):
            p50, p99 = results[count, mode]
            print(f"  {count} peer(s): p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
        ratio = results[2, mode][1] / results[0, mode][1]
        print(f"  p99 ratio, 2 peers / 0 peers: {ratio:.2f} (goal <= 2)")


if __name__ == "__main__":
    main()

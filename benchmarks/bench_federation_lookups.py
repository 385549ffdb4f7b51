"""Dispatcher look-up latency with 0, 1 and 2 federation peers, all real processes on loopback.

The same three ``commonground serve`` processes as ``bench_federation.py`` (separate SQLite
files); the measured installation's dispatcher looks up --lookups random points with no peer,
then after registering one peer, then both. Prints p50 and p99 of each and the 2-peer / 0-peer
p99 ratio. Each peer's answer is a signed round trip and one write unit (nonce, count, record).

Usage: .venv/bin/python benchmarks/bench_federation_lookups.py [--lookups 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from benchmarks.bench_federation import one_way, quantiles, register
from tests.conftest import bearer, server_process
from tests.functional.test_federation import Installation, install, trust
from tests.functional.test_federation_lookups import dispatcher

UNLIMITED = {
    "COMMONGROUND_LOOKUP_LIMIT_PER_HOUR": "1000000",
    "COMMONGROUND_FEDERATION_LOOKUP_LIMIT_PER_HOUR": "1000000",
}


def run(main: Installation, token: str, n: int) -> list[float]:
    took = []
    with httpx.Client(base_url=f"{main.url}/api/v1", headers=bearer(token), timeout=30) as client:
        for _ in range(n):
            point = {"lat": 44.5 + random.random(), "lon": -93.8 + random.random(), "at": datetime.now(UTC).isoformat()}
            start = time.perf_counter()
            r = client.get("/lookup", params=point)
            took.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200 and r.json()["federation"]["unchecked"] == [], r.text
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        measured = install(folder, "measured", "local")
        token = dispatcher(measured, "local")
        peers = [install(folder, "peer-a", "federal"), install(folder, "peer-b", "state")]
        trust(peers[0], peers[1])
        for peer in peers:
            one_way(peer, measured)
        with ExitStack() as stack:
            for inst in (measured, *peers):
                stack.enter_context(server_process(inst.db, port=inst.port, env=inst.env(**UNLIMITED)))
            run(measured, token, 20)  # warm up
            results = {}
            for count in range(3):
                if count:
                    register(measured, peers[count - 1])
                    time.sleep(1.1)  # the measured process re-reads its peers at most once a second
                results[count] = quantiles(run(measured, token, args.lookups))
    for count, (p50, p99) in results.items():
        print(f"{count} peer(s): look-up p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    print(f"p99 ratio, 2 peers / 0 peers: {results[2][1] / results[0][1]:.2f}")


if __name__ == "__main__":
    main()

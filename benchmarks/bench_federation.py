"""Submission latency with 0, 1 and 2 federation peers, all real processes on loopback.

Starts five ``commonground serve`` processes (separate SQLite files): two peers, and three
measured installations that trust none, one and both of them. Each round submits one operation
to each measured installation from a client that keeps its connection alive and from one that
opens a new connection per request, in a shuffled order, so the load of a shared machine falls
on every figure alike. Prints p50 and p99 of each and the 2-peer / 0-peer p99 ratio (goal: <= 2), and the p50 one;
then each server's CPU per submission or probe answered (from /proc), which a shared machine moves less.

A p99 is the fifth-worst of 500 samples: fewer leave it to one stall of a shared machine.

``--floor`` adds a fourth measured installation whose two peers are ``floor_peer.py``: the least
an answer to a probe can be on this stack (verify, keep the nonce and a record, sign). Its row
says how much of the ratio is the peers' own work and how much the submitter's and the machine's.

Usage: .venv/bin/python benchmarks/bench_federation.py [--submissions 500] [--floor]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cpu import cpu_seconds
from bench_floor import floor_server
from tests.conftest import bearer, free_port, operation_data, server_process
from tests.functional.test_federation import Installation, install, trust

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.federation.link import Ed25519Link

MODES = ("keep-alive", "new connection")
FLOOR = 3  # the key of the installation whose two peers are floor peers
LABELS = {0: "0 peer(s)", 1: "1 peer(s)", 2: "2 peer(s)", FLOOR: "2 floor peers"}


@contextmanager
def floor_peer(name: str, asker: Installation) -> Iterator[dict[str, str]]:
    """A ``floor_peer.py`` process that trusts ``asker``; yield its registration there."""
    link, port = Ed25519Link(), free_port()
    private = link.new_private_key()
    url = f"http://127.0.0.1:{port}"
    keys = {"FLOOR_NAME": name, "FLOOR_URL": url, "FLOOR_PRIVATE_KEY": private, "FLOOR_TRUSTED_KEY": asker.public_key}
    with floor_server("floor_peer:app", port, keys):
        yield {"name": name, "url": url, "public_key": link.public_key(private)}


def register(inst: Installation, peer: dict[str, str]) -> None:
    """Register ``peer`` at ``inst`` (the CLI's way: no server needed)."""
    services = build_services(Settings(database_url=inst.db, federation_name=inst.name, public_url=inst.url))
    try:
        services.federation.add_peer(None, peer)
    finally:
        services.close()


def quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def client(inst: Installation, mode: str) -> httpx.Client:
    """A client that keeps one connection, or (no keep-alive) opens a TCP connection per request.

    Either way the client itself (its TLS context, costly to build) is made once, as a real one is."""
    limits = httpx.Limits() if mode == "keep-alive" else httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(base_url=f"{inst.url}/api/v1", headers=bearer(inst.supervisor), timeout=30, limits=limits)


def submit(c: httpx.Client) -> float:
    # Spread out, so the local check's work stays the same from one submission to the next.
    data = operation_data(lat=44.5 + random.random(), lon=-93.8 + random.random())
    start = time.perf_counter()
    r = c.post("/operations", json=data)
    took = (time.perf_counter() - start) * 1000
    assert r.status_code == 201, r.text
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--floor", action="store_true", help="also an installation with two floor peers")
    args = parser.parse_args()
    counts = (0, 1, 2, FLOOR) if args.floor else (0, 1, 2)
    took: dict[tuple[int, str], list[float]] = {(count, mode): [] for count in counts for mode in MODES}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        peers = [install(folder, "peer-a", "federal"), install(folder, "peer-b", "state")]
        trust(peers[0], peers[1])
        measured = [install(folder, f"measured-{count}", "local") for count in range(len(counts))]
        for count, inst in enumerate(measured[:3]):
            for peer in peers[:count]:
                trust(inst, peer)
        with ExitStack() as stack:
            if args.floor:
                for name in ("floor-a", "floor-b"):
                    register(measured[FLOOR], stack.enter_context(floor_peer(name, measured[FLOOR])))
            pids = [
                stack.enter_context(server_process(inst.db, port=inst.port, env=inst.env()))[0].pid
                for inst in (*measured[:3], *peers)
            ]
            for inst in measured[3:]:
                stack.enter_context(server_process(inst.db, port=inst.port, env=inst.env()))
            clients = {key: stack.enter_context(client(measured[key[0]], key[1])) for key in took}
            order = list(clients)
            for _ in range(10):  # warm up
                for key in order:
                    submit(clients[key])
            cpu = [cpu_seconds(pid) for pid in pids]
            for _ in range(args.submissions):
                random.shuffle(order)
                for key in order:
                    took[key].append(submit(clients[key]))
            cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu, strict=True)]
    print(f"{args.submissions} submissions each, interleaved")
    for mode in MODES:
        print(f"client: {mode}")
        results = {count: quantiles(took[count, mode]) for count in counts}
        for count, (p50, p99) in results.items():
            print(f"  {LABELS[count]}: p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
        print(f"  p99 ratio, 2 peers / 0 peers: {results[2][1] / results[0][1]:.2f} (goal <= 2)")
        print(f"  p50 ratio, 2 peers / 0 peers: {results[2][0] / results[0][0]:.2f}")
        if args.floor:
            (base50, base99), (floor50, floor99) = results[0], results[FLOOR]
            print(f"  p99 ratio, 2 floor peers / 0 peers: {floor99 / base99:.2f}")
            print(f"  p50 ratio, 2 floor peers / 0 peers: {floor50 / base50:.2f}")
    # Each measured server took 2 x N submissions; peer-a answered the probes of two of them, peer-b of one.
    per = [1000 * seconds / (2 * args.submissions) for seconds in cpu[:3]]
    answers = [1000 * seconds / (count * 2 * args.submissions) for seconds, count in zip(cpu[3:], (2, 1), strict=True)]
    print("server CPU per submission: " + ", ".join(f"{n} peer(s) {ms:.2f} ms" for n, ms in enumerate(per)))
    print("peer CPU per probe answered: " + ", ".join(f"{ms:.2f} ms" for ms in answers))
    # The answering side's work is unchanged by the submitter's code: a baseline from the same run.
    print(f"submitter CPU with 1 peer / peer-a's per answer: {per[1] / answers[0]:.2f}")


if __name__ == "__main__":
    main()

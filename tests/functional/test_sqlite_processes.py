"""Two server processes on one SQLite file still see every pair exactly once."""

from __future__ import annotations

import threading
from itertools import combinations

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, bearer, operation_data, server_process


def test_two_processes_sharing_one_sqlite_writer_miss_no_pair(sqlite_url: str) -> None:
    services = build_services(Settings(database_url=sqlite_url))
    world = World(services)
    tokens = [world.token(world.person(world.agency())) for _ in range(24)]
    services.close()
    ids: list[str] = []
    barrier = threading.Barrier(len(tokens))
    with server_process(sqlite_url, workers=2) as (_, base):

        def submit(token: str) -> None:
            with httpx.Client(base_url=base, headers=bearer(token), timeout=60) as client:
                barrier.wait()
                r = client.post("/api/v1/operations", json=operation_data())
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])

        threads = [threading.Thread(target=submit, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    services = build_services(Settings(database_url=sqlite_url))
    with services.store.read() as tx:
        recorded = [frozenset((c.operation_a, c.operation_b)) for op in ids for c in tx.conflicts.of_operation(op)]
    services.close()
    pairs = set(recorded)
    assert len(ids) == len(tokens)
    assert pairs == {frozenset(p) for p in combinations(ids, 2)}
    assert len(recorded) == 2 * len(pairs)  # each pair seen from both of its operations, once

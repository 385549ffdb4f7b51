"""Many clients, several server processes, one PostgreSQL: not one conflict missed.

10,000 submissions from 32 concurrent clients go over HTTP to ``commonground serve
--workers 2``, which connects as an application role that owns nothing. Over a third of
them are aimed at shared hot spots and queued next to each other, so near-identical
operations reach different processes at the same instant. Afterwards an independent
checker (a plain Python grid plus the domain rule) recomputes every conflicting pair from
the stored operations and compares them with the recorded conflicts; the periodic sweep
must then find nothing to add.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.conflicts import proximity_finding
from commonground.domain.model import Operation
from commonground.domain.policy import Policy
from commonground.store import records
from commonground.store.schema import agencies, operations
from tests.conftest import SOON, World, bearer, operation_data, server_process
from tests.integration.conftest_pg import RoleDatabase, roles_db

__all__ = ["roles_db"]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SUBMISSIONS = int(os.environ.get("CG_STRESS_SUBMISSIONS", "10000"))
CLIENTS = 32
WORKERS = 2
HOT_SHARE = 0.4
HOT_SPOTS = max(10, SUBMISSIONS // 14)  # about six submissions per hot spot
CENTRE = (44.95, -93.20)  # lat, lon: a metro-sized square of about 110 x 80 km
SPAN_DEG = 0.5


def _plan(rng: random.Random) -> list[dict[str, Any]]:
    """Return the submissions in queue order; hot-spot ones sit next to each other."""
    spots = [
        (
            CENTRE[0] + rng.uniform(-SPAN_DEG, SPAN_DEG),
            CENTRE[1] + rng.uniform(-SPAN_DEG, SPAN_DEG),
            SOON + timedelta(hours=rng.uniform(0, 24 * 20)),
        )
        for _ in range(HOT_SPOTS)
    ]
    hot: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cold: list[dict[str, Any]] = []
    for _ in range(SUBMISSIONS):
        radius = rng.choice((25, 50, 100, 200))
        hours = rng.uniform(1, 4)
        if rng.random() < HOT_SHARE:
            n = rng.randrange(HOT_SPOTS)
            lat, lon, start = spots[n]
            data = operation_data(
                lat + rng.uniform(-0.004, 0.004),
                lon + rng.uniform(-0.005, 0.005),
                radius_m=radius,
                hours=hours,
                starts=start + timedelta(minutes=rng.uniform(-180, 180)),
            )
            hot[n].append(data)
        else:
            data = operation_data(
                CENTRE[0] + rng.uniform(-SPAN_DEG, SPAN_DEG),
                CENTRE[1] + rng.uniform(-SPAN_DEG, SPAN_DEG),
                radius_m=radius,
                hours=hours,
                starts=SOON + timedelta(hours=rng.uniform(0, 24 * 20)),
            )
            cold.append(data)
    groups = [g for _, g in sorted(hot.items())]
    rng.shuffle(groups)
    # A hot spot's submissions leave the queue together, so different clients (and so
    # different server processes) carry them at the same moment.
    return _interleave([data for group in groups for data in group], cold, rng)


def _interleave(hot: list[dict[str, Any]], cold: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Merge the two queues at random, hot ones in runs of six."""
    out: list[dict[str, Any]] = []
    i = j = 0
    while i < len(hot) or j < len(cold):
        if j >= len(cold) or (i < len(hot) and rng.random() < len(hot) / (len(hot) + len(cold))):
            out.extend(hot[i : i + 6])
            i += 6
        else:
            out.append(cold[j])
            j += 1
    return out


@pytest.fixture
def server(roles_db: RoleDatabase) -> Iterator[str]:
    """``commonground serve --workers 2`` as the app role, on a free loopback port."""
    with server_process(roles_db.app_url, workers=WORKERS) as (_, url):
        yield url


async def _drive(url: str, tokens: list[str], plan: list[dict[str, Any]]) -> dict[str, int]:
    """Let CLIENTS clients, each with its own token, drain one shared queue."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for data in plan:
        queue.put_nowait(data)
    outcome: dict[str, int] = defaultdict(int)

    async def client(token: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=bearer(token)) as http:
            while not queue.empty():
                data = queue.get_nowait()
                response = await http.post("/api/v1/operations", json=data)
                outcome[str(response.status_code)] += 1
                if response.status_code == 201:
                    outcome["conflicts_seen"] += len(response.json()["conflicts"])

    await asyncio.gather(*(client(t) for t in tokens))
    return dict(outcome)


def _expected_pairs(url: str) -> tuple[set[tuple[str, str]], list[Operation]]:
    """Recompute every conflicting pair with a plain grid and the domain rule."""
    engine = create_engine(url)
    with engine.connect() as conn:
        ops = [records.operation_from(r) for r in conn.execute(select(operations)).mappings()]
        policies = {r["id"]: records.agency_from(r).policy for r in conn.execute(select(agencies)).mappings()}
    engine.dispose()
    reach_m = max(p.proximity_m for p in policies.values()) + 2 * 200 + 100
    cell = reach_m / 111_000 * 2  # degrees; generous at this latitude
    grid: dict[tuple[int, int], list[Operation]] = defaultdict(list)
    for op in ops:
        lon, lat = op.area.coordinates[0]
        grid[(math.floor(lon / cell), math.floor(lat / cell))].append(op)
    pairs: set[tuple[str, str]] = set()
    for (gx, gy), members in grid.items():
        near = [o for dx in (-1, 0, 1) for dy in (-1, 0, 1) for o in grid.get((gx + dx, gy + dy), [])]
        for op in members:
            for other in near:
                if other.id <= op.id:
                    continue
                mine: Policy = policies[op.agency_id]
                if proximity_finding(op, other, mine, policies[other.agency_id]) is not None:
                    pairs.add((op.id, other.id))
    return pairs, ops


def test_ten_thousand_submissions_from_32_clients_on_two_processes_miss_nothing(
    roles_db: RoleDatabase, server: str
) -> None:
    rng = random.Random(20261128)
    services = build_services(Settings(database_url=roles_db.app_url))
    try:
        world = World(services)
        agencies_made = [world.agency(("federal", "state", "local", "tribal")[i % 4]) for i in range(16)]
        # A few agencies keep wider rules: the locks must cover the installation's widest reach.
        for agency in agencies_made[:3]:
            admin = world.person(agency, "agency_admin")
            services.accounts.set_policy(admin, agency.id, {"proximity_m": 1200, "time_buffer_min": 120})
        tokens = [world.token(world.person(agencies_made[i % 16], "officer")) for i in range(CLIENTS)]
    finally:
        services.close()
    plan = _plan(rng)
    started = time.monotonic()
    outcome = asyncio.run(_drive(server, tokens, plan))
    elapsed = time.monotonic() - started

    expected, ops = _expected_pairs(roles_db.admin_url)
    engine = create_engine(roles_db.admin_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT operation_a, operation_b FROM conflicts WHERE kind = 'proximity'")).all()
    engine.dispose()
    recorded = {(a, b) for a, b in rows}
    in_conflict = {op_id for pair in expected for op_id in pair}
    missing, extra, duplicated = expected - recorded, recorded - expected, len(rows) - len(recorded)

    print(
        f"\nstress: {len(plan)} submissions, {CLIENTS} clients, {WORKERS} server processes, "
        f"{elapsed:.1f} s ({len(plan) / elapsed:.0f}/s); "
        f"responses {dict(sorted(outcome.items()))}\n"
        f"stress: {len(ops)} operations stored, {len(in_conflict)} "
        f"({len(in_conflict) / len(ops):.0%}) in conflict; pairs expected {len(expected)}, "
        f"recorded {len(recorded)}, missing {len(missing)}, extra {len(extra)}, "
        f"duplicated {duplicated}"
    )
    sweep = subprocess.run(
        [sys.executable, "-m", "commonground.cli", "sweep", "--database-url", roles_db.app_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    swept = next(int(line.split()[1]) for line in sweep.stdout.splitlines() if "missing conflicts recorded" in line)
    verify = build_services(Settings(database_url=roles_db.app_url))
    try:
        chain = verify.audit.verify()
    finally:
        verify.close()

    print(
        f"stress: sweep found {swept}; audit chain {'intact' if chain.intact else 'BROKEN'} ({chain.checked} records)"
    )
    assert outcome.get("201") == len(plan) == SUBMISSIONS, outcome
    assert len(ops) == len(plan)
    assert len(in_conflict) >= 0.30 * len(ops)
    assert not missing and not extra and duplicated == 0
    assert swept == 0
    assert chain.intact

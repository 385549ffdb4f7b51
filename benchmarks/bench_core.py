"""``make bench``: the deconfliction core at scale, figures printed in one run.

Loads N operations (city-like clusters over a uniform background, windows of 1-12 h over
30 days) straight into the store, then measures on the same data: the raw candidate
index query, the in-process conflict check, and submission-with-check over HTTP.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from probe_operation import probe
from tests.conftest import World, server_process

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.conflicts import reach
from commonground.domain.geometry import Area, bounding_boxes
from commonground.service.deconfliction import AgencyCache, find_findings
from commonground.store.schema import operations
from commonground.store.sqlite import RTREE, index_hits, index_rows, index_time

# A dozen US metro areas: (lat, lon, spread in degrees)
CITIES = [
    (44.98, -93.27, 0.12),
    (41.88, -87.63, 0.2),
    (40.71, -74.0, 0.2),
    (34.05, -118.24, 0.25),
    (29.76, -95.37, 0.2),
    (33.45, -112.07, 0.2),
    (39.74, -104.99, 0.12),
    (47.61, -122.33, 0.12),
    (25.76, -80.19, 0.12),
    (32.72, -117.16, 0.12),
    (38.9, -77.04, 0.12),
    (42.36, -71.06, 0.1),
]
START = datetime(2027, 1, 1, tzinfo=UTC)
DAYS = 30


def synth(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """80% in city clusters, 20% uniform over the continental US."""
    clustered = int(n * 0.8)
    city = rng.integers(0, len(CITIES), clustered)
    centres = np.array(CITIES)[city]
    lat = np.concatenate([rng.normal(centres[:, 0], centres[:, 2]), rng.uniform(25, 49, n - clustered)])
    lon = np.concatenate([rng.normal(centres[:, 1], centres[:, 2] * 1.3), rng.uniform(-124, -67, n - clustered)])
    start = rng.uniform(0, DAYS * 86400, n)
    hours = rng.uniform(1, 12, n)
    radius = rng.choice([50.0, 100.0, 150.0, 250.0, 500.0], n)
    return {"lat": lat, "lon": lon, "start": start, "hours": hours, "radius": radius}


def operation_body(lat: float, lon: float, start_s: float, hours: float, radius: float) -> dict[str, Any]:
    starts = START + timedelta(seconds=start_s)
    return {
        "type": "search_warrant",
        "purpose": "criminal",
        "title": "bench",
        "case_number": None,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=hours)).isoformat(),
        "location": {"lat": lat, "lon": lon, "radius_m": radius},
        "contact": {"name": "Sgt Bench", "phone": "+1 555 010 0000"},
        "team": {"personnel": 4, "attire": "plain_clothes", "vehicles": "grey SUV"},
        "risk": "medium",
    }


def bulk_row(
    seq: int,
    agency_id: str,
    user_id: str,
    lon: float,
    lat: float,
    radius: float,
    starts: datetime,
    ends: datetime,
    now: datetime,
) -> dict[str, Any]:
    """One operations row for bulk loading, the same for every store's benchmark."""
    return {
        "seq": seq,
        "id": str(uuid.UUID(int=seq)),
        "agency_id": agency_id,
        "created_by": user_id,
        "type": "surveillance",
        "purpose": "criminal",
        "title": "bulk",
        "case_number": None,
        "area": {"type": "Point", "coordinates": [lon, lat], "radius_m": radius},
        "address": None,
        "starts_at": starts,
        "ends_at": ends,
        "contact": {"name": "x", "phone": "555 0100", "radio": None},
        "team": {"personnel": 2, "attire": None, "vehicles": None},
        "risk": "low",
        "notice": "at_submit",
        "notes": None,
        "subjects": [],
        "status": "planned",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def load(
    url: str,
    n: int,
    agency_ids: list[str],
    user_id: str,
    rng: np.random.Generator,
    data: dict[str, np.ndarray] | None = None,
) -> float:
    """Bulk-insert rows and index entries (``data``: their places and times; default synthetic); return seconds."""
    services = build_services(Settings(database_url=url))
    engine = services.store.engine  # type: ignore[attr-defined]
    data = synth(rng, n) if data is None else data
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    batch = 20_000
    with engine.connect() as conn:
        conn = conn.execution_options(cg_write=True)
        with conn.begin():
            seq0 = conn.execute(text("SELECT coalesce(max(seq), 0) FROM operations")).scalar_one()
        for lo in range(0, n, batch):
            hi = min(n, lo + batch)
            rows, idx = [], []
            for i in range(lo, hi):
                starts = START + timedelta(seconds=float(data["start"][i]))
                ends = starts + timedelta(hours=float(data["hours"][i]))
                lat, lon, r = float(data["lat"][i]), float(data["lon"][i]), float(data["radius"][i])
                seq = seq0 + i + 1
                rows.append(bulk_row(seq, agency_ids[i % len(agency_ids)], user_id, lon, lat, r, starts, ends, now))
                idx += index_rows(seq, Area("Point", ((lon, lat),), r), starts, ends)
            with conn.begin():
                conn.execute(insert(operations), rows)
                conn.execute(
                    text(f"INSERT INTO {RTREE} VALUES (:id,:min_lon,:max_lon,:min_lat,:max_lat,:min_t,:max_t)"), idx
                )
            print(f"\r  loaded {hi:,}/{n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    services.close()
    return time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def in_process(
    url: str, probes: int, rng: np.random.Generator, agency_id: str
) -> tuple[list[float], list[float], float]:
    """Time the raw R*Tree query and the full check (candidates + rule) for the same probes."""
    from commonground.domain.timewindow import TimeWindow

    services = build_services(Settings(database_url=url))
    data = synth(rng, probes)
    raw, full, found = [], [], 0
    with services.store.read() as tx:
        agencies = AgencyCache(tx)
        max_p, max_b = tx.agencies.reach()
        r = reach(agencies.policy(agency_id), max_p, max_b)
        conn = tx.conn  # type: ignore[attr-defined]
        for i in range(probes):
            starts = START + timedelta(seconds=float(data["start"][i]))
            area = Area("Point", ((float(data["lon"][i]), float(data["lat"][i])),), float(data["radius"][i]))
            op = replace(
                probe(area, TimeWindow(starts, starts + timedelta(hours=float(data["hours"][i])))),
                id=f"probe{i}",
                agency_id=agency_id,
            )
            t0_s, t1_s = index_time(op.window.starts_at - r.time_pad), index_time(op.window.ends_at + r.time_pad)
            t = time.perf_counter()
            conn.execute(index_hits(bounding_boxes(area, r.margin_m), t0_s, t1_s)).fetchall()
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            found += len(find_findings(tx, op, agencies))
            full.append(time.perf_counter() - t)
    services.close()
    return raw, full, found / probes


def http_phase(
    base: str, tokens: list[str], count: int, clients: int, rng: np.random.Generator
) -> tuple[list[float], float, int]:
    data = synth(rng, count)
    latencies: list[float] = []
    conflicts = 0
    lock = threading.Lock()

    def worker(k: int) -> None:
        nonlocal conflicts
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {tokens[k % len(tokens)]}"}, timeout=30
        ) as c:
            for i in range(k, count, clients):
                body = operation_body(
                    float(data["lat"][i]),
                    float(data["lon"][i]),
                    float(data["start"][i]),
                    float(data["hours"][i]),
                    float(data["radius"][i]),
                )
                t = time.perf_counter()
                r = c.post("/api/v1/operations", json=body)
                dt = time.perf_counter() - t
                if r.status_code != 201:
                    raise RuntimeError(f"{r.status_code}: {r.text[:200]}")
                with lock:
                    latencies.append(dt)
                    conflicts += len(r.json()["conflicts"])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return latencies, time.perf_counter() - t0, conflicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operations", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--workers",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1, 2],
        help="server processes to measure (they share SQLite's one writer), e.g. 1,2",
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.database_url and args.database_url.startswith("postgres"):
        import bench_postgres  # same figures for PostgreSQL, beside SQLite's from this run

        bench_postgres.compare(args)
        return
    rng = np.random.default_rng(7)

    tmp = tempfile.mkdtemp(prefix="cg-bench-")
    url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
    services = build_services(Settings(database_url=url))
    world = World(services)
    agencies = [world.agency(("federal", "state", "local", "tribal")[i % 4]) for i in range(40)]
    people = [world.person(a, "officer") for a in agencies[:8]]
    tokens = [world.token(p) for p in people]
    services.close()

    print(f"store: {url.split(':')[0]}  operations: {args.operations:,}", file=sys.stderr)
    load_s = load(url, args.operations, [a.id for a in agencies], people[0].user.id, rng)
    raw, full, mean_found = in_process(url, args.probes, rng, agencies[0].id)

    with server_process(url) as (_, base):
        http_phase(base, tokens, 200, 1, rng)
        single, _, _ = http_phase(base, tokens, min(1000, args.submissions), 1, rng)
    # Throughput with one server process, then with several sharing the one SQLite writer.
    loaded_by_workers = {}
    for workers in args.workers:
        with server_process(url, workers=workers) as (_, base):
            http_phase(base, tokens, 100, args.clients, rng)  # warm every process
            loaded_by_workers[workers] = http_phase(base, tokens, args.submissions, args.clients, rng)

    ms = 1000.0
    figures = {
        "operations": args.operations,
        "load_seconds": round(load_s, 1),
        "index_query_p50_ms": round(statistics.median(raw) * ms, 3),
        "index_query_p99_ms": round(pct(raw, 99) * ms, 3),
        "check_p50_ms": round(statistics.median(full) * ms, 3),
        "check_p99_ms": round(pct(full, 99) * ms, 3),
        "conflicts_per_probe": round(mean_found, 2),
        "http_1_client_p50_ms": round(statistics.median(single) * ms, 2),
        "http_1_client_p99_ms": round(pct(single, 99) * ms, 2),
    }
    for workers, (loaded, wall, conflicts) in loaded_by_workers.items():
        figures[f"http_{args.clients}_clients_w{workers}_p50_ms"] = round(statistics.median(loaded) * ms, 2)
        figures[f"http_{args.clients}_clients_w{workers}_p99_ms"] = round(pct(loaded, 99) * ms, 2)
        figures[f"submissions_per_s_w{workers}"] = round(len(loaded) / wall, 1)
        figures[f"conflicts_found_over_http_w{workers}"] = conflicts
    figures["ratio_check_to_index_p50"] = round(figures["check_p50_ms"] / figures["index_query_p50_ms"], 2)
    figures["ratio_http_1_client_to_check_p50"] = round(figures["http_1_client_p50_ms"] / figures["check_p50_ms"], 2)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>36}: {value}")


if __name__ == "__main__":
    main()

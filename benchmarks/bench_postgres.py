"""PostgreSQL figures for ``make bench``, beside SQLite's from the same run.

``bench_core.py --database-url postgresql://...`` lands here: the same synthetic
operations are loaded into a fresh SQLite file and into a fresh database on the given
PostgreSQL server; both are measured the same way (raw index query, in-process check,
HTTP submissions), the ratio PostgreSQL / SQLite is printed, and PostgreSQL's submission
throughput is measured at ``--workers`` 1, 2 and 4.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench_core as core
import numpy as np
from probe_operation import probe
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from tests.conftest import World, server_process

from commonground.bootstrap import build_services
from commonground.config import Settings, normalise_url
from commonground.domain.conflicts import reach
from commonground.domain.geometry import Area
from commonground.domain.timewindow import TimeWindow
from commonground.service.deconfliction import AgencyCache, find_findings
from commonground.store.schema import operations

MS = 1000.0


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create a throw-away database on the server the URL names; drop it afterwards."""
    admin_url = normalise_url(server_url)
    name = f"cg_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_load(
    url: str,
    n: int,
    agency_ids: list[str],
    user_id: str,
    rng: np.random.Generator,
    data: dict[str, np.ndarray] | None = None,
) -> float:
    """Bulk-insert rows, then fill the PostGIS index columns in one set-based UPDATE."""
    engine = create_engine(url)
    data = core.synth(rng, n) if data is None else data
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    batch = 20_000
    with engine.begin() as conn:
        seq0: int = conn.execute(text("SELECT coalesce(max(seq), 0) FROM operations")).scalar_one()
    for lo in range(0, n, batch):
        rows = []
        for i in range(lo, min(n, lo + batch)):
            starts = core.START + timedelta(seconds=float(data["start"][i]))
            lat, lon, r = float(data["lat"][i]), float(data["lon"][i]), float(data["radius"][i])
            ends = starts + timedelta(hours=float(data["hours"][i]))
            rows.append(
                core.bulk_row(seq0 + i + 1, agency_ids[i % len(agency_ids)], user_id, lon, lat, r, starts, ends, now)
            )
        with engine.begin() as conn:
            conn.execute(insert(operations), rows)
        print(f"\r  loaded {min(n, lo + batch):,}/{n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with engine.begin() as conn:
        # area_box (only for ?bbox= listing) is left empty: the bench does not list.
        conn.execute(
            text(
                "UPDATE operations SET area_geog = CAST(ST_SetSRID(ST_MakePoint("
                "CAST(area->'coordinates'->>0 AS float8), "
                "CAST(area->'coordinates'->>1 AS float8)), 4326) AS geography), "
                "radius_m = CAST(area->>'radius_m' AS float8),"
                " op_window = tstzrange(starts_at, ends_at, '[)') WHERE area_geog IS NULL"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('operations', 'seq'), max(seq)) FROM operations"))
        conn.execute(text("ANALYZE operations"))
    engine.dispose()
    return time.perf_counter() - t0


def pg_in_process(
    url: str, probes: int, rng: np.random.Generator, agency_id: str
) -> tuple[list[float], list[float], float]:
    """Time the raw GiST candidate query and the full check for the same probes."""
    services = build_services(Settings(database_url=url))
    data = core.synth(rng, probes)
    raw, full, found = [], [], 0
    with services.store.read() as tx:
        agencies = AgencyCache(tx)
        r = reach(agencies.policy(agency_id), *tx.agencies.reach())
        conn = tx.conn  # type: ignore[attr-defined]
        for i in range(probes):
            starts = core.START + timedelta(seconds=float(data["start"][i]))
            area = Area("Point", ((float(data["lon"][i]), float(data["lat"][i])),), float(data["radius"][i]))
            op = replace(
                probe(area, TimeWindow(starts, starts + timedelta(hours=float(data["hours"][i])))),
                id=f"probe{i}",
                agency_id=agency_id,
            )
            query, params = tx.operations._candidate_query(op.area, op.window, r)  # type: ignore[attr-defined]
            query = query.with_only_columns(operations.c.seq)
            t = time.perf_counter()
            conn.execute(query, {**params, "exclude": op.id}).fetchall()
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            found += len(find_findings(tx, op, agencies))
            full.append(time.perf_counter() - t)
    services.close()
    return raw, full, found / probes


def measure(url: str, args: argparse.Namespace, postgres: bool, workers: list[int]) -> dict[str, Any]:
    """Load, probe and submit against one store; return its figures."""
    rng = np.random.default_rng(7)
    services = build_services(Settings(database_url=url))
    world = World(services)
    agencies = [world.agency(("federal", "state", "local", "tribal")[i % 4]) for i in range(40)]
    people = [world.person(a, "officer") for a in agencies[:8]]
    tokens = [world.token(p) for p in people]
    services.close()
    loader = pg_load if postgres else core.load
    prober = pg_in_process if postgres else core.in_process
    figures: dict[str, Any] = {
        "load_seconds": round(loader(url, args.operations, [a.id for a in agencies], people[0].user.id, rng), 1)
    }
    raw, full, mean_found = prober(url, args.probes, rng, agencies[0].id)
    figures.update(
        {
            "index_query_p50_ms": round(statistics.median(raw) * MS, 3),
            "index_query_p99_ms": round(core.pct(raw, 99) * MS, 3),
            "check_p50_ms": round(statistics.median(full) * MS, 3),
            "check_p99_ms": round(core.pct(full, 99) * MS, 3),
            "conflicts_per_probe": round(mean_found, 2),
        }
    )
    for n in workers:
        with server_process(url, workers=n) as (_, base):
            core.http_phase(base, tokens, 100, 1, rng)  # warm up
            if n == workers[0]:
                single, _, _ = core.http_phase(base, tokens, min(500, args.submissions), 1, rng)
                figures["http_1_client_p50_ms"] = round(statistics.median(single) * MS, 2)
                figures["http_1_client_p99_ms"] = round(core.pct(single, 99) * MS, 2)
            loaded, wall, _ = core.http_phase(base, tokens, args.submissions, args.clients, rng)
        figures[f"http_{args.clients}_clients_p50_ms_w{n}"] = round(statistics.median(loaded) * MS, 2)
        figures[f"http_{args.clients}_clients_p99_ms_w{n}"] = round(core.pct(loaded, 99) * MS, 2)
        figures[f"submissions_per_s_w{n}"] = round(len(loaded) / wall, 1)
    return figures


def compare(args: argparse.Namespace) -> None:
    """Print SQLite and PostgreSQL figures from one run, with the ratio between them."""
    tmp = tempfile.mkdtemp(prefix="cg-bench-")
    print(f"operations: {args.operations:,}; SQLite first, then PostgreSQL", file=sys.stderr)
    lite = measure(f"sqlite:///{Path(tmp) / 'bench.db'}", args, postgres=False, workers=[1])
    with fresh_database(args.database_url) as url:
        pg = measure(url, args, postgres=True, workers=[1, 2, 4])
    print(f"{'figure':>36}  {'sqlite':>10}  {'postgres':>10}  {'pg/sqlite':>9}")
    for key, value in pg.items():
        other = lite.get(key)
        ratio = f"{value / other:.2f}" if isinstance(other, int | float) and other else ""
        print(f"{key:>36}  {other if other is not None else '':>10}  {value:>10}  {ratio:>9}")

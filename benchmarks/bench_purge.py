"""How long a purge run takes: operations entered through the real use-case, ended long ago, then purged.

Seeds --operations operations (each with two subjects) with a clock 200 days back, then runs
``purge --dry-run`` and ``purge`` once each on the same store; prints seconds and operations per
second for both, and the counts. With --remote-notices N it also keeps N host-agency notices of
peers' operations (half ended long ago), and then times what every sweep pays once nothing is
left to purge (the median of 5 runs). SQLite by default, PostgreSQL with --database-url.

Usage: .venv/bin/python benchmarks/bench_purge.py [--operations 2000] [--remote-notices 0] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import World, operation_data

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.domain.remote_notices import RemoteNotice
from commonground.domain.timewindow import isoformat
from commonground.service.clock import ManualClock, new_id


def keep_peer_notices(services: Services, count: int) -> None:
    """``count`` notices of peers' operations, as federation keeps them; every other one already ended."""
    now = services.clock.now()
    with services.store.write() as tx:
        for n in range(count):
            starts = now + timedelta(days=300 if n % 2 else 0, hours=1)
            operation = {
                "id": f"peer-op-{n}",
                "level_disclosed": "safety",
                "agency": {"name": "Peer Task Force", "ori": "MNPEER000", "level": "federal"},
                "contact": {"name": "Sgt. Peer", "phone": "+1 612 555 0199", "radio": None},
                "area": {"type": "Point", "coordinates": [-93.26, 44.97], "radius_m": 100.0},
                "window": {"starts_at": isoformat(starts), "ends_at": isoformat(starts + timedelta(hours=2))},
                "team": {"personnel": 3, "attire": None, "vehicles": None},
            }
            kind, status = NoticeKind.ENTRY, NoticeStatus.SENT
            tx.remote_notices.add(
                RemoteNotice(new_id(), "peer-1", "peer", f"peer-op-{n}", "ag", kind, status, now, now, now, operation)
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--remote-notices", type=int, default=0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        clock = ManualClock(datetime.now(UTC) - timedelta(days=200))
        services = build_services(Settings(database_url=url), clock=clock)
        try:
            world = World(services)
            sgt = world.person(world.agency(), "supervisor")
            started = time.perf_counter()
            for n in range(args.operations):
                # Spread over a grid ~1 km apart, one hour each: no conflicts, so the seeding stays cheap.
                lat, lon = 44.0 + (n % 100) * 0.01, -94.0 + (n // 100) * 0.01
                subjects = [
                    {"kind": "person", "first_name": "Bench", "last_name": f"Person{chr(65 + n % 26)}"},
                    {"kind": "phone", "number": f"+1 612 555 {n % 10000:04d}"},
                ]
                data = operation_data(lat, lon, starts=clock.now() + timedelta(hours=1), hours=1, subjects=subjects)
                services.operations.submit(sgt, data)
            keep_peer_notices(services, args.remote_notices)
            seeded = time.perf_counter() - started
            clock.advance(timedelta(days=200))
            for dry_run in (True, False):
                started = time.perf_counter()
                counts = services.retention.purge(dry_run=dry_run)
                took = time.perf_counter() - started
                label = "purge --dry-run" if dry_run else "purge"
                print(
                    f"{label:16s} {took:7.2f} s  {counts.operations / took:8.0f} operations/s  "
                    f"(operations {counts.operations}, subjects {counts.subjects}, "
                    f"peers' operations in notices {counts.remote_notices})"
                )
            if args.remote_notices:
                runs = []
                for _ in range(5):  # what each sweep pays when nothing is due: the half not yet ended stays
                    started = time.perf_counter()
                    services.retention.purge(record_empty=False, audit=False)
                    runs.append(time.perf_counter() - started)
                print(f"a sweep's purge with nothing due: {1000 * statistics.median(runs):.1f} ms (median of 5)")
            print(
                f"seeded {args.operations} operations and {args.remote_notices} peers' notices in {seeded:.1f} s "
                f"({url.split(':', 1)[0]})"
            )
        finally:
            services.close()


if __name__ == "__main__":
    main()

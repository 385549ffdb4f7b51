"""How long a purge run takes: operations entered through the real use-case, ended long ago, then purged.

Seeds --operations operations (each with two subjects) with a clock 200 days back, then runs
``purge --dry-run`` and ``purge`` once each on the same store; prints seconds and operations per
second for both, and the counts. SQLite by default, PostgreSQL with --database-url.

Usage: .venv/bin/python benchmarks/bench_purge.py [--operations 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import World, operation_data

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.service.clock import ManualClock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000)
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
            seeded = time.perf_counter() - started
            clock.advance(timedelta(days=200))
            for dry_run in (True, False):
                started = time.perf_counter()
                counts = services.retention.purge(dry_run=dry_run)
                took = time.perf_counter() - started
                label = "purge --dry-run" if dry_run else "purge"
                print(
                    f"{label:16s} {took:7.2f} s  {counts.operations / took:8.0f} operations/s  "
                    f"(operations {counts.operations}, subjects {counts.subjects})"
                )
            print(f"seeded {args.operations} operations in {seeded:.1f} s ({url.split(':', 1)[0]})")
        finally:
            services.close()


if __name__ == "__main__":
    main()

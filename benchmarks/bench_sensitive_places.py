"""``make bench`` (sensitive places): what 50,000 loaded places add to a submission's p50.

Submits the same operations in process (the real use-case, check included) into a fresh SQLite
store, first with no sensitive place loaded, then with ``--places`` of them spread like the
operations (city clusters over the continental US), and prints both p50s and the difference.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures
from bench_core import START, synth
from tests.conftest import World

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.geometry import Area, bounding_boxes
from commonground.domain.sensitive import PlaceCategory, SensitivePlace
from commonground.service.clock import ManualClock

CATEGORIES = list(PlaceCategory)


def bodies(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    data = synth(rng, n)
    out = []
    for i in range(n):
        starts = START + timedelta(seconds=float(data["start"][i]))
        out.append(
            {
                "type": "search_warrant",
                "purpose": "criminal",
                "title": "bench",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=float(data["hours"][i]))).isoformat(),
                "location": {"lat": float(data["lat"][i]), "lon": float(data["lon"][i]), "radius_m": 100},
                "contact": {"name": "Sgt. Bench", "phone": "+1 612 555 0100"},
            }
        )
    return out


def submit_p50(world: World, who: Any, batch: list[dict[str, Any]]) -> tuple[float, int]:
    times, flagged = [], 0
    for body in batch:
        t = time.perf_counter()
        view, _ = world.services.operations.submit(who, body)
        times.append(time.perf_counter() - t)
        flagged += bool(view.sensitive_places)
    return statistics.median(times) * 1000, flagged


def run(places: int, submissions: int) -> tuple[float, int, float]:
    """Submit the same operations into a fresh store holding ``places`` places: p50s and how many were flagged."""
    rng = np.random.default_rng(14)  # the same places and operations in every run
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}"))
        services.clock = ManualClock(START - timedelta(days=1))  # every operation starts in the future
        services.operations.clock = services.clock
        world = World(services)
        agency = world.agency("local", name="Bench PD")
        who = world.person(agency, "supervisor")
        spots = synth(rng, places)
        loaded = [
            SensitivePlace(
                f"place{i}",
                agency.id,
                CATEGORIES[i % len(CATEGORIES)],
                f"Place {i}",
                Area("Point", ((float(spots["lon"][i]), float(spots["lat"][i])),)),
            )
            for i in range(places)
        ]
        with services.store.write() as tx:
            tx.sensitive_places.replace(agency.id, loaded)
        submit_p50(world, who, bodies(rng, 50))  # warm up
        batch = bodies(rng, submissions)
        p50, flagged = submit_p50(world, who, batch)
        near = []
        with services.store.read() as tx:
            for body in batch:
                loc = body["location"]
                area = Area("Point", ((loc["lon"], loc["lat"]),), loc["radius_m"])
                t = time.perf_counter()
                tx.sensitive_places.near(bounding_boxes(area, services.settings.sensitive_place_m))
                near.append(time.perf_counter() - t)
        services.close()
    return p50, flagged, statistics.median(near) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--places", type=int, default=50_000)
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args, _ = parser.parse_known_args()
    before, _, near_before = run(0, args.submissions)
    after, flagged, near_after = run(args.places, args.submissions)
    figures = {
        "sensitive places loaded": f"{args.places:,}",
        "submit p50, no places (ms)": f"{before:.2f}",
        f"submit p50, {args.places:,} places (ms)": f"{after:.2f}",
        "submit p50 difference (ms)": f"{after - before:+.2f}",
        "place search p50, none / loaded (ms)": f"{near_before:.3f} / {near_after:.3f}",
        "submissions flagged": f"{flagged}/{args.submissions}",
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>40}: {value}")


if __name__ == "__main__":
    main()

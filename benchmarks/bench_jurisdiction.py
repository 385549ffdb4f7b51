"""What a detailed jurisdiction costs the notice check of each submission near it: figures printed.

The check (``domain/geometry.intersects_polygon``) runs for every agency whose jurisdiction's box
holds a new operation. A polygon of more than ``LARGE_POLYGON`` positions is projected once and
kept; this prints, for outlines of 100 to 50,000 positions, the first check (it projects) and
the median of the later ones, each as a ratio to the 100-position outline's median in the same
run, plus the old path (projecting every time) for comparison.

    .venv/bin/python benchmarks/bench_jurisdiction.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from commonground.domain import geometry
from commonground.domain.geometry import LonLat, intersects_polygon, point_area


def outline(n: int) -> tuple[LonLat, ...]:
    """A county-sized ellipse (about 50 by 45 km) drawn with ``n`` positions, closed."""
    ring = tuple(
        (-93.3 + 0.3 * math.cos(2 * math.pi * i / n), 45.0 + 0.2 * math.sin(2 * math.pi * i / n)) for i in range(n)
    )
    return (*ring, ring[0])


def timed(ring: tuple[LonLat, ...], rounds: int) -> tuple[float, float]:
    """Return the first check and the median of ``rounds`` more, in milliseconds (inside and near the edge)."""
    places = [point_area(45.05, -93.3, 100.0, "bench"), point_area(45.2009, -93.3, 100.0, "bench")]
    start = time.perf_counter()
    intersects_polygon(places[0], [ring])
    first = (time.perf_counter() - start) * 1000
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        intersects_polygon(places[i % 2], [ring])
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    _, base = timed(outline(100), args.rounds)
    print(f"baseline: a 100-position outline, median {base:.3f} ms a check")
    print("positions   first (ms)   median (ms)   median / baseline   projecting every time (ms)")
    for n in (2_000, 10_000, 50_000):
        ring = outline(n)
        first, median = timed(ring, args.rounds)
        kept = geometry.LARGE_POLYGON
        geometry.LARGE_POLYGON = 10**9  # the old path: project the polygon on every check
        try:
            _, every_time = timed(ring, max(3, args.rounds // 10))
        finally:
            geometry.LARGE_POLYGON = kept
        print(f"{n:>9,}   {first:>10.1f}   {median:>11.2f}   {median / base:>17.1f}   {every_time:>26.1f}")


if __name__ == "__main__":
    main()

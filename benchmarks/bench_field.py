"""``make bench-field``: what a dispatcher and a CAD integration feel, as ratios to a bare request.

One city (Chicago) with clustered, heavy-tailed places: 20 % of its operations in 1 % of its
area, 40 % in neighbourhood clusters, the rest spread over it; 1-4 h windows over 30 days
around now; 20 agencies, and a 911 centre whose jurisdiction covers the city and whose
dispatchers look up places. Operations past the city's 20,000 go to other metro areas, so the
index grows while conflicts per submission stay those of the city.

For each stored count (``--operations 20000,100000``; add 1000000 for the million) one server
process is measured:

- sequentially, one request at a time, each on a new connection and each on a kept one:
  ``GET /healthz`` (the bare request), a submission, a look-up; p50 and p99 as ratios to the
  bare request's p50 of the same kind of connection, from the same rounds;
- under load: 4 and 8 keep-alive clients submitting (every fourth request a look-up) beside
  the sequential new-connection client; submissions/s and look-ups/s;
- the cost of a conflict: submissions at places prepared with 0, 1, 5, 20 and 50 overlapping
  operations; latency against conflicts found, and the least-squares slope in ms per conflict;
- with ``wrk`` on PATH, the look-up rate and ``/healthz`` rate of a C load generator.

``--database-url postgresql://...`` measures PostgreSQL (a fresh database per count) with
``--workers 1,2``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bench_core as core
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import World, server_process

from commonground.bootstrap import build_services
from commonground.config import Settings

CITY = (41.88, -87.63)  # lat, lon
HALF = (0.1, 0.125)  # the city box's half extents, degrees (about 22 km by 21 km)
CITY_OPERATIONS = 20_000
HOT_SPOTS = 40
HOT_SIGMA = 0.0009  # 40 spots, each about 2 sigma across: about 1 % of the city box
ELSEWHERE = [c for c in core.CITIES if abs(c[0] - CITY[0]) > 0.5]
CONFLICTS = (0, 1, 5, 20, 50)
SPOTS_PER_COUNT = 12
MS = 1000.0
UNLIMITED = str(10**8)
UNLIMITED_LOOKUPS = {
    "COMMONGROUND_LOOKUP_LIMIT_PER_HOUR": UNLIMITED,
    "COMMONGROUND_LOOKUP_AGENCY_LIMIT_PER_HOUR": UNLIMITED,
    "COMMONGROUND_LOOKUP_INSTALLATION_LIMIT_PER_HOUR": UNLIMITED,
}


def centres(n: int, within: float) -> np.ndarray:
    """``n`` fixed centres inside ``within`` of the city box (the same in every call)."""
    rng = np.random.default_rng(n)
    return np.column_stack(
        [rng.uniform(-1, 1, n) * HALF[0] * within + CITY[0], rng.uniform(-1, 1, n) * HALF[1] * within + CITY[1]]
    )


def city_places(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Heavy-tailed places in the city: hot spots, neighbourhoods, then everywhere."""
    spots = np.column_stack(
        [
            rng.uniform(-1, 1, HOT_SPOTS) * HALF[0] * 0.8 + CITY[0],
            rng.uniform(-1, 1, HOT_SPOTS) * HALF[1] * 0.8 + CITY[1],
        ]
    )
    hoods = np.column_stack(
        [rng.uniform(-1, 1, 8) * HALF[0] * 0.6 + CITY[0], rng.uniform(-1, 1, 8) * HALF[1] * 0.6 + CITY[1]]
    )
    kind = rng.choice(3, n, p=[0.2, 0.4, 0.4])
    lat = rng.uniform(CITY[0] - HALF[0], CITY[0] + HALF[0], n)
    lon = rng.uniform(CITY[1] - HALF[1], CITY[1] + HALF[1], n)
    hot = kind == 0
    pick = spots[rng.integers(0, HOT_SPOTS, hot.sum())]
    lat[hot], lon[hot] = rng.normal(pick[:, 0], HOT_SIGMA), rng.normal(pick[:, 1], HOT_SIGMA * 1.35)
    hood = kind == 1
    pick = hoods[rng.integers(0, len(hoods), hood.sum())]
    lat[hood], lon[hood] = rng.normal(pick[:, 0], 0.025), rng.normal(pick[:, 1], 0.033)
    return np.clip(lat, CITY[0] - HALF[0], CITY[0] + HALF[0]), np.clip(lon, CITY[1] - HALF[1], CITY[1] + HALF[1])


HALF_SPREAD_S = core.DAYS * 86400 / 2


def offsets(rng: np.random.Generator, n: int, base: datetime) -> np.ndarray:
    """Start times, seconds after ``core.START`` (the loaders' origin), over 30 days from ``base``."""
    return (base - core.START).total_seconds() + rng.uniform(0, core.DAYS * 86400, n)


def spot(k: int, j: int) -> tuple[float, float]:
    """A place in the Nevada desert 5 km from every other spot, for the conflict-cost curve."""
    return 38.0 + 0.05 * j, -117.0 + 0.05 * k


def field_data(rng: np.random.Generator, n: int, base: datetime, curve_at: float) -> dict[str, np.ndarray]:
    """The stored operations: the city's, the rest elsewhere, and the prepared conflict spots."""
    in_city = min(n, CITY_OPERATIONS)
    lat, lon = city_places(rng, in_city)
    rest = n - in_city
    where = np.array(ELSEWHERE)[rng.integers(0, len(ELSEWHERE), rest)]
    lat = np.concatenate([lat, rng.normal(where[:, 0], where[:, 2])])
    lon = np.concatenate([lon, rng.normal(where[:, 1], where[:, 2] * 1.3)])
    start, hours = offsets(rng, n, base), rng.uniform(1, 4, n)
    radius = rng.choice([50.0, 100.0, 150.0, 250.0, 500.0], n)
    prepared = [spot(k, j) for k in CONFLICTS for j in range(SPOTS_PER_COUNT) for _ in range(k)]
    m = len(prepared)
    return {
        "lat": np.concatenate([lat, [p[0] for p in prepared]]),
        "lon": np.concatenate([lon, [p[1] for p in prepared]]),
        "start": np.concatenate([start, np.full(m, curve_at)]),
        "hours": np.concatenate([hours, np.full(m, 3.0)]),
        "radius": np.concatenate([radius, np.full(m, 100.0)]),
    }


def city_ring() -> dict[str, Any]:
    (lat, lon), (h_lat, h_lon) = CITY, HALF
    ring = [
        [lon - h_lon, lat - h_lat],
        [lon + h_lon, lat - h_lat],
        [lon + h_lon, lat + h_lat],
        [lon - h_lon, lat + h_lat],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


class Wire:
    """A minimal HTTP/1.1 client (the standard library's), on a new or a kept connection."""

    def __init__(self, base: str, token: str | None, *, keep: bool) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.keep = keep
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[float, int, bytes]:
        """Send one request; return its seconds, status and body."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t = time.perf_counter()
        conn = self.conn or http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        dt = time.perf_counter() - t
        if self.keep:
            self.conn = conn
        else:
            conn.close()
        return dt, response.status, payload


@dataclass
class Traffic:
    """What the requests of a profile ask: places and times drawn as the stored operations were."""

    rng: np.random.Generator
    base: datetime
    officers: list[str]
    dispatchers: list[str]
    conflicts: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def submission(self) -> dict[str, Any]:
        with self.lock:
            lat, lon = city_places(self.rng, 1)
            # Operations are entered ahead: a start before an hour from now moves to the stored
            # spread's future half (one starting over 15 minutes ago would need an exigent reason).
            start = offsets(self.rng, 1, self.base)[0]
            soonest = (self.base - core.START).total_seconds() + HALF_SPREAD_S + 3600
            start += HALF_SPREAD_S + 3600 if start < soonest else 0
            hours, radius = self.rng.uniform(1, 4), self.rng.choice([50.0, 100.0, 150.0, 250.0, 500.0])
        return core.operation_body(float(lat[0]), float(lon[0]), float(start), float(hours), float(radius))

    def lookup_path(self) -> str:
        with self.lock:
            lat, lon = city_places(self.rng, 1)
        # Drawn just inside the 911 centre's box: a place on its edge, rounded, may fall outside.
        lat_in, lon_in = CITY[0] + (lat[0] - CITY[0]) * 0.999, CITY[1] + (lon[0] - CITY[1]) * 0.999
        return f"/api/v1/lookup?lat={lat_in:.5f}&lon={lon_in:.5f}"

    def submit(self, wire: Wire) -> float:
        dt, status, payload = wire.call("POST", "/api/v1/operations", self.submission())
        if status != 201:
            raise RuntimeError(f"submission: {status}: {payload[:200]!r}")
        with self.lock:
            self.conflicts.append(len(json.loads(payload)["conflicts"]))
        return dt

    def look(self, wire: Wire) -> float:
        dt, status, payload = wire.call("GET", self.lookup_path())
        if status != 200:
            raise RuntimeError(f"look-up: {status}: {payload[:200]!r}")
        return dt


def bare(wire: Wire) -> float:
    dt, status, _ = wire.call("GET", "/healthz")
    assert status == 200
    return dt


def summary(values: list[float], baseline: float) -> dict[str, float]:
    p50, p99 = statistics.median(values), core.pct(values, 99)
    return {
        "p50_ms": round(p50 * MS, 2),
        "p99_ms": round(p99 * MS, 2),
        "p50_x": p50 / baseline,
        "p99_x": p99 / baseline,
    }


def sequential(base: str, traffic: Traffic, rounds: int) -> dict[str, Any]:
    """One request at a time: bare, submission, look-up; on new connections, then on kept ones."""
    out: dict[str, Any] = {}
    for keep in (False, True):
        kind = "kept" if keep else "new"
        health, officer, dispatcher = (
            Wire(base, None, keep=keep),
            Wire(base, traffic.officers[0], keep=keep),
            Wire(base, traffic.dispatchers[0], keep=keep),
        )
        times: dict[str, list[float]] = {"bare": [], "submission": [], "lookup": []}
        for _ in range(rounds):
            times["bare"].append(bare(health))
            times["submission"].append(traffic.submit(officer))
            times["lookup"].append(traffic.look(dispatcher))
        baseline = statistics.median(times["bare"])
        for name, values in times.items():
            out[f"{kind}_{name}"] = summary(values, baseline)
    return out


def loaded(base: str, traffic: Traffic, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` keep-alive clients (3 submissions to 1 look-up) beside one new-connection client."""
    stop = time.monotonic() + seconds
    counts = {"submissions": 0, "lookups": 0}
    lock = threading.Lock()
    beside: dict[str, list[float]] = {"bare": [], "submission": [], "lookup": []}

    def client(k: int) -> None:
        officer = Wire(base, traffic.officers[k % len(traffic.officers)], keep=True)
        dispatcher = Wire(base, traffic.dispatchers[k % len(traffic.dispatchers)], keep=True)
        i = 0
        while time.monotonic() < stop:
            i += 1
            if i % 4 == 0:
                traffic.look(dispatcher)
                name = "lookups"
            else:
                traffic.submit(officer)
                name = "submissions"
            with lock:
                counts[name] += 1

    def new_connections() -> None:
        health = Wire(base, None, keep=False)
        officer = Wire(base, traffic.officers[-1], keep=False)
        dispatcher = Wire(base, traffic.dispatchers[-1], keep=False)
        while time.monotonic() < stop:
            beside["bare"].append(bare(health))
            beside["submission"].append(traffic.submit(officer))
            beside["lookup"].append(traffic.look(dispatcher))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    threads.append(threading.Thread(target=new_connections))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    baseline = statistics.median(beside["bare"])
    return {
        "rate": {k: round(v / wall, 1) for k, v in counts.items()},
        "beside": {name: summary(values, baseline) for name, values in beside.items() if values},
    }


def curve(base: str, token: str, curve_at: float) -> dict[str, Any]:
    """Submit at each prepared spot (kept connection); fit latency against conflicts found."""
    wire = Wire(base, token, keep=True)
    found: list[int] = []
    took: list[float] = []
    for j in range(SPOTS_PER_COUNT):
        for k in CONFLICTS:
            lat, lon = spot(k, j)
            dt, status, payload = wire.call(
                "POST", "/api/v1/operations", core.operation_body(lat, lon, curve_at + 3600, 1.0, 100.0)
            )
            if status != 201:
                raise RuntimeError(f"curve submission: {status}: {payload[:200]!r}")
            found.append(len(json.loads(payload)["conflicts"]))
            took.append(dt)
    slope, intercept = np.polyfit(np.array(found, dtype=float), np.array(took) * MS, 1)
    by: dict[int, list[float]] = {}
    for n, dt in zip(found, took, strict=True):
        by.setdefault(n, []).append(dt * MS)
    return {
        "ms_per_conflict": round(float(slope), 3),
        "ms_at_zero": round(float(intercept), 2),
        "p50_ms_by_conflicts": {n: round(statistics.median(v), 2) for n, v in sorted(by.items())},
    }


LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Bearer %s"})
end
"""


def wrk_rate(base: str, traffic: Traffic, seconds: int) -> dict[str, Any]:
    """Requests/s of ``wrk`` (2 threads, 8 connections) at look-ups, then at ``/healthz``."""
    out: dict[str, Any] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        paths = ",".join(f'"{traffic.lookup_path()}"' for _ in range(500))
        script.write(LUA % (paths, traffic.dispatchers[1 % len(traffic.dispatchers)]))
    for name, extra, url in (("lookup", ["-s", script.name], base + "/"), ("bare", [], base + "/healthz")):
        result = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", *extra, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rate = next(line for line in result.splitlines() if line.startswith("Requests/sec"))
        bad = [line.strip() for line in result.splitlines() if "Non-2xx" in line or "Socket errors" in line]
        out[f"wrk_{name}_per_s"] = float(rate.split(":")[1])
        if bad:
            out[f"wrk_{name}_errors"] = "; ".join(bad)
    Path(script.name).unlink()
    return out


@contextmanager
def sampled(out: str | None, pid: int, gil: bool = False) -> Iterator[None]:
    """Sample the server with py-spy (collapsed stacks into ``out``) while the block runs.

    ``gil``: only the thread holding the interpreter lock, so samples are CPU, not waiting."""
    if out is None:
        yield
        return
    tool = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"  # the venv's first
    spy = subprocess.Popen(
        [
            tool,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "-f",
            "raw",
            "-o",
            out,
            "-r",
            "200",
            *(["--gil"] if gil else []),
        ]
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


@contextmanager
def store_for(args: argparse.Namespace) -> Iterator[tuple[str, bool]]:
    if args.database_url and args.database_url.startswith("postgres"):
        import bench_postgres

        with bench_postgres.fresh_database(args.database_url) as url:
            yield url, True
    else:
        yield f"sqlite:///{Path(tempfile.mkdtemp(prefix='cg-field-')) / 'field.db'}", False


@dataclass(frozen=True)
class FieldWorld:
    """A loaded store of the profile: its officers' and dispatchers' tokens, and how long loading took."""

    officers: list[str]
    dispatchers: list[str]
    load_seconds: float


def field_world(
    url: str, postgres: bool, n: int, rng: np.random.Generator, base: datetime, curve_at: float
) -> FieldWorld:
    """Make the 20 agencies, the 911 centre and their people, then load ``n`` operations in bulk."""
    services = build_services(Settings(database_url=url))
    world = World(services)
    agencies = [world.agency(("federal", "state", "local", "tribal")[i % 4]) for i in range(20)]
    centre = world.agency("local", name="911 Centre", jurisdiction=city_ring())
    officers = [world.token(world.person(a, "officer")) for a in agencies[:8]]
    dispatchers = [world.token(world.person(centre, "dispatcher")) for _ in range(4)]
    user_id = world.admin.user.id
    services.close()
    loader: Callable[..., float]
    if postgres:
        import bench_postgres

        loader = bench_postgres.pg_load
    else:
        loader = core.load
    data = field_data(rng, n, base, curve_at)
    took = loader(url, len(data["lat"]), [a.id for a in agencies], user_id, rng, data)
    return FieldWorld(officers, dispatchers, round(took, 1))


def profile(args: argparse.Namespace, n: int) -> dict[str, Any]:
    """Build the world, load ``n`` operations and measure every phase against one store."""
    rng = np.random.default_rng(19)
    now = datetime.now(UTC).replace(microsecond=0)
    base = now - timedelta(days=15)
    curve_at = (now + timedelta(days=20) - core.START).total_seconds()
    figures: dict[str, Any] = {"operations": n}
    with store_for(args) as (url, postgres):
        loaded_world = field_world(url, postgres, n, rng, base, curve_at)
        officers, dispatchers = loaded_world.officers, loaded_world.dispatchers
        figures["load_seconds"] = loaded_world.load_seconds
        env = dict(UNLIMITED_LOOKUPS)
        if args.no_sweeps:
            env |= {"COMMONGROUND_LOOKUP_SWEEP_USER_CELLS": "0", "COMMONGROUND_LOOKUP_SWEEP_AGENCY_CELLS": "0"}
        for workers in args.workers:
            traffic = Traffic(np.random.default_rng(23), base, officers, dispatchers)
            with (
                server_process(url, workers=workers, env=env, start_timeout=240) as (proc, http_base),
                sampled(args.py_spy, proc.pid, args.py_spy_gil),
            ):
                sequential(http_base, traffic, 30)  # warm up
                traffic.conflicts.clear()
                run: dict[str, Any] = {}
                if workers == args.workers[0]:
                    run["sequential"] = sequential(http_base, traffic, args.rounds)
                    run["conflicts_per_submission"] = round(statistics.mean(traffic.conflicts), 2)
                    run["conflicts_p99"] = core.pct([float(c) for c in traffic.conflicts], 99)
                    run["curve"] = curve(http_base, officers[0], curve_at)
                for clients in args.clients:
                    figures_of = loaded(http_base, traffic, clients, args.seconds)
                    run[f"{clients}_clients_per_s"] = figures_of["rate"]
                    run[f"{clients}_clients_beside"] = figures_of["beside"]
                if shutil.which("wrk") and args.wrk:
                    run |= wrk_rate(http_base, traffic, args.wrk)
            figures[f"w{workers}"] = run
    return figures


def show(figures: dict[str, Any]) -> None:
    print(f"\n== {figures['operations']:,} operations (loaded in {figures['load_seconds']} s)")
    for key, run in figures.items():
        if not key.startswith("w"):
            continue
        print(f"-- {key[1:]} server process(es)")
        for name, value in run.items():
            if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
                for sub, s in value.items():
                    print(
                        f"  {name:>18} {sub:<16} p50 {s['p50_ms']:7.2f} ms {s['p50_x']:5.2f}x"
                        f"   p99 {s['p99_ms']:7.2f} ms {s['p99_x']:5.2f}x  (x: of the bare p50)"
                    )
            elif isinstance(value, dict):
                print(f"  {name:>18}: " + "  ".join(f"{k}={v}" for k, v in value.items()))
            else:
                print(f"  {name:>18}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)

    def numbers(v: str) -> list[int]:
        return [int(x) for x in v.split(",")]

    parser.add_argument("--operations", type=numbers, default=[20_000, 100_000], help="e.g. 20000,1000000")
    parser.add_argument("--rounds", type=int, default=300, help="sequential rounds (bare, submission, look-up)")
    parser.add_argument("--clients", type=numbers, default=[4, 8])
    parser.add_argument("--seconds", type=float, default=10.0, help="each loaded phase")
    parser.add_argument("--workers", type=numbers, default=[1], help="server processes, e.g. 1,2")
    parser.add_argument("--wrk", type=int, default=10, help="seconds of each wrk run; 0 skips")
    parser.add_argument(
        "--no-sweeps", action="store_true", help="turn the look-up sweep rule off (it is on, as installed)"
    )
    parser.add_argument("--database-url", default=None, help="postgresql://... (default: SQLite in a temp dir)")
    parser.add_argument("--py-spy", default=None, metavar="FILE", help="sample the server into FILE (collapsed stacks)")
    parser.add_argument("--py-spy-gil", action="store_true", help="sample only the thread holding the GIL (CPU)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for n in args.operations:
        figures = profile(args, n)
        if args.json:
            print(json.dumps(figures, default=float))
        else:
            show(figures)


if __name__ == "__main__":
    main()

"""``make bench-floor``: how far issue 19's ratios are from the least this stack can do, in one run.

Issue 19 asks a look-up for p50 ≤ 2x and p99 ≤ 4x a bare request's p50, and a submission for
≤ 3x and ≤ 8x, every one of them kept durably before it is answered. This runs two servers side
by side on loopback and measures them the same way, interleaved, so the machine's noise falls
on both:

- the **floor** (``floor_app.py``): FastAPI on uvicorn and SQLAlchemy over SQLite with WAL and
  ``synchronous=FULL``, doing only a hashed bearer token's read and, for ``write``, one durable
  insert and its commit; no middleware, limits, search or audit chain;
- **Common Ground** on the field profile's store (``bench_field.py``: a city's clustered
  operations, 20 agencies, a 911 centre), with its bare ``/healthz``, an authenticated read
  (``GET /api/v1/operations?limit=1``), a dispatcher's look-up and a submission.

Each server's ratios are to its own bare request's p50, on a **new connection** per request
(as the goals are put) and on a **kept** one; the server's own CPU per request (``/proc``) is
beside them. ``wrk`` (2 threads, 8 connections) then gives each server's rate at its durable
request and at its ``/healthz``, one process each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bench_core as core
import bench_cpu as cpu
import bench_field as field
import httpx
import numpy as np
from tests.conftest import free_port, server_process

HERE = Path(__file__).resolve().parent
BLOCKS = 10
GOALS = {"lookup": (2.0, 4.0), "submission": (3.0, 8.0)}
FLOOR_TOKEN = "floor-token"  # floor_app.TOKEN (importing floor_app would open its database here)


@contextmanager
def floor_server(
    app: str = "floor_app:app", port: int | None = None, env: Mapping[str, str] | None = None
) -> Iterator[tuple[int, str]]:
    """A floor app under uvicorn, as ``commonground serve`` runs its app (one process, no access log),
    with a database of its own; ``env`` is what else the app reads (``floor_peer.py``'s keys)."""
    work = Path(tempfile.mkdtemp(prefix="cg-floor-"))
    port = port or free_port()
    path = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, FLOOR_DATABASE=str(work / "floor.db"), PYTHONPATH=path, **(env or {}))
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen([*command, "--no-access-log"], env=env)
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the floor app {app} did not start")
            time.sleep(0.1)
        yield proc.pid, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def measure(
    servers: dict[str, tuple[int, str]], traffic: field.Traffic, per_block: int
) -> dict[tuple[str, str, str], tuple[list[float], list[float]]]:
    """Latencies (s) and CPU ms per block of each server's kinds, new then kept connections, in turns."""
    kinds: dict[str, dict[str, tuple[str | None, Callable[[field.Wire], tuple[float, int, bytes]]]]] = {
        "floor": {
            "bare": (None, lambda w: w.call("GET", "/healthz")),
            "read": (FLOOR_TOKEN, lambda w: w.call("GET", "/read?lat=41.88&lon=-87.63")),
            "write": (FLOOR_TOKEN, lambda w: w.call("GET", "/write?lat=41.88&lon=-87.63")),
        },
        "cg": {
            "bare": (None, lambda w: w.call("GET", "/healthz")),
            "read": (traffic.officers[0], lambda w: w.call("GET", "/api/v1/operations?limit=1")),
            "lookup": (traffic.dispatchers[0], lambda w: w.call("GET", traffic.lookup_path())),
            "submission": (traffic.officers[1], lambda w: w.call("POST", "/api/v1/operations", traffic.submission())),
        },
    }
    out: dict[tuple[str, str, str], tuple[list[float], list[float]]] = {}
    for keep in (False, True):
        connection = "kept" if keep else "new"
        wires = {
            (server, kind): field.Wire(servers[server][1], token, keep=keep)
            for server, table in kinds.items()
            for kind, (token, _) in table.items()
        }
        for _ in range(BLOCKS):
            for server, table in kinds.items():
                pid = servers[server][0]
                for kind, (_, send) in table.items():
                    latencies, cpus = out.setdefault((server, kind, connection), ([], []))
                    started = cpu.cpu_seconds(pid)
                    for _ in range(per_block):
                        dt, status, payload = send(wires[(server, kind)])
                        if status >= 300:
                            raise RuntimeError(f"{server} {kind}: {status}: {payload[:200]!r}")
                        latencies.append(dt)
                    cpus.append((cpu.cpu_seconds(pid) - started) * 1000)  # ms over the block
    return out


def wrk_rate(url: str, token: str | None, seconds: int, script: str | None = None) -> float:
    """Requests/s of ``wrk`` (2 threads, 8 connections) at ``url``."""
    extra = ["-s", script] if script else []
    headers = ["-H", f"Authorization: Bearer {token}"] if token and not script else []
    result = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", *headers, *extra, url], capture_output=True, text=True, check=True
    ).stdout
    bad = [line.strip() for line in result.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    if bad:
        raise RuntimeError(f"wrk at {url}: {'; '.join(bad)}")
    return float(next(line for line in result.splitlines() if line.startswith("Requests/sec")).split(":")[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=20_000, help="Common Ground's store")
    parser.add_argument("--requests", type=int, default=50, help="of each kind, per block of 10")
    parser.add_argument("--wrk", type=int, default=10, help="seconds of each wrk run; 0 skips")
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    base = now - timedelta(days=15)
    work = Path(tempfile.mkdtemp(prefix="cg-floor-store-"))
    db = work / "store.db"
    prepare = [sys.executable, cpu.__file__, "--prepare", str(db), "--operations", str(args.operations)]
    subprocess.run(prepare, check=True)
    officers, dispatchers = json.loads(Path(f"{db}.tokens").read_text())
    traffic = field.Traffic(np.random.default_rng(29), base, officers, dispatchers)
    rates: dict[str, float] = {}
    try:
        with (
            server_process(f"sqlite:///{db}", env=dict(field.UNLIMITED_LOOKUPS), start_timeout=120) as (proc, cg),
            floor_server() as (floor_pid, floor),
        ):
            cpu.wait_idle(proc.pid)
            servers = {"floor": (floor_pid, floor), "cg": (proc.pid, cg)}
            measure(servers, traffic, 5)  # warm every route up
            figures = measure(servers, traffic, args.requests)
            if args.wrk and shutil.which("wrk"):
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                    paths = ",".join(f'"{traffic.lookup_path()}"' for _ in range(500))
                    script.write(field.LUA % (paths, dispatchers[1 % len(dispatchers)]))
                rates = {
                    "floor write": wrk_rate(f"{floor}/write?lat=41.88&lon=-87.63", FLOOR_TOKEN, args.wrk),
                    "floor bare": wrk_rate(f"{floor}/healthz", None, args.wrk),
                    "cg lookup": wrk_rate(f"{cg}/", None, args.wrk, script.name),
                    "cg bare": wrk_rate(f"{cg}/healthz", None, args.wrk),
                }
                Path(script.name).unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    show(figures, rates, args.operations)


def show(
    figures: dict[tuple[str, str, str], tuple[list[float], list[float]]], rates: dict[str, float], operations: int
) -> None:
    names = {"floor": "floor (token read, one durable insert)", "cg": f"Common Ground ({operations:,} operations)"}
    for connection in ("new", "kept"):
        print(f"\n== {connection} connection per request: p50 / p99 as multiples of the server's own bare p50")
        print(f"  {'':44}{'p50 ms':>8}{'p50 x':>8}{'p99 x':>8}{'CPU ms':>8}{'CPU x':>8}   goal p50 / p99")
        for server in ("floor", "cg"):
            print(f"  {names[server]}")
            bare_latencies, bare_cpus = figures[(server, "bare", connection)]
            bare, bare_cpu = statistics.median(bare_latencies), sum(bare_cpus) / len(bare_latencies)
            for (who, kind, kept), (latencies, cpus) in figures.items():
                if who != server or kept != connection:
                    continue
                # CPU over all blocks: the clock ticks in 10 ms, coarse for one block's 50 requests.
                p50, p99, used = statistics.median(latencies), core.pct(latencies, 99), sum(cpus) / len(latencies)
                goal = GOALS.get(kind)
                wanted = f"<= {goal[0]:.0f}x / <= {goal[1]:.0f}x" if goal else ""
                print(
                    f"    {kind:<40}{p50 * 1000:8.2f}{p50 / bare:8.2f}{p99 / bare:8.2f}"
                    f"{used:8.2f}{used / bare_cpu:8.2f}   {wanted}"
                )
    if rates:
        print("\n== wrk, 2 threads, 8 connections, one server process: requests/s")
        for name, rate in rates.items():
            print(f"  {name:<14}{rate:10.0f}")


if __name__ == "__main__":
    main()

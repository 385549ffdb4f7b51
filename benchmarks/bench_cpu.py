"""``make bench-cpu``: the server's own CPU per request, by kind, and old code against new.

Latency on a shared 2-core machine moves ±15 % between runs; the server process's CPU time
(``/proc/PID/stat``) per request moves much less, and CPU is what bounds a server process. One
store of the field profile (``bench_field.py``: a city's clustered operations, 20 agencies, a
911 centre) is prepared once; every measurement starts a fresh server on a fresh copy of it,
waits until its start-up work is done, then sends each kind of request on one kept connection,
the kinds taking turns in 10 blocks (each kind's figure is its median block, so a periodic job
spoils one block, not a kind):

- ``bare``: ``GET /healthz`` (no store, no token);
- ``read``: ``GET /api/v1/operations?limit=1`` (the token look-up and one small query);
- ``lookup``: a dispatcher's ``GET /api/v1/lookup`` at a city place (audited, its teams told);
- ``submission``: ``POST /api/v1/operations`` in the city.

``--tree DIR`` also measures the code of another checkout (its ``src`` put first on
``PYTHONPATH``), alternating old and new ``--repeat`` times, and prints new ÷ old per kind.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench_core as core
import bench_field as field
import numpy as np
from tests.conftest import server_process

KINDS = ("bare", "read", "lookup", "submission")
BLOCKS = 10  # per kind and measurement
IDLE_CPU_S = 0.05  # start-up work (escalation catch-up, checkpoints) is over below this a second


def cpu_seconds(pid: int) -> float:
    """User plus system CPU the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, most_s: float = 60.0) -> None:
    """Wait until the server's background start-up work stops taking CPU."""
    deadline = time.monotonic() + most_s
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < IDLE_CPU_S:
            return


def measure(db: Path, tree: str | None, traffic: field.Traffic, n: int) -> dict[str, tuple[float, float]]:
    """CPU ms and wall p50 ms per request of each kind, from one fresh server on a copy of ``db``."""
    work = Path(tempfile.mkdtemp(prefix="cg-cpu-"))
    shutil.copy(db, work / "cpu.db")
    env = dict(field.UNLIMITED_LOOKUPS)
    if tree is not None:
        env["PYTHONPATH"] = str(Path(tree) / "src")
    out: dict[str, tuple[float, float]] = {}
    try:
        with server_process(f"sqlite:///{work / 'cpu.db'}", env=env, start_timeout=120) as (proc, base):
            wait_idle(proc.pid)
            host, port = base.split("//")[1].split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            for kind in KINDS:  # warm each route up
                for _ in range(50):
                    send(conn, *request(kind, traffic))
            # Kinds take turns in short blocks, and each kind's figure is its median block: a
            # periodic job (an audit checkpoint, the escalation scan) then spoils a block, not a kind.
            cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
            wall: dict[str, list[float]] = {kind: [] for kind in KINDS}
            for _ in range(BLOCKS):
                for kind in KINDS:
                    calls = [request(kind, traffic) for _ in range(max(1, n // BLOCKS))]
                    started = cpu_seconds(proc.pid)
                    for call in calls:
                        t = time.perf_counter()
                        send(conn, *call)
                        wall[kind].append(time.perf_counter() - t)
                    cpu[kind].append((cpu_seconds(proc.pid) - started) / len(calls) * 1000)
            for kind in KINDS:
                out[kind] = (statistics.median(cpu[kind]), statistics.median(wall[kind]) * 1000)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def request(kind: str, traffic: field.Traffic) -> tuple[str, str, str | None, dict[str, Any] | None]:
    if kind == "bare":
        return "GET", "/healthz", None, None
    if kind == "read":
        return "GET", "/api/v1/operations?limit=1", traffic.officers[0], None
    if kind == "lookup":
        return "GET", traffic.lookup_path(), traffic.dispatchers[0], None
    return "POST", "/api/v1/operations", traffic.officers[1], traffic.submission()


def send(conn: http.client.HTTPConnection, method: str, path: str, token: str | None, body: Any) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status}: {payload[:200]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=1000, help="of each kind, per measurement")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", default=None, help="another checkout to measure against (its src/)")
    parser.add_argument("--prepare", default=None, help=argparse.SUPPRESS)  # the store-making step, run by main
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    base, curve_at = now - timedelta(days=15), (now + timedelta(days=20) - core.START).total_seconds()
    if args.prepare:
        world = field.field_world(
            f"sqlite:///{args.prepare}", False, args.operations, np.random.default_rng(19), base, curve_at
        )
        Path(f"{args.prepare}.tokens").write_text(json.dumps([world.officers, world.dispatchers]))
        return
    db = Path(tempfile.mkdtemp(prefix="cg-cpu-store-")) / "store.db"
    # The store is made by the oldest code measured: the newer one upgrades its copy as it starts.
    env = dict(os.environ) | ({"PYTHONPATH": str(Path(args.tree) / "src")} if args.tree else {})
    prepare = [sys.executable, __file__, "--prepare", str(db), "--operations", str(args.operations)]
    subprocess.run(prepare, env=env, check=True)
    officers, dispatchers = json.loads(Path(f"{db}.tokens").read_text())
    world = field.FieldWorld(officers, dispatchers, 0.0)
    trees: dict[str, str | None] = {"new": None} if args.tree is None else {"old": args.tree, "new": None}
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {name: [] for name in trees}
    for _ in range(args.repeat):
        for name, tree in trees.items():
            traffic = field.Traffic(np.random.default_rng(23), base, world.officers, world.dispatchers)
            runs[name].append(measure(db, tree, traffic, args.requests))
    shutil.rmtree(db.parent, ignore_errors=True)

    print(f"\n== server CPU per request, {args.operations:,} operations, SQLite, medians of {args.repeat}")
    header = "  kind        " + "".join(f"{name + ' CPU ms':>14}{'x bare':>8}{'wall p50':>10}" for name in trees)
    print(header + ("   new ÷ old" if args.tree else ""))
    for kind in KINDS:
        line, cpus = f"  {kind:<12}", []
        for name in trees:
            cpu = statistics.median(r[kind][0] for r in runs[name])
            bare = statistics.median(r["bare"][0] for r in runs[name])
            wall = statistics.median(r[kind][1] for r in runs[name])
            line += f"{cpu:14.3f}{cpu / bare:8.2f}{wall:10.2f}"
            cpus.append(cpu)
        print(line + (f"{cpus[1] / cpus[0]:12.2f}" if args.tree else ""))


if __name__ == "__main__":
    main()

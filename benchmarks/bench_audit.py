"""The auditor's page and ``GET /api/v1/audit`` at 1,000 and at 1,000,000 audit records, in one run.

For each size: a fresh SQLite file gets an installation admin and an auditor (with a console
session), then the log is filled with correctly chained records by bulk insert (the package's own
``seal``, not a million service calls) and a checkpoint of them is signed with the installation's
key, as the server's background signer would have. A real ``commonground serve`` process then
answers --requests rounds of ``/healthz`` (the bare request), ``/api/v1/audit`` and
``/auditor``, one of each in turn; medians are printed, and each as a ratio to ``/healthz`` in
the same run. Last, the full verification (``audit verify``'s walk) is timed at each size.

Usage: .venv/bin/python benchmarks/bench_audit.py [--sizes 1000,1000000] [--requests 100]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared test fixtures

from tests.conftest import bearer, server_process

from commonground.audit.chain import AuditEntry, record_fields, seal
from commonground.audit.checkpoints import Checkpoint, signed_text
from commonground.audit.merkle import extend, record_leaf, root_of
from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.federation.notary import Ed25519Notary
from commonground.service.accounts import hash_token
from commonground.service.principal import Principal
from commonground.service.signin_ports import SessionRecord
from commonground.store.schema import audit_log

CHUNK = 20_000
LEVEL = {"level": "safety"}


def people(services: Services) -> tuple[str, str]:
    """An auditor's bearer token and console session cookie."""
    admin, _ = services.accounts.bootstrap_admin("root")
    with services.store.read() as tx:
        found = tx.people.by_username(admin.username)
        assert found is not None
    with services.store.read() as tx:
        agency = tx.agencies.get(found[0].agency_id)
    assert agency is not None
    root = Principal(found[0], agency)
    auditor = services.accounts.create_user(
        root,
        {"agency_id": agency.id, "username": "auditor", "display_name": "Auditor", "roles": ["auditor"]},
    )
    token, _ = services.accounts.create_token(None, auditor.id, "bench")
    cookie, now = secrets.token_urlsafe(32), services.clock.now()
    with services.store.write() as tx:
        tx.signin.add_session(SessionRecord(hash_token(cookie), auditor.id, "active", "csrf", now, now))
    return token, cookie


def seed(services: Services, url: str, total: int) -> float:
    """Fill the log to ``total`` records by bulk insert, chained and sealed, and sign a checkpoint of it."""
    started = time.perf_counter()
    with services.store.read() as tx:
        existing = list(tx.audit.all())
    frontier, size = extend([], 0, [record_leaf(r.hash) for r in existing])
    prev = existing[-1].hash if existing else "0" * 64
    at0 = datetime.now(UTC) - timedelta(days=30)
    engine = create_engine(url)
    rows = []
    with engine.begin() as conn:
        for seq in range(size + 1, total + 1):
            entry = AuditEntry(
                "ops:operation:read-other", "success", "u-bench", "ag-bench", "operation", f"op-{seq}", LEVEL
            )
            at = at0 + timedelta(milliseconds=seq)
            digest = seal(seq, at, entry, prev)
            rows.append({**record_fields(seq, at, entry, prev), "hash": digest})
            frontier, size = extend(frontier, size, [record_leaf(digest)])
            prev = digest
            if len(rows) == CHUNK:
                conn.execute(insert(audit_log), rows)
                rows = []
        if rows:
            conn.execute(insert(audit_log), rows)
    engine.dispose()
    notary = Ed25519Notary(services.federation.private_key)
    now = datetime.now(UTC).replace(microsecond=0)
    root = root_of(frontier).hex()
    signature = notary.sign(signed_text(size, root, now, prev))
    head = Checkpoint(size, root, now, prev, notary.public_key(), signature, tuple(h.hex() for h in frontier))
    with services.store.write() as tx:
        tx.checkpoints.add(head)
    return time.perf_counter() - started


def timed_ms(client: httpx.Client, path: str, **kw: object) -> float:
    start = time.perf_counter()
    r = client.get(path, **kw)  # type: ignore[arg-type]
    took = (time.perf_counter() - start) * 1000
    assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return took


def measure(url: str, token: str, cookie: str, n: int) -> dict[str, float]:
    """Medians of ``n`` rounds; each round asks all three in turn, so they share the machine's load."""
    with server_process(url) as (_, base), httpx.Client(base_url=base, timeout=120) as client:
        client.cookies.set("cg_session", cookie)
        paths = {
            "healthz": ("/healthz", {}),
            "api": ("/api/v1/audit", {"headers": bearer(token), "params": {"limit": 50}}),
            "page": ("/auditor", {}),
        }
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for round_ in range(n + 5):  # the first five warm up
            for name, (path, kw) in paths.items():
                took = timed_ms(client, path, **kw)
                if round_ >= 5:
                    samples[name].append(took)
        return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for total in sizes:
            url = f"sqlite:///{Path(tmp) / f'audit-{total}.db'}"
            services = build_services(Settings(database_url=url, console_cookie_secure=False))
            try:
                token, cookie = people(services)
                seeded = seed(services, url, total)
            finally:
                services.close()
            times = measure(url, token, cookie, args.requests)
            services = build_services(Settings(database_url=url))
            try:
                start = time.perf_counter()
                verdict = services.audit.verify()
                full = time.perf_counter() - start
            finally:
                services.close()
            assert verdict.intact, verdict.problem
            results.append((total, seeded, times, full, verdict.checked))
            print(f"[{total:,} records seeded in {seeded:.1f} s]", file=sys.stderr, flush=True)
    heads = ("records", "/healthz ms", "GET /api/v1/audit ms", "ratio", "/auditor ms", "ratio")
    print("{:>10} {:>12} {:>21} {:>6} {:>12} {:>6}".format(*heads))
    for total, _, t, _, _ in results:
        api, page = t["api"] / t["healthz"], t["page"] / t["healthz"]
        print(f"{total:>10,} {t['healthz']:>12.2f} {t['api']:>21.2f} {api:>6.1f} {t['page']:>12.2f} {page:>6.1f}")
    for _, _, _, full, checked in results:
        each = full / checked * 1e6
        print(f"full verification (audit verify) of {checked:,} records: {full:.1f} s ({each:.1f} µs a record)")


if __name__ == "__main__":
    main()

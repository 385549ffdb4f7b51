"""Kill -9 between commit and delivery: the outbox still delivers after a restart."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.service.channels import Channels
from tests.conftest import World, bearer, free_port, operation_data, server_process
from tests.integration.notify_receivers import WebhookReceiver


@contextmanager
def serve(url: str, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """The server with loopback webhooks allowed and a quick delivery poll."""
    settings = {"COMMONGROUND_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "COMMONGROUND_NOTIFY_POLL_SECONDS": "0.2"}
    with server_process(url, port=port, env={**settings, **env}, start_timeout=30) as (proc, _):
        yield proc


def wait_for(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _failures_recorded(url: str) -> int:
    """Webhook deliveries whose failed attempt the worker has written down."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        row = db.execute("select count(*) from deliveries where channel = 'webhook' and last_error is not null")
        return int(row.fetchone()[0])


def test_events_committed_before_a_kill_9_are_delivered_after_restart(sqlite_url: str) -> None:
    services = build_services(Settings(database_url=sqlite_url))
    world = World(services)
    city, county = world.agency("local"), world.agency("local")
    a, b = world.person(city, "supervisor"), world.person(county, "supervisor")
    admin = world.person(city, "agency_admin")
    with WebhookReceiver() as hook:
        hook.secret = Channels(services.store, services.clock).put(admin, city.id, {"webhooks": [{"url": hook.url}]})[
            "webhooks"
        ][0]["secret"]
        token_a, token_b = world.token(a), world.token(b)
        services.close()
        port = free_port()

        # 1. The API commits the conflict and its outbox rows, then dies before any delivery.
        with serve(sqlite_url, port, COMMONGROUND_NOTIFY_WORKER="false") as proc:
            base = f"http://127.0.0.1:{port}/api/v1/operations"
            assert httpx.post(base, json=operation_data(), headers=bearer(token_a)).status_code == 201
            second = httpx.post(base, json=operation_data(lon=-93.2640), headers=bearer(token_b))
            assert second.status_code == 201 and second.json()["conflicts"]
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        assert hook.received == []

        # 2. A receiver that fails at first: the restarted worker claims, fails, is killed again.
        hook.statuses = [503] * 3
        with serve(sqlite_url, port, COMMONGROUND_DELIVERY_BACKOFF_SECONDS="3") as proc:
            wait_for(lambda: len(hook.received) >= 1)
            # Killed after the failure is written: a kill mid-send leaves the claim's 60 s lease, which
            # the last step would wait out (a loaded CI machine once killed it that early).
            wait_for(lambda: _failures_recorded(sqlite_url) >= 1)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

        # 3. After the next restart it goes out (the retry waits are not lost either).
        hook.statuses = []
        with serve(sqlite_url, port, COMMONGROUND_DELIVERY_BACKOFF_SECONDS="0.1"):
            wait_for(lambda: any(r["status"] == 200 for r in hook.received), timeout=45)
        ok = [r for r in hook.received if r["status"] == 200]
        assert len(ok) == 1 and ok[0]["valid"]
        assert ok[0]["body"]["data"]["id"] == second.json()["conflicts"][0]["id"]
        assert len({r["key"] for r in hook.received}) == 1

"""``serve --no-worker`` sends nothing; ``commonground worker`` alone delivers what it committed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, bearer, operation_data, server_process
from tests.integration.notify_receivers import WebhookReceiver

FAST = {"COMMONGROUND_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "COMMONGROUND_NOTIFY_POLL_SECONDS": "0.2"}


def test_the_api_without_a_worker_and_the_worker_without_the_api(sqlite_url: str) -> None:
    services = build_services(Settings(database_url=sqlite_url))
    world = World(services)
    city, county = world.agency("local"), world.agency("local")
    a, b, admin = (
        world.person(city, "supervisor"),
        world.person(county, "supervisor"),
        world.person(city, "agency_admin"),
    )
    with WebhookReceiver() as hook:
        hook.secret = services.channels.put(admin, city.id, {"webhooks": [{"url": hook.url}]})["webhooks"][0]["secret"]
        tokens = world.token(a), world.token(b)
        services.close()
        env = {**FAST, "COMMONGROUND_DATABASE_URL": sqlite_url}
        with server_process(sqlite_url, env=FAST, extra_args=["--no-worker"]) as (_, base):
            ready = httpx.get(f"{base}/readyz", timeout=5)
            assert ready.status_code == 200 and {c["name"] for c in ready.json()["checks"]} == {
                "database",
                "migrations",
            }
            first = httpx.post(f"{base}/api/v1/operations", json=operation_data(), headers=bearer(tokens[0]))
            second = httpx.post(
                f"{base}/api/v1/operations", json=operation_data(lon=-93.2640), headers=bearer(tokens[1])
            )
            assert first.status_code == 201 and second.json()["conflicts"]
            time.sleep(1.5)
            assert hook.received == []  # no background here
            worker = subprocess.Popen(
                [sys.executable, "-m", "commonground.cli", "worker"],
                env={**os.environ, **env},
                stderr=subprocess.PIPE,
            )
            try:
                deadline = time.monotonic() + 30
                while not hook.received and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                worker.send_signal(signal.SIGTERM)
                _, err = worker.communicate(timeout=20)
        assert [r["body"]["event"] for r in hook.received] == ["conflict.created"] and hook.received[0]["valid"]
        assert worker.returncode == 0, err[-2000:]
        assert b"worker started" in err and b"DeliveryLoop" in err

"""``/readyz``: ready only while the database answers, migrations are at head and the worker passes."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import create_engine, text

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import LiveServer
from tests.integration.conftest_pg import Cluster, cluster

__all__ = ["cluster"]  # a fixture, imported for pytest


def ready(client: httpx.Client) -> httpx.Response:
    return client.get("/readyz")


def wait_status(client: httpx.Client, status: int, timeout: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        answer = ready(client)
        if answer.status_code == status or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_readyz_turns_503_when_the_database_stops_and_recovers_when_it_returns(cluster: Cluster) -> None:
    services = build_services(Settings(database_url=cluster.url, notify_poll_seconds=0.2, pg_connect_timeout=2))
    try:
        with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            up = wait_status(client, 200)
            assert up.status_code == 200, up.text
            assert up.json()["status"] == "ready"
            assert {c["name"] for c in up.json()["checks"]} == {"database", "migrations", "worker"}

            cluster.stop()
            cluster.wait_down()
            down = ready(client)
            assert down.status_code == 503
            failing = [c for c in down.json()["checks"] if not c["ok"]]
            assert failing and failing[0]["name"] == "database"
            assert client.get("/healthz").status_code == 200  # liveness does not read the store

            cluster.start()
            back = wait_status(client, 200)
            assert back.status_code == 200, back.text
    finally:
        services.close()


def test_readyz_names_migrations_behind_head(sqlite_url: str) -> None:
    services = build_services(Settings(database_url=sqlite_url, notify_worker=False))
    try:
        with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            assert ready(client).status_code == 200
            engine = create_engine(sqlite_url)
            with engine.begin() as conn:
                head = str(conn.execute(text("select version_num from alembic_version")).scalar_one())
                conn.execute(text("update alembic_version set version_num = '0001'"))
            behind = ready(client)
            assert behind.status_code == 503
            [check] = [c for c in behind.json()["checks"] if not c["ok"]]
            assert check["name"] == "migrations" and "0001" in check["detail"]
            with engine.begin() as conn:
                conn.execute(text("update alembic_version set version_num = :v"), {"v": head})
            engine.dispose()
            assert ready(client).status_code == 200
            names = {c["name"] for c in ready(client).json()["checks"]}
            assert names == {"database", "migrations"}  # no worker in this process: not checked
    finally:
        services.close()

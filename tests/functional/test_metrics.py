"""``/metrics``: Prometheus text that its own parser reads, counting what the store holds."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from tests.conftest import LiveServer, World, bearer, operation_data


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


@pytest.fixture
def counted(store_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=store_url, notify_worker=False))
    yield built
    built.close()


def test_metrics_parse_and_count_the_submissions_made(counted: Services) -> None:
    world = World(counted)
    a, b = world.person(world.agency("local"), "supervisor"), world.person(world.agency("local"), "supervisor")
    with LiveServer(counted) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        made = [
            client.post("/api/v1/operations", json=operation_data(lat=44.9 + i / 100), headers=bearer(world.token(a)))
            for i in range(3)
        ]
        made.append(client.post("/api/v1/operations", json=operation_data(lat=44.9), headers=bearer(world.token(b))))
        assert all(r.status_code == 201 for r in made)
        answer = client.get("/metrics")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
        got = samples(answer.text)
        assert got[("commonground_submissions_total", ())] == 4
        assert got[("commonground_conflicts_found_total", ())] == 1
        assert ("commonground_outbox_lag_seconds", ()) in got
        assert ("commonground_audit_chain_length", ()) in got
        requests = {k: v for k, v in got.items() if k[0] == "commonground_http_requests_total"}
        assert requests[("commonground_http_requests_total",
                         (("method", "POST"), ("route", "/api/v1/operations"), ("status", "201")))] == 4  # fmt: skip
        assert any(k[0] == "commonground_http_request_duration_seconds_bucket" for k in got)


def test_metrics_are_refused_off_loopback_without_the_token_and_can_be_switched_off(sqlite_url: str) -> None:
    guarded = build_services(Settings(database_url=sqlite_url, notify_worker=False, metrics_token="m" * 32))
    try:
        with LiveServer(guarded) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            assert client.get("/metrics").status_code == 401
            assert client.get("/metrics", headers=bearer("wrong")).status_code == 401
            assert client.get("/metrics", headers=bearer("m" * 32)).status_code == 200
        guarded.settings.metrics_enabled = False
        with LiveServer(guarded) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            assert client.get("/metrics").status_code == 404
    finally:
        guarded.close()

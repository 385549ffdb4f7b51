"""A retried submission (same Idempotency-Key) answers the first response and creates nothing."""

from __future__ import annotations

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, bearer, operation_data, server_process


def _count_operations(http: httpx.Client, token: str) -> int:
    listed = http.get("/api/v1/operations", headers=bearer(token), params={"limit": 100})
    assert listed.status_code == 200, listed.text
    return len(listed.json()["items"])


def test_a_retried_post_returns_the_same_operation_and_creates_nothing(http: httpx.Client, world: World) -> None:
    token = world.token(world.person(world.agency()))
    body = operation_data()
    headers = bearer(token) | {"Idempotency-Key": "submit-7f3a"}
    first = http.post("/api/v1/operations", json=body, headers=headers)
    again = http.post("/api/v1/operations", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json() == first.json()
    assert _count_operations(http, token) == 1

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


def test_the_same_key_with_another_body_is_refused_naming_the_header(http: httpx.Client, world: World) -> None:
    token = world.token(world.person(world.agency()))
    headers = bearer(token) | {"Idempotency-Key": "submit-once"}
    assert http.post("/api/v1/operations", json=operation_data(), headers=headers).status_code == 201
    other = http.post("/api/v1/operations", json=operation_data(lat=45.1), headers=headers)
    assert other.status_code == 422, other.text
    assert other.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    too_long = bearer(token) | {"Idempotency-Key": "k" * 256}
    refused = http.post("/api/v1/operations", json=operation_data(), headers=too_long)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    assert _count_operations(http, token) == 1


def test_another_caller_may_use_the_same_key_and_a_patch_is_kept_too(http: httpx.Client, world: World) -> None:
    agency = world.agency()
    mine, theirs = world.token(world.person(agency)), world.token(world.person(world.agency()))
    key = {"Idempotency-Key": "shared-name"}
    first = http.post("/api/v1/operations", json=operation_data(), headers=bearer(mine) | key)
    second = http.post("/api/v1/operations", json=operation_data(), headers=bearer(theirs) | key)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    patch = {"Idempotency-Key": "rename-1", "If-Match": "1"}
    path = f"/api/v1/operations/{first.json()['id']}"
    once = http.patch(path, json={"title": "Moved"}, headers=bearer(mine) | patch)
    twice = http.patch(path, json={"title": "Moved"}, headers=bearer(mine) | patch)
    assert once.status_code == 200, once.text
    assert twice.status_code == 200 and twice.json() == once.json()  # not 409 for a stale If-Match
    assert twice.headers["Idempotent-Replayed"] == "true"


def test_a_retry_to_another_server_process_after_a_restart_is_answered_from_the_store(store_url: str) -> None:
    services = build_services(Settings(database_url=store_url))
    world = World(services)
    token = world.token(world.person(world.agency()))
    services.close()
    body = operation_data()
    headers = bearer(token) | {"Idempotency-Key": "timeout-then-retry"}
    with server_process(store_url) as (_, first_base):
        first = httpx.post(f"{first_base}/api/v1/operations", json=body, headers=headers, timeout=30)
    assert first.status_code == 201, first.text
    with server_process(store_url) as (_, second_base):  # another process, after the first one stopped
        again = httpx.post(f"{second_base}/api/v1/operations", json=body, headers=headers, timeout=30)
        with httpx.Client(base_url=second_base, timeout=30) as client:
            count = _count_operations(client, token)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert count == 1

"""Safe retries: a POST repeated with the same ``Idempotency-Key`` answers the first response and does nothing again.

Both stores; the retry goes to a second server process on the same database, as after a
timeout behind a load balancer.
"""

from __future__ import annotations

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.service.ports import OperationFilter
from tests.conftest import World, bearer, operation_data, server_process


def _operations_of(url: str, agency_id: str) -> list[str]:
    services = build_services(Settings(database_url=url))
    try:
        with services.store.read() as tx:
            page = tx.operations.page(OperationFilter(agency_id=agency_id), 100, None)
        return [op.id for op in page.items]
    finally:
        services.close()


def test_a_retried_post_on_another_process_returns_the_first_operation_and_creates_nothing(store_url: str) -> None:
    services = build_services(Settings(database_url=store_url))
    world = World(services)
    agency = world.agency()
    token = world.token(world.person(agency))
    services.close()
    body = operation_data()
    key = {"Idempotency-Key": "retry-7f3a9c1e-0001"}
    with server_process(store_url) as (_, first), server_process(store_url) as (_, second):
        one = httpx.post(f"{first}/api/v1/operations", json=body, headers={**bearer(token), **key}, timeout=60)
        assert one.status_code == 201, one.text
        again = httpx.post(f"{second}/api/v1/operations", json=body, headers={**bearer(token), **key}, timeout=60)
        assert again.status_code == 201, again.text
        assert again.json()["id"] == one.json()["id"]
        assert again.json() == one.json()
        changed = httpx.post(
            f"{second}/api/v1/operations",
            json={**body, "title": "Another warrant"},
            headers={**bearer(token), **key},
            timeout=60,
        )
        assert changed.status_code == 422, changed.text
        assert [d["field"] for d in changed.json()["error"]["details"]] == ["Idempotency-Key"]
        fresh = httpx.post(
            f"{second}/api/v1/operations", json=body, headers={**bearer(token), "Idempotency-Key": "other"}, timeout=60
        )
        assert fresh.status_code == 201 and fresh.json()["id"] != one.json()["id"]
    assert sorted(_operations_of(store_url, agency.id)) == sorted([one.json()["id"], fresh.json()["id"]])


def test_a_retried_patch_changes_once_and_a_bad_key_is_refused_naming_it(http: httpx.Client, world: World) -> None:
    token = world.token(world.person(world.agency()))
    made = http.post("/api/v1/operations", json=operation_data(), headers=bearer(token))
    op_id = made.json()["id"]
    change = {"headers": {**bearer(token), "If-Match": "1", "Idempotency-Key": "patch-1"}, "json": {"title": "Moved"}}
    first = http.patch(f"/api/v1/operations/{op_id}", **change)  # type: ignore[arg-type]
    again = http.patch(f"/api/v1/operations/{op_id}", **change)  # type: ignore[arg-type]
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert http.get(f"/api/v1/operations/{op_id}", headers=bearer(token)).json()["version"] == 2
    for bad in ("x" * 256, "with space"):
        r = http.post("/api/v1/operations", json=operation_data(), headers={**bearer(token), "Idempotency-Key": bad})
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "Idempotency-Key", r.text
    page = http.get("/api/v1/operations", headers=bearer(token)).json()
    assert [op["id"] for op in page["items"]] == [op_id]

"""A delivery that keeps failing is loud: ``delivery.failing`` to the watch and the agency, a list, redelivery."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.service.ports import AuditFilter
from tests.conftest import LiveServer, World, bearer, operation_data
from tests.integration.notify_receivers import WebhookReceiver

FAILING_AFTER_S = 1.5


@pytest.fixture
def loud(store_url: str) -> Iterator[Services]:
    settings = Settings(
        database_url=store_url,
        webhook_allowed_networks="127.0.0.0/8",
        notify_poll_seconds=0.1,
        delivery_backoff_seconds=0.1,
        delivery_backoff_max_seconds=0.3,
        delivery_failing_seconds=FAILING_AFTER_S,
    )
    built = build_services(settings)
    yield built
    built.close()


def wait_for(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def failing_events(hook: WebhookReceiver) -> list[dict[str, Any]]:
    return [r["body"] for r in hook.received if r["body"]["event"] == "delivery.failing"]


def test_a_failing_webhook_is_loud_and_redelivered_once_it_returns(loud: Services) -> None:
    world = World(loud)
    city, county = world.agency("local", name="City PD"), world.agency("local", name="County SO")
    city_admin, sergeant = world.person(city, "agency_admin"), world.person(city, "supervisor")
    deputy, county_admin = world.person(county, "supervisor"), world.person(county, "agency_admin")
    with WebhookReceiver() as broken, WebhookReceiver() as desk, WebhookReceiver() as watch:
        broken.statuses = [503] * 10_000
        city_hooks = loud.channels.put(
            city_admin, city.id, {"webhooks": [{"url": broken.url, "events": ["conflict.created"]}, {"url": desk.url}]}
        )["webhooks"]
        broken.secret, desk.secret = (h["secret"] for h in city_hooks)
        watch.secret = loud.channels.put(world.admin, None, {"webhooks": [{"url": watch.url}]})["webhooks"][0]["secret"]

        with LiveServer(loud) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            admin_token = bearer(world.token(city_admin))
            a = client.post("/api/v1/operations", json=operation_data(), headers=bearer(world.token(sergeant)))
            b = client.post(
                "/api/v1/operations", json=operation_data(lon=-93.2640), headers=bearer(world.token(deputy))
            )
            assert a.status_code == 201 and b.status_code == 201 and b.json()["conflicts"]
            started = time.monotonic()
            wait_for(lambda: broken.received)

            # 1. The watch center hears within the setting (and a pass or two), and so does the
            #    agency, on its other channel, never on the failing one.
            [to_watch] = wait_for(lambda: failing_events(watch), timeout=FAILING_AFTER_S + 10)
            assert time.monotonic() - started < FAILING_AFTER_S + 5
            [to_desk] = wait_for(lambda: failing_events(desk))
            assert failing_events(broken) == []
            for told in (to_watch["data"], to_desk["data"]):
                assert told["agency_id"] == city.id and told["channel"] == "webhook"
                assert broken.url not in str(told)  # ids only: the failing target is not repeated
            delivery_id = to_watch["data"]["delivery_id"]

            # 2. It is listed as failed for the agency's admin, and only for its own agency.
            listed = client.get(
                f"/api/v1/agencies/{city.id}/deliveries", params={"status": "failed"}, headers=admin_token
            )
            assert listed.status_code == 200, listed.text
            [row] = [d for d in listed.json()["items"] if d["id"] == delivery_id]
            assert row["channel"] == "webhook" and row["to"] == broken.url and row["attempts"] >= 2
            assert row["failing_since"] and row["last_error"]
            other = client.get(
                f"/api/v1/agencies/{county.id}/deliveries", params={"status": "failed"}, headers=admin_token
            )
            assert other.status_code == 404
            bad = client.get(f"/api/v1/agencies/{city.id}/deliveries", params={"status": "lost"}, headers=admin_token)
            assert bad.status_code == 422 and "status" in bad.text

            # 3. Once the target answers again, redelivery sends it, and it leaves the failed list.
            broken.statuses = []
            again = client.post(f"/api/v1/deliveries/{delivery_id}/redeliver", headers=admin_token)
            assert again.status_code == 200, again.text
            assert again.json()["status"] == "pending" and again.json()["attempts"] == 0
            wait_for(lambda: any(r["status"] == 200 for r in broken.received))
            keys = {r["key"] for r in broken.received}
            assert len(keys) == 1  # the same idempotency key: the receiver can tell it is a repeat

            def listed_as(status: str) -> bool:
                page = client.get(
                    f"/api/v1/agencies/{city.id}/deliveries", params={"status": status}, headers=admin_token
                )
                return any(d["id"] == delivery_id for d in page.json()["items"])

            wait_for(lambda: listed_as("sent"))  # recorded once the receiver's answer is back
            assert not listed_as("failed")
            assert (
                client.post(
                    f"/api/v1/deliveries/{delivery_id}/redeliver", headers=bearer(world.token(county_admin))
                ).status_code
                == 404
            )
            for odd in ("%C2%B3", "12a", "9" * 30):  # a superscript digit is a digit to str.isdigit, not to int()
                wrong = client.post(f"/api/v1/deliveries/{odd}/redeliver", headers=admin_token)
                assert wrong.status_code == 422 and "delivery_id" in wrong.text, (odd, wrong.text)

        with loud.store.read() as tx:
            actions = [r.entry.action for r in tx.audit.records(AuditFilter(), 1000, None).items]
        assert "notify:delivery:failing" in actions and "admin:delivery:redeliver" in actions

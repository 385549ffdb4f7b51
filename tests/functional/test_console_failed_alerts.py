"""Failed alerts in the console (issue 17, Deliver 4): the watch sees which agency's alerts are failing, live,
and the agency's administrator lists the failed delivery and sends it again once the receiver is back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import LiveServer, World, operation_data
from tests.functional.console_browser import SIZES, browser, context, needs_chromium, person, sign_in
from tests.integration.notify_receivers import WebhookReceiver

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser"]


@pytest.fixture
def loud(sqlite_url: str) -> Iterator[tuple[World, LiveServer]]:
    """An installation whose deliveries give up fast, so a failing webhook is raised within seconds."""
    settings = Settings(
        database_url=sqlite_url,
        console_cookie_secure=False,
        webhook_allowed_networks="127.0.0.0/8",
        notify_poll_seconds=0.1,
        delivery_backoff_seconds=0.1,
        delivery_backoff_max_seconds=0.3,
        delivery_failing_seconds=1.0,
    )
    services = build_services(settings)
    with LiveServer(services) as live:
        yield World(services), live
    services.close()


@SIZES
def test_the_watch_sees_the_failing_agency_and_its_admin_sends_the_alert_again(
    loud: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = loud
    city, county = world.agency("local", name="Lakeside Police"), world.agency("local", name="County Sheriff")
    admin = world.person(city, "agency_admin")
    watcher = person(world, world.agency("state", name="State Watch Center"), "watch")
    with WebhookReceiver() as broken:
        broken.statuses = [503] * 10_000
        hooks = world.services.channels.put(admin, city.id, {"webhooks": [{"url": broken.url}]})["webhooks"]
        broken.secret = hooks[0]["secret"]

        watch_page = context(browser, phone).new_page()
        sign_in(watch_page, live.url, watcher)
        watch_page.goto(live.url + "/watch")
        expect(watch_page.locator("#live")).to_have_text("live")
        assert watch_page.is_hidden("#failing")

        world.services.operations.submit(world.person(city, "supervisor"), operation_data())
        world.services.operations.submit(world.person(county, "supervisor"), operation_data(lon=-93.2640))
        watch_page.wait_for_selector("#failing:not([hidden])", timeout=30_000)
        banner = watch_page.inner_text("#failing")
        assert "Lakeside Police" in banner and "webhook failing" in banner
        assert broken.url not in banner  # the alert carries ids only; the target stays the agency's

        admin_page = context(browser, phone).new_page()
        sign_in(admin_page, live.url, person(world, city, "agency_admin"))
        admin_page.goto(live.url + "/admin")
        admin_page.wait_for_selector("#failed-deliveries [data-redeliver]", timeout=20_000)
        row = admin_page.inner_text("#failed-deliveries tbody tr")
        assert broken.url in row and "webhook" in row
        broken.statuses = []  # the receiver is back
        before = len(broken.received)
        while (again := admin_page.query_selector("#failed-deliveries [data-redeliver]:not([disabled])")) is not None:
            again.click()
            admin_page.wait_for_selector("#failed p.ok")
        deadline = time.monotonic() + 20
        while not [r for r in broken.received[before:] if r["valid"]]:
            assert time.monotonic() < deadline, "the redelivered alert never arrived"
            time.sleep(0.1)
        admin_page.reload()
        admin_page.wait_for_selector("#failed p.hint, #failed-deliveries")
        deadline = time.monotonic() + 20
        while admin_page.query_selector("#failed-deliveries [data-redeliver]") is not None:
            assert time.monotonic() < deadline, "the delivery stayed listed as failed after it was sent"
            time.sleep(0.5)
            admin_page.reload()
            admin_page.wait_for_selector("#failed p.hint, #failed-deliveries")
        assert "No failed alerts." in admin_page.inner_text("#failed")
    with world.services.store.read() as tx:
        assert "admin:delivery:redeliver" in {r.entry.action for r in tx.audit.all()}

"""The delivery use-case against a real webhook receiver and SMTP server on loopback, and the stand-ins."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from commonground.bootstrap import Services, build_deliveries, build_services
from commonground.config import Settings
from commonground.notify.senders import RecordingWebhookSender
from commonground.service.channels import Channels
from commonground.service.delivery import Deliveries
from commonground.service.principal import Principal
from tests.conftest import SOON, World, operation_data, wire
from tests.integration.notify_receivers import SmtpServer, WebhookReceiver, parts


def configure(services: Services, smtp: SmtpServer | None = None) -> None:
    services.settings.webhook_allowed_networks = "127.0.0.0/8"
    services.settings.delivery_backoff_seconds = 0.05
    if smtp is not None:
        services.settings.smtp_host, services.settings.smtp_port = "127.0.0.1", smtp.port
        services.settings.smtp_security = "none"


def deliveries(services: Services) -> Deliveries:
    """The delivery use-case wired from the settings as ``configure`` left them."""
    return build_deliveries(services.settings, services.store, services.clock)


def test_a_conflict_reaches_the_agency_webhook_and_mailbox_once(services: Services, world: World) -> None:
    fed, city = world.agency("federal", name="Federal Task Force"), world.agency("local", name="City PD")
    agent, sergeant, city_admin = (
        world.person(fed, "officer"),
        world.person(city, "supervisor"),
        world.person(city, "agency_admin"),
    )
    with WebhookReceiver() as hook, SmtpServer() as smtp:
        configure(services, smtp)
        channels = Channels(services.store, services.clock)
        settings = channels.put(
            city_admin,
            city.id,
            {
                "webhooks": [{"url": hook.url, "events": ["conflict.created"]}],
                "emails": [{"address": "watch-desk@city.example.gov"}],
            },
        )
        hook.secret = settings["webhooks"][0]["secret"]
        assert "secret" not in channels.get(city_admin, city.id)["webhooks"][0]
        worker = deliveries(services)
        services.operations.submit(agent, operation_data())
        _, found = wire(services.operations.submit(sergeant, operation_data(lon=-93.2640)))
        assert worker.run_once() == 2

        [call] = hook.received
        assert call["valid"] and call["body"]["event"] == "conflict.created"
        assert call["key"] == call["body"]["id"] and call["key"].endswith(f":webhook:{hook.url}")
        data = call["body"]["data"]
        assert data["id"] == found[0]["id"] and data["counterpart"]["agency"]["name"] == "Federal Task Force"
        assert data["counterpart"]["level_disclosed"] == "safety" and "title" not in data["counterpart"]

        [mail] = smtp.inbox.messages
        assert mail["To"] == "watch-desk@city.example.gov"
        text, html = parts(mail)
        assert "+1 612 555 0100" in text and 'href="tel:+16125550100"' in html
        assert "Warrant service" not in text + html  # the federal title never crosses at `safety`
        # Times as the city's desk lives them: its zone (America/Chicago) with the offset, not UTC ISO.
        local = SOON.astimezone(ZoneInfo(city.timezone))
        said = f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname()} (UTC{local:%z}"[:-2]
        assert said in text and said in html, text
        assert SOON.isoformat()[:16] not in text

        # at least once, but not again once it was sent
        assert worker.run_once() == 0 and len(hook.received) == 1

        view = wire(services.conflicts.get(sergeant, found[0]["id"]))
        told = {(d["channel"], d["status"]) for d in view["deliveries"]}
        assert ("webhook", "sent") in told and ("email", "sent") in told
        assert all(d["side"] == "yours" and d["sent_at"] for d in view["deliveries"])
        theirs = wire(services.conflicts.get(agent, found[0]["id"]))["deliveries"]
        assert theirs and all("to" not in d for d in theirs)


def test_failures_are_retried_with_backoff_and_private_targets_refused(services: Services, world: World) -> None:
    city = world.agency("local")
    sergeant, admin = world.person(city, "supervisor"), world.person(city, "agency_admin")
    other = world.person(world.agency("local"), "supervisor")
    with WebhookReceiver() as hook:
        configure(services)
        hook.secret = Channels(services.store, services.clock).put(admin, city.id, {"webhooks": [{"url": hook.url}]})[
            "webhooks"
        ][0]["secret"]
        hook.statuses = [503, 500]
        worker = deliveries(services)
        services.operations.submit(sergeant, operation_data())
        _, found = wire(services.operations.submit(other, operation_data(lon=-93.2640)))
        assert worker.run_once() == 0
        time.sleep(0.06)
        assert worker.run_once() == 0  # second failure; the wait doubles
        time.sleep(0.15)
        assert worker.run_once() == 1
        assert [r["status"] for r in hook.received] == [503, 500, 200]
        assert len({r["key"] for r in hook.received}) == 1  # one idempotency key for every attempt
        [d] = [
            d for d in wire(services.conflicts.get(sergeant, found[0]["id"]))["deliveries"] if d["channel"] == "webhook"
        ]
        assert d["attempts"] == 3 and d["status"] == "sent"

        services.settings.webhook_allowed_networks = ""
        strict = deliveries(services)
        services.operations.submit(sergeant, operation_data(lat=45.2, lon=-93.1))
        services.operations.submit(other, operation_data(lat=45.2, lon=-93.1005))
        strict.run_once()
        assert len(hook.received) == 3
        failed = [
            d
            for c in wire(services.conflicts.list(sergeant, None, 10, None)).items
            for d in wire(services.conflicts.get(sergeant, c["id"]))["deliveries"]
            if d["status"] == "failed"
        ]
        assert failed and "refused" in failed[0]["last_error"]


@dataclass
class PendingRetry:
    """A city's webhook whose first attempt failed (503): a retry is due."""

    hook: WebhookReceiver
    channels: Channels
    admin: Principal
    sergeant: Principal
    worker: Deliveries
    conflict_id: str


@contextmanager
def a_pending_retry(services: Services, world: World) -> Iterator[PendingRetry]:
    city = world.agency("local")
    sergeant, admin = world.person(city, "supervisor"), world.person(city, "agency_admin")
    other = world.person(world.agency("local"), "supervisor")
    with WebhookReceiver() as hook:
        configure(services)
        channels = Channels(services.store, services.clock)
        hook.secret = channels.put(admin, city.id, {"webhooks": [{"url": hook.url}]})["webhooks"][0]["secret"]
        hook.statuses = [503]
        worker = deliveries(services)
        services.operations.submit(sergeant, operation_data())
        _, found = wire(services.operations.submit(other, operation_data(lon=-93.2640)))
        assert worker.run_once() == 0  # the first attempt fails; a retry is due
        yield PendingRetry(hook, channels, admin, sergeant, worker, found[0]["id"])


def test_a_retry_still_signs_after_an_admin_changes_the_other_channels(services: Services, world: World) -> None:
    """Every PUT gave every channel a new id, and a retry looks its channel up by id: the webhook's
    pending retry went out signed with an empty secret after an admin only added an e-mail address."""
    with a_pending_retry(services, world) as pending:
        hooks, mails = [{"url": pending.hook.url}], [{"address": "desk@city.example.gov"}]
        pending.channels.put(pending.admin, pending.admin.agency.id, {"webhooks": hooks, "emails": mails})
        time.sleep(0.06)
        assert pending.worker.run_once() == 1
        assert [(r["status"], r["valid"]) for r in pending.hook.received] == [(503, True), (200, True)]


def test_a_retry_for_a_removed_webhook_fails_saying_so_and_is_not_sent(services: Services, world: World) -> None:
    with a_pending_retry(services, world) as pending:
        pending.channels.put(pending.admin, pending.admin.agency.id, {"webhooks": []})
        time.sleep(0.06)
        assert pending.worker.run_once() == 0
        assert [r["status"] for r in pending.hook.received] == [503]  # not sent again, signed or not
        seen = wire(services.conflicts.get(pending.sergeant, pending.conflict_id))["deliveries"]
        [d] = [d for d in seen if d["channel"] == "webhook"]
        assert d["status"] == "failed" and "channel was removed" in d["last_error"]


def test_the_wired_recording_sender_keeps_the_webhook_and_the_null_one_drops_the_mail(store_url: str) -> None:
    services = build_services(Settings(database_url=store_url, webhook_sender="recording", email_sender="null"))
    try:
        world = World(services)
        city = world.agency("local")
        admin, sergeant = world.person(city, "agency_admin"), world.person(city, "supervisor")
        other = world.person(world.agency("local"), "supervisor")
        url = "https://cad.city.example.gov/cg"
        services.channels.put(admin, city.id, {"webhooks": [{"url": url}], "emails": [{"address": "desk@city.gov"}]})
        services.operations.submit(sergeant, operation_data())
        _, found = services.operations.submit(other, operation_data(lon=-93.2640))
        assert services.deliveries.run_once() == 2  # the dropped mail counts as sent: nothing to retry
        assert isinstance(services.webhooks, RecordingWebhookSender)
        [sent] = services.webhooks.sent
        assert sent.target == url and sent.key == sent.body["id"] and sent.body["data"]["id"] == found[0].id
    finally:
        services.close()

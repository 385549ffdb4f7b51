"""Webhook deliveries carry Standard Webhooks headers that the `standardwebhooks` library verifies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.notify.webhook import HttpWebhookSender, parse_networks
from commonground.service.clock import ManualClock
from tests.conftest import LiveServer, World, bearer
from tests.integration.notify_receivers import WebhookReceiver

LOOPBACK = parse_networks("127.0.0.0/8")
SECRET = "channel-secret-0123456789"


def _delivered(body: dict[str, object]) -> dict[str, object]:
    with WebhookReceiver() as receiver:
        receiver.secret = SECRET
        HttpWebhookSender(5, LOOPBACK).send(receiver.url, SECRET, json.dumps(body).encode(), "delivery-42")
        [got] = receiver.received
    return got


def test_the_library_verifies_a_delivery_and_refuses_it_altered() -> None:
    got = _delivered({"event": "conflict.created", "id": "c-1"})
    headers: dict[str, str] = got["headers"]  # type: ignore[assignment]
    raw: bytes = got["raw"]  # type: ignore[assignment]
    assert headers["webhook-id"] == "delivery-42" and headers["webhook-timestamp"].isdigit()
    assert headers["webhook-signature"].startswith("v1,")
    as_documented = Webhook("whsec_" + base64.b64encode(SECRET.encode()).decode())
    assert as_documented.verify(raw, headers) == {"event": "conflict.created", "id": "c-1"}
    assert Webhook(SECRET.encode()).verify(raw, headers)["id"] == "c-1"
    with pytest.raises(WebhookVerificationError):
        as_documented.verify(raw.replace(b"c-1", b"c-2"), headers)
    with pytest.raises(WebhookVerificationError):
        as_documented.verify(raw, headers | {"webhook-id": "delivery-43"})
    with pytest.raises(WebhookVerificationError):
        Webhook(b"another-secret").verify(raw, headers)
    assert got["valid"] is True  # the deprecated X-CommonGround-Signature still verifies for one version


def test_the_test_event_reaches_the_agency_webhook_signed_and_is_audited(sqlite_url: str) -> None:
    services = build_services(Settings(database_url=sqlite_url, webhook_allowed_networks="127.0.0.0/8"))
    try:
        world = World(services)
        agency = world.agency()
        admin = bearer(world.token(world.person(agency, "agency_admin")))
        with WebhookReceiver() as receiver, LiveServer(services) as live, httpx.Client(base_url=live.url) as http:
            receiver.secret = SECRET
            hooks = {"webhooks": [{"url": receiver.url, "secret": SECRET}]}
            assert http.put(f"/api/v1/agencies/{agency.id}/channels", json=hooks, headers=admin).status_code == 200
            sent = http.post(f"/api/v1/agencies/{agency.id}/channels/test", headers=admin)
            assert sent.status_code == 200, sent.text
            assert sent.json() == {"results": [{"url": receiver.url, "delivered": True, "error": None}]}
            stranger = bearer(world.token(world.person(world.agency(), "agency_admin")))
            assert http.post(f"/api/v1/agencies/{agency.id}/channels/test", headers=stranger).status_code == 404
            [got] = receiver.received
        verified = Webhook(SECRET.encode()).verify(got["raw"], got["headers"])
        assert verified["event"] == "test" and verified["data"] == {"agency_id": agency.id}
        with services.store.read() as tx:
            tested = [r.entry for r in tx.audit.all() if r.entry.action == "admin:channels:test"]
        assert len(tested) == 1 and tested[0].details == {"delivered": 1, "failed": 0}
    finally:
        services.close()


def test_during_a_secret_rollover_both_secrets_verify_and_only_the_new_one_after(sqlite_url: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    services = build_services(Settings(database_url=sqlite_url, webhook_allowed_networks="127.0.0.0/8"), clock=clock)
    old, new = "old-secret-0123456789abcdef", "new-secret-0123456789abcdef"
    try:
        world = World(services)
        agency = world.agency()
        admin = bearer(world.token(world.person(agency, "agency_admin")))
        path = f"/api/v1/agencies/{agency.id}/channels"
        with WebhookReceiver() as receiver, LiveServer(services) as live, httpx.Client(base_url=live.url) as http:
            for secret in (old, new):  # the admin rotates the secret
                put = http.put(path, json={"webhooks": [{"url": receiver.url, "secret": secret}]}, headers=admin)
                assert put.status_code == 200, put.text
            http.put(path, json={"webhooks": [{"url": receiver.url}]}, headers=admin)  # an unrelated edit keeps it
            [shown] = http.get(path, headers=admin).json()["webhooks"]
            assert shown["previous_secret_until"] is not None  # the admin sees when the old one stops
            assert http.post(f"{path}/test", headers=admin).status_code == 200
            clock.advance(timedelta(hours=25))  # the rollover is over
            assert http.post(f"{path}/test", headers=admin).status_code == 200
            [shown] = http.get(path, headers=admin).json()["webhooks"]
            during, after = receiver.received
        assert shown.get("previous_secret_until") is None
        for secret in (old, new):
            assert Webhook(secret.encode()).verify(during["raw"], during["headers"])["event"] == "test"
        with pytest.raises(WebhookVerificationError):
            Webhook(b"a third secret, never set").verify(during["raw"], during["headers"])
        assert Webhook(new.encode()).verify(after["raw"], after["headers"])["event"] == "test"
        with pytest.raises(WebhookVerificationError):
            Webhook(old.encode()).verify(after["raw"], after["headers"])  # a day later the old secret is gone
    finally:
        services.close()

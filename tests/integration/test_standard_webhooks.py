"""Webhook deliveries carry Standard Webhooks headers that the `standardwebhooks` library verifies."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.notify.webhook import HttpWebhookSender, parse_networks
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

"""Webhook deliveries carry Standard Webhooks headers that the `standardwebhooks` library verifies."""

from __future__ import annotations

import base64
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from commonground.notify.webhook import HttpWebhookSender, parse_networks
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

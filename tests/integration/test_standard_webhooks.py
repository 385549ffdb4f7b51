"""Standard Webhooks: a delivery verifies with the ``standardwebhooks`` library, and fails once altered."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from commonground.bootstrap import Services
from commonground.service.channels import Channels
from tests.conftest import World, operation_data
from tests.integration.notify_receivers import WebhookReceiver
from tests.integration.test_notify_delivery import configure, deliveries


def test_a_delivery_verifies_with_the_standard_webhooks_library_and_fails_when_altered(
    services: Services, world: World
) -> None:
    fed, city = world.agency("federal"), world.agency("local")
    agent, sergeant, admin = world.person(fed, "officer"), world.person(city), world.person(city, "agency_admin")
    with WebhookReceiver() as hook:
        configure(services)
        hook.secret = Channels(services.store, services.clock).put(
            admin, city.id, {"webhooks": [{"url": hook.url, "events": ["conflict.created"]}]}
        )["webhooks"][0]["secret"]
        services.operations.submit(agent, operation_data())
        services.operations.submit(sergeant, operation_data(lon=-93.2640))
        assert deliveries(services).run_once() == 1
    [call] = hook.received
    headers = {k.lower(): v for k, v in call["headers"].items()}
    assert headers["webhook-id"] == call["key"] and call["valid"]  # the deprecated header still verifies
    receiver = Webhook(hook.secret.encode())  # the channel secret's bytes; or "whsec_" + its base64
    assert receiver.verify(call["raw"], headers) == call["body"]
    altered = json.dumps({**call["body"], "event": "conflict.resolved"}).encode()
    for body, changed in ((altered, headers), (call["raw"], {**headers, "webhook-id": "another"})):
        with pytest.raises(WebhookVerificationError):
            receiver.verify(body, changed)
    with pytest.raises(WebhookVerificationError):
        Webhook(b"not the channel secret at all").verify(call["raw"], headers)


def test_during_a_secret_rollover_both_secrets_verify_and_only_the_new_one_after(
    services: Services, world: World
) -> None:
    fed, city = world.agency("federal"), world.agency("local")
    agent, sergeant, admin = world.person(fed, "officer"), world.person(city), world.person(city, "agency_admin")
    old, new = "old-secret-0123456789abcdef", "new-secret-0123456789abcdef"
    channels = Channels(services.store, services.clock)
    with WebhookReceiver() as hook:
        configure(services)
        channels.put(admin, city.id, {"webhooks": [{"url": hook.url, "secret": old}]})
        channels.put(admin, city.id, {"webhooks": [{"url": hook.url, "secret": new}]})  # rotated
        channels.put(admin, city.id, {"webhooks": [{"url": hook.url}]})  # an unrelated edit keeps the rollover
        hook.secret = new
        services.operations.submit(agent, operation_data())
        services.operations.submit(sergeant, operation_data(lon=-93.2640))
        assert deliveries(services).run_once() == 1
    [call] = hook.received
    headers = {k.lower(): v for k, v in call["headers"].items()}
    for secret in (old, new):
        assert Webhook(secret.encode()).verify(call["raw"], headers) == call["body"]
    with pytest.raises(WebhookVerificationError):
        Webhook(b"a third secret, never set").verify(call["raw"], headers)
    with services.store.read() as tx:
        [channel] = tx.channels.of_agency(city.id)
    assert channel.secret == new and channel.rollover(services.clock.now()) == (old,)
    assert channel.previous_until is not None and channel.rollover(channel.previous_until) == ()  # a day later

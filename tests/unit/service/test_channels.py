"""Channel use-cases: who sets where an agency (or the watch center) hears of events, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted
from commonground.domain.model import Agency
from commonground.domain.notifications import Channel, ChannelKind
from commonground.service.channels import Channels
from commonground.service.principal import Principal
from tests.conftest import World
from tests.unit.service.helpers import audit_of

HOOK = "https://cad.example.org/commonground"
BODY = {"webhooks": [{"url": HOOK, "events": ["conflict.created"]}], "emails": [{"address": "desk@example.org"}]}


@pytest.fixture
def channels(services: Services) -> Channels:
    return Channels(services.store, services.clock)


@pytest.fixture
def agency(world: World) -> Agency:
    return world.agency()


@pytest.fixture
def admin(world: World, agency: Agency) -> Principal:
    return world.person(agency, "agency_admin")


def stored(services: Services, agency_id: str | None) -> list[Channel]:
    with services.store.read() as tx:
        return tx.channels.of_agency(agency_id)


def test_an_agency_admin_replaces_its_channels_and_a_webhook_keeps_its_secret(
    channels: Channels, services: Services, agency: Agency, admin: Principal
) -> None:
    """Channels are stored as given, a secret is made when none is, kept on a later put, and each put is audited."""
    channels.put(admin, agency.id, BODY)
    first = stored(services, agency.id)
    assert [(c.kind, c.target, c.events) for c in first] == [
        (ChannelKind.EMAIL, "desk@example.org", frozenset()),
        (ChannelKind.WEBHOOK, HOOK, frozenset({"conflict.created"})),
    ]
    secret = first[1].secret
    assert secret is not None and len(secret) >= 16
    channels.put(admin, agency.id, {"webhooks": [{"url": HOOK}]})
    [kept] = stored(services, agency.id)
    assert kept.secret == secret and kept.events == frozenset()
    channels.put(admin, agency.id, {"webhooks": [{"url": HOOK, "secret": "a-new-secret-of-24-chars"}]})
    assert [c.secret for c in stored(services, agency.id)] == ["a-new-secret-of-24-chars"]
    records = audit_of(services, Action.CHANNELS_UPDATE)
    assert [(r.actor_user_id, r.object_id) for r in records] == [(admin.user.id, agency.id)] * 3
    # Targets are kept as keyed hashes: the same target reads the same in every record, and never in clear.
    kinds = [[c["kind"] for c in r.details["channels"]] for r in records if r.details]
    targets = [[c["target"] for c in r.details["channels"]] for r in records if r.details]
    assert kinds == [["webhook", "email"], ["webhook"], ["webhook"]]
    assert targets[0][0] == targets[1][0] == targets[2][0] != targets[0][1]
    assert all(t.startswith("hmac:") and len(t) == 69 for t in targets[0])
    assert HOOK not in str(records) and "desk@example.org" not in str(records)


def test_a_channel_that_stays_keeps_its_id_and_one_listed_twice_is_still_stored(
    channels: Channels, services: Services, agency: Agency, admin: Principal
) -> None:
    """Pending retries find their channel by id; a put that lists a kept webhook twice must not reuse it twice."""
    channels.put(admin, agency.id, BODY)
    before = {(c.kind, c.target): (c.id, c.created_at) for c in stored(services, agency.id)}
    twice = {"webhooks": [{"url": HOOK}, {"url": HOOK}], "emails": [{"address": "night@example.org"}]}
    channels.put(admin, agency.id, twice)
    after = stored(services, agency.id)
    hooks = [(c.id, c.created_at) for c in after if c.kind is ChannelKind.WEBHOOK]
    assert len(hooks) == 2 and before[ChannelKind.WEBHOOK, HOOK] in hooks and hooks[0][0] != hooks[1][0]
    [mail] = [c for c in after if c.kind is ChannelKind.EMAIL]
    assert mail.id != before[ChannelKind.EMAIL, "desk@example.org"][0]  # a new address is a new channel


def test_only_the_agencys_admin_sees_or_sets_its_channels(
    world: World, channels: Channels, services: Services, agency: Agency
) -> None:
    """Another agency's administrator and the agency's own supervisor find nothing; nothing is stored."""
    for who in (world.person(world.agency(), "agency_admin"), world.person(agency, "supervisor"), world.admin):
        with pytest.raises(NotFound):
            channels.put(who, agency.id, BODY)
        with pytest.raises(NotFound):
            channels.get(who, agency.id)
    assert stored(services, agency.id) == []
    assert audit_of(services, Action.CHANNELS_UPDATE) == []


def test_the_watch_centers_channels_are_the_installation_admins(
    world: World, channels: Channels, services: Services, admin: Principal
) -> None:
    """Only the installation admin sets the channels with no agency; they are stored apart from any agency's."""
    with pytest.raises(NotPermitted):
        channels.put(admin, None, BODY)
    channels.put(world.admin, None, BODY)
    assert [c.target for c in stored(services, None)] == ["desk@example.org", HOOK]
    assert stored(services, admin.agency.id) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"webhooks": [{"url": "ftp://cad.example.org/in"}]}, "webhooks.0.url"),
        ({"webhooks": [{"url": "https://user:pw@cad.example.org/in"}]}, "webhooks.0.url"),
        ({"webhooks": [{"url": HOOK, "secret": "too-short"}]}, "webhooks.0.secret"),
        ({"webhooks": [{"url": HOOK, "events": ["conflict.exploded"]}]}, "webhooks.0.events"),
        ({"emails": [{"address": "desk@example.org"}, {"address": "not an address"}]}, "emails.1.address"),
        ({"emails": [{"address": "desk@example.org", "events": "all"}]}, "emails.0.events"),
        ({"emails": [{"address": f"d{i}@example.org"} for i in range(21)]}, "webhooks"),
    ],
)
def test_a_refused_channel_is_named_and_the_old_ones_stay(
    channels: Channels, services: Services, agency: Agency, admin: Principal, body: dict[str, Any], field: str
) -> None:
    """A bad entry names its field, and the channels already set are left as they were."""
    channels.put(admin, agency.id, BODY)
    before = stored(services, agency.id)
    with pytest.raises(InvalidInput) as refused:
        channels.put(admin, agency.id, body)
    assert refused.value.field == field
    assert stored(services, agency.id) == before
    assert len(audit_of(services, Action.CHANNELS_UPDATE)) == 1


def test_tak_servers_and_cad_endpoints_are_stored_beside_the_webhooks(
    channels: Channels, services: Services, agency: Agency, admin: Principal
) -> None:
    """A CAD endpoint keeps its secret like a webhook of the same URL would; a TAK server is host, port and TLS."""
    body = {
        **BODY,
        "tak": [{"host": "tak.example.org", "port": 8089, "tls": True, "events": ["notice.created"]}],
        "cad": [{"url": HOOK}],
    }
    shown = channels.put(admin, agency.id, body)
    assert shown["tak"] == [{"host": "tak.example.org", "port": 8089, "tls": True, "events": ["notice.created"]}]
    [cad] = shown["cad"]
    assert cad["url"] == HOOK and cad["secret_set"] and len(cad["secret"]) >= 16
    assert cad["secret"] != shown["webhooks"][0]["secret"]  # the same URL as a webhook: its own secret
    kinds = {c.kind: c.target for c in stored(services, agency.id)}
    assert kinds[ChannelKind.TAK] == "tls://tak.example.org:8089" and kinds[ChannelKind.CAD] == HOOK
    again = channels.put(admin, agency.id, {"cad": [{"url": HOOK}], "tak": []})
    assert again["cad"][0]["secret"] == cad["secret"] and again["tak"] == [] and again["webhooks"] == []
    assert "secret" not in channels.get(admin, agency.id)["cad"][0]
    [*_, last] = audit_of(services, Action.CHANNELS_UPDATE)
    assert [c["kind"] for c in (last.details or {})["channels"]] == ["cad"]


def test_a_client_that_knows_only_webhooks_and_email_keeps_the_tak_and_cad_channels(
    channels: Channels, services: Services, agency: Agency, admin: Principal
) -> None:
    """``tak`` or ``cad`` absent: kept as they were (same ids, the CAD secret not shown again); ``[]`` removes."""
    channels.put(admin, agency.id, {"tak": [{"host": "tak.example.org", "port": 8087}], "cad": [{"url": HOOK}]})
    before = {c.kind: c for c in stored(services, agency.id)}
    shown = channels.put(admin, agency.id, BODY)  # what the console and v1 clients send
    assert shown["tak"] == [{"host": "tak.example.org", "port": 8087, "tls": False, "events": []}]
    assert shown["cad"] == [{"url": HOOK, "events": [], "secret_set": True}]
    after = {c.kind: c for c in stored(services, agency.id)}
    assert after[ChannelKind.TAK] == before[ChannelKind.TAK] and after[ChannelKind.CAD] == before[ChannelKind.CAD]
    assert set(after) == {ChannelKind.TAK, ChannelKind.CAD, ChannelKind.WEBHOOK, ChannelKind.EMAIL}
    channels.put(admin, agency.id, {**BODY, "tak": [], "cad": []})
    assert {c.kind for c in stored(services, agency.id)} == {ChannelKind.WEBHOOK, ChannelKind.EMAIL}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tak": [{"host": "tak.example.org", "port": 0}]}, "tak.0.port"),
        ({"tak": [{"host": "tak.example.org", "port": True}]}, "tak.0.port"),
        ({"tak": [{"host": "a b", "port": 8089}]}, "tak.0.host"),
        ({"tak": [{"host": "tak.example.org:8089", "port": 8089}]}, "tak.0.host"),
        ({"tak": [{"host": "fe80::1%eth0", "port": 8089}]}, "tak.0.host"),
        ({"tak": [{"host": "tak.example.org", "port": 8089, "tls": 1}]}, "tak.0.tls"),
        ({"tak": [{"host": "tak.example.org", "port": 8089, "events": ["cad.alert.created"]}]}, "tak.0.events"),
        ({"cad": [{"url": "mailto:x@example.org"}]}, "cad.0.url"),
        ({"cad": [{"url": HOOK, "events": ["notice.created"]}]}, "cad.0.events"),
    ],
)
def test_a_bad_tak_or_cad_channel_is_refused_naming_its_field(
    channels: Channels, services: Services, agency: Agency, admin: Principal, body: dict[str, Any], field: str
) -> None:
    channels.put(admin, agency.id, BODY)
    with pytest.raises(InvalidInput) as refused:
        channels.put(admin, agency.id, body)
    assert refused.value.field == field
    assert len(stored(services, agency.id)) == 2


def test_the_watch_center_has_no_tak_or_cad_channels(channels: Channels, world: World) -> None:
    for body, field in (
        ({"tak": [{"host": "tak.example.org", "port": 8089}]}, "tak"),
        ({"cad": [{"url": HOOK}]}, "cad"),
    ):
        with pytest.raises(InvalidInput) as refused:
            channels.put(world.admin, None, body)
        assert refused.value.field == field

"""CAD channels: a 911 centre's CAD endpoint on loopback receives premise alerts created, updated and expired.

Issue 15 item 3, the pushed half of the feed. The receiver is a real HTTP server; each push is verified
with the ``standardwebhooks`` library, as a CAD integrator would.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.model import OperationStatus
from tests.conftest import LiveServer, World, bearer, operation_data, wire
from tests.integration.notify_receivers import WebhookReceiver
from tests.integration.test_tak_channels import FAR, SECRETS, SPOT, channels_api, square

SECRET = "cad-secret-0123456789abcdef"
LEAKS = ("NIGHTJAR", "QUIXOTE", "Quixotesque", "Zebulon", "ZEBULON", "informant", "1 Test Plaza", "search_warrant")


def test_the_cad_gets_each_alert_created_updated_and_expired_signed(store_url: str) -> None:
    services = build_services(
        Settings(database_url=store_url, webhook_allowed_networks="127.0.0.0/8", notify_worker=False)
    )
    try:
        _run(services)
    finally:
        services.close()


def _run(services: Services) -> None:
    world = World(services)
    county = world.agency("local", name="Hennepin County 911")
    services.accounts.set_jurisdiction(world.admin, county.id, square(*SPOT))
    admin = world.person(county, "agency_admin")
    feds = world.agency("federal", name="ICE ERO St. Paul")
    agent = world.person(feds, "supervisor")
    with WebhookReceiver() as cad:
        cad.secret = SECRET
        shown = services.channels.put(admin, county.id, {"cad": [{"url": cad.url, "secret": SECRET}]})
        assert shown["cad"] == [{"url": cad.url, "events": [], "secret_set": True, "secret": SECRET}]
        school = {"type": "Point", "coordinates": [SPOT[1] + 0.0005, SPOT[0]]}  # about 40 m east
        places = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": school,
                  "properties": {"category": "school", "name": "Whittier School"}}]}  # fmt: skip
        services.sensitive_places.put(admin, county.id, places)
        op = wire(services.operations.submit(agent, operation_data(*SPOT, **SECRETS)))[0]
        wire(services.operations.submit(agent, operation_data(*FAR, **SECRETS)))  # outside the county: no alert
        assert services.deliveries.run_once() == 1
        later = (
            datetime.fromisoformat(op["window"]["ends_at"].replace("Z", "+00:00")) + timedelta(hours=1)
        ).isoformat()
        patch = {"ends_at": later, "team": {"personnel": 9, "attire": "uniform"}}  # a new time: an update notice
        services.operations.update(agent, op["id"], patch, if_match=1)
        assert services.deliveries.run_once() == 1
        services.operations.finish(agent, op["id"], OperationStatus.COMPLETED)
        assert services.deliveries.run_once() == 1
        assert services.deliveries.run_once() == 0  # each sent once

        got = cad.received
        verifier = Webhook(SECRET.encode())
        bodies = [verifier.verify(r["raw"], r["headers"]) for r in got]
        assert [b["event"] for b in bodies] == ["cad.alert.created", "cad.alert.updated", "cad.alert.expired"]
        assert all(r["valid"] for r in got)  # the deprecated signature header too, as for webhooks
        with pytest.raises(WebhookVerificationError):
            verifier.verify(
                got[0]["raw"].replace(b"Hennepin", b"Ramsey").replace(b"ICE ERO", b"ICE ER0"), got[0]["headers"]
            )
        created, updated, expired = (b["data"] for b in bodies)
        for alert in (created, updated, expired):
            assert alert["alert"]["id"] == op["id"] and alert["$id"] == f"urn:commonground:alert:{op['id']}"
            assert alert["operation"]["level_disclosed"] == "safety"
            assert alert["agencyComponent"][0]["agencyName"] == "ICE ERO St. Paul"
            assert alert["agencyComponent"][0]["contactPhone"] == "+1 612 555 0100"
        assert created["alert"]["status"] == "upcoming" and created["messageKind"] == "Report"
        # The school near the operation leads the dispatcher's note, as it leads the host's notice.
        assert created["notesComponent"][0]["noteText"].startswith("SENSITIVE PLACES NEARBY: Whittier School (school,")
        assert [p["name"] for p in created["operation"]["sensitive_places"]] == ["Whittier School"]
        assert (
            updated["operation"]["team"]["personnel"] == 9 and "9 officers" in updated["notesComponent"][0]["noteText"]
        )
        assert expired["alert"]["status"] == "expired" and expired["messageKind"] == "Cancel"
        assert expired["incidentComponent"][0]["incidentStatusCommonRegistryText"] == "Closed"
        # Times a dispatcher reads are in the county's zone, with it said.
        assert "CST" in created["notesComponent"][0]["noteText"] or "CDT" in created["notesComponent"][0]["noteText"]

        # The insider check: nothing above `safety` reached the CAD.
        everything = b"".join(r["raw"] for r in got).decode()
        for value in LEAKS:
            assert value not in everything, value
        assert json.loads(got[0]["raw"])["id"] == got[0]["headers"]["webhook-id"]


def test_a_failing_cad_is_retried_and_raised_as_failing(sqlite_url: str) -> None:
    """A CAD that keeps answering 503 is retried with the same key, then raised as ``delivery.failing``."""
    services = build_services(
        Settings(
            database_url=sqlite_url,
            webhook_allowed_networks="127.0.0.0/8",
            notify_worker=False,
            delivery_backoff_seconds=0.01,
            delivery_backoff_max_seconds=0.01,
            delivery_max_attempts=2,
        )
    )
    try:
        world = World(services)
        county = world.agency("local")
        services.accounts.set_jurisdiction(world.admin, county.id, square(*SPOT))
        admin = world.person(county, "agency_admin")
        agent = world.person(world.agency("federal"), "supervisor")
        with WebhookReceiver() as cad, WebhookReceiver() as desk:
            cad.statuses = [503, 503]
            body = {"cad": [{"url": cad.url, "secret": SECRET}], "webhooks": [{"url": desk.url, "secret": SECRET}]}
            services.channels.put(admin, county.id, body)
            services.operations.submit(agent, operation_data(*SPOT))
            services.deliveries.run_once()
            time.sleep(0.05)
            services.deliveries.run_once()
            time.sleep(0.05)
            services.deliveries.run_once()
            assert [r["status"] for r in cad.received] == [503, 503]
            assert len({r["key"] for r in cad.received}) == 1
            with services.store.read() as tx:
                failed = tx.deliveries.of_agency(county.id, "failed", 10, None).items
            assert [d.channel.value for d in failed] == ["cad"]
            events = [r["body"]["event"] for r in desk.received]
            assert "notice.created" in events and "delivery.failing" in events  # the webhook is unchanged
            [alarm] = [r["body"]["data"] for r in desk.received if r["body"]["event"] == "delivery.failing"]
            assert alarm["channel"] == "cad" and cad.url not in json.dumps(alarm)
    finally:
        services.close()


@pytest.mark.parametrize(
    ("cad", "field"),
    [
        ({"url": "ftp://cad.example.org/alerts"}, "cad.0.url"),
        ({"url": "https://user:pw@cad.example.org/alerts"}, "cad.0.url"),
        ({"url": "https://cad.example.org/alerts", "secret": "short"}, "cad.0.secret"),
        ({"url": "https://cad.example.org/alerts", "events": ["conflict.created"]}, "cad.0.events"),
    ],
)
def test_a_bad_cad_endpoint_names_its_field_and_changes_nothing(
    sqlite_url: str, cad: dict[str, Any], field: str
) -> None:
    with channels_api(sqlite_url) as api:
        kept = api.put({"cad": [{"url": "https://cad.example.org/ok"}]})
        assert kept.status_code == 200 and kept.json()["cad"][0]["secret_set"] is True
        api.refused({"cad": [cad]}, field)
        after = api.http.get(api.path, headers=api.admin).json()
        assert after["cad"] == [{"url": "https://cad.example.org/ok", "events": [], "secret_set": True}]
        api.refused({"cad": [{"url": "https://cad.example.org/w"}]}, "cad", path="/api/v1/watch/channels")


def test_the_test_event_reaches_the_cad_endpoint_signed(sqlite_url: str) -> None:
    services = build_services(
        Settings(database_url=sqlite_url, webhook_allowed_networks="127.0.0.0/8", notify_worker=False)
    )
    try:
        world = World(services)
        county = world.agency("local")
        admin = bearer(world.token(world.person(county, "agency_admin")))
        with WebhookReceiver() as cad, LiveServer(services) as live, httpx.Client(base_url=live.url) as http:
            body = {"cad": [{"url": cad.url, "secret": SECRET}]}
            assert http.put(f"/api/v1/agencies/{county.id}/channels", json=body, headers=admin).status_code == 200
            sent = http.post(f"/api/v1/agencies/{county.id}/channels/test", headers=admin)
            assert sent.json() == {"results": [{"url": cad.url, "delivered": True, "error": None}]}, sent.text
            [got] = cad.received
        verified = Webhook(SECRET.encode()).verify(got["raw"], got["headers"])
        assert verified["event"] == "test" and verified["data"] == {"agency_id": county.id}
    finally:
        services.close()

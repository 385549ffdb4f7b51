"""A conflict a peer's probe found reaches this side's webhook and mailbox, naming the peer installation."""

from __future__ import annotations

import uuid
from datetime import timedelta

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.federation import Peer, PeerStatus, parse_probe
from commonground.domain.model import ConflictStatus, OperationStatus
from commonground.service.channels import Channels
from commonground.service.federation import Inbound
from commonground.service.ports import AuditFilter
from tests.conftest import SOON, World, operation_data
from tests.integration.notify_receivers import SmtpServer, WebhookReceiver, parts
from tests.integration.test_notify_delivery import configure, deliveries

FEDS_CONTACT = {"name": "SA Rivera", "phone": "+1 612 555 0199", "radio": "FED 1"}


def federal_probe(ref: str) -> dict[str, object]:
    """A peer's probe as it arrives, carrying its operation at safety."""
    area = {"type": "Point", "coordinates": [-93.2650, 44.9778]}
    window = {"starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(hours=2)).isoformat()}
    carried = {
        "id": ref,
        "level_disclosed": "safety",
        "agency": {"name": "ICE ERO St. Paul", "ori": "MNICE0100", "level": "federal"},
        "contact": FEDS_CONTACT,
        "area": {**area, "radius_m": 100},
        "window": window,
        "team": {"personnel": 4, "attire": "raid_jackets", "vehicles": "1 van"},
    }
    return {
        "ref": ref, "area": area, "radius_m": 100, "window": window, "proximity_m": 500, "time_buffer_min": 30,
        "purpose": "civil_immigration", "agency_level": "federal", "operation": carried,
    }  # fmt: skip


def test_a_remote_conflict_reaches_the_agency_webhook_and_mailbox_once(services: Services, world: World) -> None:
    city = world.agency("local", name="City PD", restricted_purposes=["civil_immigration"])
    sergeant, city_admin = world.person(city, "supervisor"), world.person(city, "agency_admin")
    peer = Peer(str(uuid.uuid4()), "feds", "https://feds.example.gov", "a" * 44, PeerStatus.UNKNOWN, None, SOON)
    with services.store.write() as tx:
        assert tx.peers.add(peer)
    with WebhookReceiver() as hook, SmtpServer() as smtp:
        configure(services, smtp)
        put = Channels(services.store, services.clock).put(
            city_admin,
            city.id,
            {"webhooks": [{"url": hook.url}], "emails": [{"address": "desk@city.example.gov"}]},
        )
        hook.secret = put["webhooks"][0]["secret"]
        worker = deliveries(services)
        mine = services.operations.submit(sergeant, operation_data(title="Joint warrant SECRET-TITLE"))[0]
        body = federal_probe("fed-op-1")
        answer = services.federation.answer_probe(Inbound(peer, body, uuid.uuid4().hex))
        assert [h["operation"]["level_disclosed"] for h in answer["hits"]] == ["safety"]
        # The same probe again (the peer re-checking): the pair is kept once, told once.
        services.federation.answer_probe(Inbound(peer, body, uuid.uuid4().hex))
        assert worker.run_once() == 2

        [call] = hook.received
        assert call["valid"] and call["body"]["event"] == "conflict.created"
        data = call["body"]["data"]
        assert data["your_operation_id"] == mine.id
        assert data["counterpart"]["installation"] == {"name": "feds"}
        assert data["counterpart"] == {**(parse_probe(body).operation or {}), "installation": {"name": "feds"}}

        [mail] = smtp.inbox.messages
        text, html = parts(mail)
        assert "ICE ERO St. Paul (MNICE0100) of installation feds" in text
        assert "+1 612 555 0199" in text and "SECRET-TITLE" not in text + html
        assert worker.run_once() == 0 and len(hook.received) == 1
    (listed,) = services.conflicts.remote(sergeant, None, 10)
    assert listed.id == data["id"] and listed.remote_operation_id == "fed-op-1"
    # Cancelling the city's operation closes this side's copy, as it closes local conflicts.
    services.operations.finish(sergeant, mine.id, OperationStatus.CANCELLED)
    (closed,) = services.conflicts.remote(sergeant, None, 10)
    assert (closed.status, closed.note, closed.closed_by) == (
        ConflictStatus.RESOLVED,
        "operation cancelled",
        sergeant.user.id,
    )
    with services.store.read() as tx:
        closes = tx.audit.records(AuditFilter(action=Action.CONFLICT_CLOSE), 10, None).items
    assert [(r.entry.object_id, (r.entry.details or {})["installation"]) for r in closes] == [(closed.id, "feds")]

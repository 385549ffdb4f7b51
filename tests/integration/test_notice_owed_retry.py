"""A notice owed to a peer that is down: kept, backed off, claimed, and dropped once nothing is owed.

A real store (SQLite and PostGIS) and a real socket: the peer's port has no server behind it."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.model import OperationStatus
from commonground.domain.remote_notices import OwedNotice
from commonground.service.ports import AuditFilter
from tests.conftest import World, free_port, operation_data

LATER = timedelta(days=1)


def sends(services: Services) -> list[dict[str, Any]]:
    with services.store.read() as tx:
        page = tx.audit.records(AuditFilter(action=Action.FEDERATION_NOTICE_SEND), 100, None)
    return [r.entry.details or {} for r in page.items]


def owed(services: Services) -> list[OwedNotice]:
    with services.store.read() as tx:
        return tx.remote_notices.owed_due(services.clock.now() + LATER, 10)


def test_a_notice_owed_to_a_down_peer_backs_off_and_goes_once_nothing_is_owed(services: Services, world: World) -> None:
    sergeant = world.person(world.agency("federal", name="feds agency"), "supervisor")
    key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    peer = services.federation.add_peer(
        None, {"name": "city", "url": f"http://127.0.0.1:{free_port()}", "public_key": base64.b64encode(key).decode()}
    )
    op = services.operations.submit(sergeant, operation_data())[0]
    with services.store.write() as tx:  # as a re-probe that found the city hosting it leaves it
        tx.remote_notices.owe(OwedNotice(op.id, peer["id"], False, 0, services.clock.now()))

    assert services.federated_notices.retry_due() == 0  # the city is down: nothing landed
    (row,) = owed(services)
    assert (row.attempts, row.leaving) == (1, False) and row.next_at > services.clock.now()
    assert [(s["sent"], s["failed"], s["by"]) for s in sends(services)] == [({}, ["city"], "retry")]
    assert services.federated_notices.retry_due() == 0 and len(sends(services)) == 1  # not due yet: not tried

    assert services.federated_notices.retry_due(everything=True) == 0  # the sweep tries whatever the backoff
    assert [r.attempts for r in owed(services)] == [2] and len(sends(services)) == 2

    # Cancelled before the city ever heard of it: there is nothing to take back, so nothing is owed.
    services.operations.finish(sergeant, op.id, OperationStatus.CANCELLED)
    assert services.federated_notices.retry_due(everything=True) == 0
    assert owed(services) == [] and len(sends(services)) == 2

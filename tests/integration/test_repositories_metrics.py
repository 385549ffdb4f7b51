"""Repository contract, metrics: what ``/metrics`` reads at each scrape, on both stores."""

from __future__ import annotations

from datetime import timedelta

from commonground.domain.notifications import ChannelKind, DeliveryStatus
from commonground.service.ports import Store
from tests.integration.repository_kit import (
    CHICAGO,
    covers,
    delivery,
    entry,
    event,
    is_utc,
    notice,
    postgres_template,
    seed,
    store,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


@covers(
    "metrics.audit_counts",
    "metrics.notices",
    "metrics.deliveries",
    "metrics.oldest_undelivered",
    "metrics.audit_length",
    "metrics.last_checkpoint",
)
def test_the_figures_count_what_the_store_holds(store: Store) -> None:
    """Audit records by action and outcome (only those asked for), notices, deliveries by kind and status,
    the oldest event past the cursor or pending delivery, the chain's length; no checkpoint yet."""
    with store.read() as tx:
        m = tx.metrics
        assert m.audit_counts(["ops:operation:create"]) == {} and m.notices() == 0 and m.deliveries() == {}
        assert m.oldest_undelivered("fanout") is None and m.audit_length() == 0 and m.last_checkpoint() is None
    agency = factories.agency(created_at=T0)
    one = factories.operation(agency)
    seed(store, agency)
    with store.write() as tx:
        tx.operations.add(one)
        tx.notices.add(notice(one, agency.id))
        for made in (entry(), entry(), entry(outcome="denied"), entry("ops:conflict:create"), entry("audit:log:read")):
            tx.audit.append(made, T0)
        tx.outbox.add(event(created_at=(T0 + timedelta(hours=2)).astimezone(CHICAGO)))
        tx.deliveries.add(
            [
                delivery("c", created_at=T0 + timedelta(hours=1)),
                delivery("c", status=DeliveryStatus.SENT, created_at=T0),
                delivery("c", channel=ChannelKind.EMAIL, status=DeliveryStatus.FAILED, created_at=T0),
            ]
        )
    with store.read() as tx:
        m = tx.metrics
        assert m.audit_counts(["ops:operation:create", "ops:conflict:create"]) == {
            ("ops:operation:create", "success"): 2,
            ("ops:operation:create", "denied"): 1,
            ("ops:conflict:create", "success"): 1,
        }
        assert m.notices() == 1 and m.audit_length() == 5
        assert m.deliveries() == {("webhook", "pending"): 1, ("webhook", "sent"): 1, ("email", "failed"): 1}
        oldest = m.oldest_undelivered("fanout")
        assert oldest == T0 + timedelta(hours=1) and oldest is not None and is_utc(oldest)
    with store.write() as tx:
        tx.outbox.claim_cursor("fanout")
        tx.outbox.move_cursor("fanout", tx.outbox.last_seq())
        tx.deliveries.update(delivery("c", status=DeliveryStatus.SENT))  # an unknown key changes nothing
    with store.read() as tx:
        assert tx.metrics.oldest_undelivered("fanout") == T0 + timedelta(hours=1)

"""Repository contract, the unit of work as a whole: the audit chain, and rolling back everything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.audit.verify import verify_chain
from commonground.domain.policy import Policy
from commonground.service.ports import AuditFilter, OperationFilter, Store
from commonground.service.signin_ports import Credential
from tests.integration.repository_kit import (
    CHICAGO,
    channel,
    conflict,
    covers,
    delivery,
    entry,
    event,
    every_page,
    is_utc,
    lookup,
    notice,
    person,
    postgres_template,
    seed,
    session,
    store,
    token,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


class Rollback(Exception):
    """Raised to end a unit of work without committing it."""


@covers("audit.append", "audit.all")
def test_appends_across_units_form_one_verifying_chain(store: Store) -> None:
    """Records are numbered from one in append order, each linked to the last, across commits."""
    first, second, third = entry(), entry(outcome="denied", details=None), entry(actor_user_id=None)
    with store.write() as tx:
        tx.audit.append(first, T0.astimezone(CHICAGO))
        tx.audit.append(second, T0 + timedelta(seconds=1))
    with store.write() as tx:
        tx.audit.append(third, T0 + timedelta(seconds=2))
    with store.read() as tx:
        stored = list(tx.audit.all())
    assert [r.seq for r in stored] == [1, 2, 3]
    assert [r.entry for r in stored] == [first, second, third]
    assert [r.at for r in stored] == [T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)]
    assert all(is_utc(r.at) for r in stored)
    assert [r.prev_hash for r in stored[1:]] == [r.hash for r in stored[:-1]]
    assert verify_chain(stored).intact and verify_chain(stored).checked == 3


@covers("audit.records")
def test_audit_records_filter_and_page(store: Store) -> None:
    """Pages follow the ``seq`` cursor; time, actor and action narrow; held appends are already seen."""
    with store.write() as tx:
        for minutes in range(5):
            who = "u-a" if minutes % 2 == 0 else "u-b"
            tx.audit.append(entry("ops:conflict:read", actor_user_id=who), T0 + timedelta(minutes=minutes))
        tx.audit.append(entry("audit:log:read", actor_user_id="u-a"), T0 + timedelta(minutes=9))

    def seqs(limit: int = 100, **where: Any) -> list[int]:
        with store.read() as tx:
            pages = every_page(
                lambda after: tx.audit.records(AuditFilter(**where), limit, None if after is None else int(after))
            )
        return [r.seq for p in pages for r in p]

    assert seqs(limit=2) == [1, 2, 3, 4, 5, 6]
    assert seqs(since=(T0 + timedelta(minutes=3)).astimezone(CHICAGO)) == [4, 5, 6]
    assert seqs(actor="u-a") == [1, 3, 5, 6]
    assert seqs(action="audit:log:read") == [6]
    assert seqs(actor="u-b", action="ops:conflict:read", since=T0 + timedelta(minutes=2)) == [4]
    assert seqs(limit=2, newest_first=True) == [6, 5, 4, 3, 2, 1]  # the cursor then means "older than"
    assert seqs(limit=1, newest_first=True, actor="u-a") == [6, 5, 3, 1]
    with store.write() as tx:
        tx.audit.append(entry("auth:session:login"), T0 + timedelta(hours=1))
        page = tx.audit.records(AuditFilter(action="auth:session:login"), 10, None)
        assert [r.seq for r in page.items] == [7] and page.next is None
        assert verify_chain(tx.audit.all()).checked == 7


def test_a_unit_that_raises_leaves_nothing_behind(store: Store) -> None:
    """Every repository's writes, flushed or held, go with the unit; the next one starts the chain afresh."""
    agency = factories.agency(created_at=T0)
    holder = person(agency)
    one, two = factories.operation(agency), factories.operation(agency)
    with pytest.raises(Rollback), store.write() as tx:
        tx.agencies.add(agency)
        tx.agencies.set_policy(agency.id, Policy(proximity_m=9000))
        tx.people.add(holder, None)
        tx.tokens.add(token(holder))
        tx.operations.add(one)
        tx.operations.add(two)
        tx.conflicts.add(conflict(one, two))
        tx.notices.add(notice(one, "host"))
        tx.subjects.set_keys(one.id, {"name:doe"})
        tx.subjects.set_terms(one.id, {"doe": 1})
        tx.channels.set("host", [channel("host")])
        tx.deliveries.add([delivery("thing")])
        tx.escalations.add("c-1", "both", "urgent", T0)
        tx.lookups.add(lookup(holder, T0))
        tx.signin.add_session(session(holder.id))
        tx.signin.put_credential(Credential(holder.id, "JBSWY3DPEHPK3PXP"))
        tx.signin.add_failure(holder.id, T0)
        tx.outbox.add(event())
        tx.outbox.move_cursor("webhooks", tx.outbox.claim_cursor("webhooks") + 5)
        tx.audit.append(entry(), T0)
        assert tx.outbox.last_seq() == 1 and len(list(tx.audit.all())) == 1  # flushed, then rolled back
        tx.audit.append(entry(), T0)  # and one still held
        raise Rollback
    with store.read() as tx:
        assert tx.agencies.page(10, None).items == [] and tx.agencies.reach() == (0, 0)
        assert tx.people.by_username(holder.username) is None and tx.tokens.of_agency(None) == []
        assert tx.operations.count() == 0 and tx.operations.page(OperationFilter(agency.id), 10, None).items == []
        assert tx.conflicts.of_operation(one.id) == [] and tx.notices.of_operation(one.id) == []
        assert tx.subjects.count_terms(["doe"]).get("doe", 0) == 0
        assert tx.channels.all() == [] and tx.deliveries.of_object("thing") == []
        assert tx.escalations.of_conflicts(["c-1"]) == {"c-1": set()}
        assert tx.lookups.since(holder.id, T0) == (0, None) and tx.signin.credential(holder.id) is None
        assert tx.signin.failures_since(holder.id, T0 - timedelta(1)) == 0
        assert tx.outbox.last_seq() == 0 and list(tx.audit.all()) == []
    with store.write() as tx:
        assert tx.outbox.claim_cursor("webhooks") == 0
        tx.audit.append(entry(), T0)
    seed(store, agency)
    with store.read() as tx:
        stored = list(tx.audit.all())
        assert [r.seq for r in stored] == [1] and verify_chain(stored).intact
        assert tx.agencies.get(agency.id) == agency

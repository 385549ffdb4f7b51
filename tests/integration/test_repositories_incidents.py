"""Repository contract, critical incidents and the agencies told of each, on SQLite and PostGIS."""

from __future__ import annotations

from datetime import timedelta

from commonground.domain.incidents import Incident, IncidentKind, RecipientReason
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def incident(n: int, operation_id: str = "op-1", agency_id: str = "feds", minutes: int = 0) -> Incident:
    at = (T0 + timedelta(minutes=minutes)).astimezone(CHICAGO)
    return Incident(
        f"0190000{n}-0000-7000-8000-000000000000",
        operation_id,
        agency_id,
        IncidentKind.SHOTS_FIRED,
        at - timedelta(minutes=1),
        "Shots fired",
        (-93.265, 44.9778),
        True,
        "u-agent",
        at,
    )


HOSTS = {"city": RecipientReason.HOST, "sheriff": RecipientReason.CONFLICT}


@covers("incidents.add", "incidents.get", "incidents.told", "incidents.of_operation")
def test_an_incident_is_kept_with_whom_it_was_told_to(store: Store) -> None:
    first, second, elsewhere = incident(1), incident(2, minutes=3), incident(3, operation_id="op-2")
    with store.write() as tx:
        tx.incidents.add(first, HOSTS)
        tx.incidents.add(second, {})
        tx.incidents.add(elsewhere, {"city": RecipientReason.HOST})
    with store.read() as tx:
        got = tx.incidents.get(first.id)
        assert got is not None and is_utc(got.at) and is_utc(got.reported_at)
        assert got == first  # instants compare as instants, the offset aside
        assert got.location == (-93.265, 44.9778) and got.assistance_requested is True
        assert tx.incidents.told(first.id) == HOSTS
        assert tx.incidents.told(second.id) == {}
        assert [i.id for i in tx.incidents.of_operation("op-1")] == [first.id, second.id]
        assert tx.incidents.get("no-such-incident") is None


@covers("incidents.page")
def test_an_agency_pages_its_own_and_those_it_was_told_of_newest_first(store: Store) -> None:
    with store.write() as tx:
        tx.incidents.add(incident(1), HOSTS)
        tx.incidents.add(incident(2, agency_id="sheriff"), {})
        tx.incidents.add(incident(3, agency_id="other"), {})
    with store.read() as tx:
        sheriff = tx.incidents.page("sheriff", 1, None)
        assert [i.id for i in sheriff.items] == [incident(2).id] and sheriff.next == incident(2).id
        rest = tx.incidents.page("sheriff", 1, sheriff.next)
        assert [i.id for i in rest.items] == [incident(1).id] and rest.next is None
        assert [i.id for i in tx.incidents.page("city", 10, None).items] == [incident(1).id]
        assert tx.incidents.page("nobody", 10, None).items == []
        assert len(tx.incidents.page(None, 10, None).items) == 3  # the watch center: every one


@covers("incidents.acknowledge", "incidents.unacknowledged", "incidents.escalate")
def test_the_first_acknowledgement_counts_and_only_the_unacknowledged_escalate(store: Store) -> None:
    acked, waiting, recent = incident(1), incident(2), incident(3, minutes=10)
    with store.write() as tx:
        for i in (acked, waiting, recent):
            tx.incidents.add(i, HOSTS)
    later = T0 + timedelta(minutes=6)
    with store.write() as tx:
        assert tx.incidents.acknowledge(acked.id, "city", later)
        assert not tx.incidents.acknowledge(acked.id, "sheriff", later + timedelta(minutes=1))
    with store.read() as tx:
        got = tx.incidents.get(acked.id)
        assert got is not None and got.acknowledged_by == "city" and got.acknowledged_at == later
        assert [i.id for i in tx.incidents.unacknowledged(T0 + timedelta(minutes=1), 10)] == [waiting.id]
    with store.write() as tx:
        assert tx.incidents.escalate(waiting.id, later)
        assert not tx.incidents.escalate(waiting.id, later)  # once
        assert not tx.incidents.escalate(acked.id, later)  # acknowledged: nothing owed
    with store.read() as tx:
        got = tx.incidents.get(waiting.id)
        assert got is not None and got.escalated_at == later
        assert tx.incidents.unacknowledged(T0 + timedelta(hours=1), 10) == [tx.incidents.get(recent.id)]


@covers("incidents.purge_summaries")
def test_purging_clears_the_words_of_one_operation_s_incidents_only(store: Store) -> None:
    with store.write() as tx:
        tx.incidents.add(incident(1), HOSTS)
        tx.incidents.add(incident(2), {})
        tx.incidents.add(incident(3, operation_id="op-2"), {})
    with store.write() as tx:
        assert tx.incidents.purge_summaries("op-1") == 2
        assert tx.incidents.purge_summaries("op-1") == 0  # once
    with store.read() as tx:
        assert [i.summary for i in tx.incidents.of_operation("op-1")] == ["", ""]
        assert [i.summary for i in tx.incidents.of_operation("op-2")] == ["Shots fired"]
        assert tx.incidents.told(incident(1).id) == HOSTS  # who was told stays, for the record


@covers("participation.incidents")
def test_the_report_counts_incidents_per_operating_agency_by_when_they_happened(store: Store) -> None:
    with store.write() as tx:
        tx.incidents.add(incident(1), {})
        tx.incidents.add(incident(2, minutes=10), HOSTS)
        tx.incidents.add(incident(3, agency_id="city", minutes=20), {})
        tx.incidents.add(incident(4, minutes=120), {})  # happened after the period
    with store.read() as tx:
        assert tx.participation.incidents(T0 - timedelta(hours=1), T0 + timedelta(hours=1)) == {"feds": 2, "city": 1}

"""Repository contract, what the watch center and the reports read: participation figures and sensitive places."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from commonground.domain.geometry import Area, bounding_boxes
from commonground.domain.model import ConflictOutcome, ConflictStatus, PhoneIn
from commonground.domain.notice_responses import HostResponse, NoticeResponse
from commonground.domain.participation import ConflictFact, EntryFact
from commonground.domain.sensitive import PlaceCategory, SensitivePlace
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import Store
from tests.integration.repository_kit import (
    acknowledged,
    conflict,
    covers,
    is_utc,
    lookup,
    person,
    postgres_template,
    seed,
    store,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest

HOUR = timedelta(hours=1)


@covers("participation.entries", "participation.conflicts", "participation.lookups")
def test_the_participation_figures_read_one_period(store: Store) -> None:
    """Entries by creation, conflicts by detection, look-ups by time: inside [since, until) only."""
    city, county = factories.agency(created_at=T0), factories.agency(created_at=T0)
    seed(store, city, county)
    late = factories.operation(city, created_at=T0, exigent_reason="door breached")
    phoned = factories.operation(city, created_at=T0 + HOUR, phone_in=PhoneIn("Ofc. Lind", "651 555 0142", "u-w"))
    before = factories.operation(county, created_at=T0 - HOUR)
    after = factories.operation(county, created_at=T0 + 3 * HOUR)
    seed(store, late, phoned, before, after)
    inside = conflict(late, before, detected_at=T0 + HOUR, ack_a=acknowledged("u1", T0 + 2 * HOUR))
    resolved = replace(
        conflict(phoned, before, detected_at=T0), status=ConflictStatus.RESOLVED, outcome=ConflictOutcome.DELAYED
    )
    outside = conflict(late, after, detected_at=T0 + 3 * HOUR)
    seed(store, inside, resolved, outside)
    clerk, deputy = person(city), person(county)
    seed(store, clerk, deputy)
    with store.write() as tx:
        for record in (lookup(clerk, T0), lookup(clerk, T0 + HOUR), lookup(deputy, T0 - HOUR)):
            tx.lookups.add(record)
    since, until = T0, T0 + 2 * HOUR
    with store.read() as tx:
        entries = sorted(tx.participation.entries(since, until), key=lambda e: e.phone_in)
        assert entries == [
            EntryFact(city.id, "search_warrant", True, False, "at_submit", T0.date()),
            EntryFact(city.id, "search_warrant", False, True, "at_submit", (T0 + HOUR).date()),
        ]  # the UTC day entered, for the timeline: no time of day
        found = sorted(tx.participation.conflicts(since, until), key=lambda c: c.detected_at)
        assert [(c.status, c.outcome) for c in found] == [("resolved", "delayed"), ("open", None)]
        first, second = found
        assert isinstance(second, ConflictFact) and {second.agency_a, second.agency_b} == {city.id, county.id}
        assert is_utc(second.detected_at) and second.detected_at == T0 + HOUR
        acked = second.ack_a_at or second.ack_b_at
        assert acked == T0 + 2 * HOUR and is_utc(acked) and first.ack_a_at is None
        assert tx.participation.lookups(since, until) == {city.id: 2}
        assert tx.participation.lookups(T0 + 3 * HOUR, T0 + 4 * HOUR) == {}


@covers("participation.host_responses")
def test_host_responses_are_counted_for_the_operating_agency_in_the_period(store: Store) -> None:
    """Each host's current answer, by the operation's agency; answers outside [since, until) are not counted."""
    feds, city, county = (factories.agency(created_at=T0) for _ in range(3))
    seed(store, feds, city, county)
    op, other = factories.operation(feds, created_at=T0), factories.operation(city, created_at=T0)
    seed(store, op, other)

    def answer(operation_id: str, host: str, response: HostResponse, at: datetime) -> NoticeResponse:
        return NoticeResponse(operation_id, host, f"n-{host}", response, None, "u-host", at)

    with store.write() as tx:
        tx.notice_responses.put(answer(op.id, city.id, HostResponse.AWARE_NOT_ASSISTING, T0 + HOUR))
        tx.notice_responses.put(answer(op.id, county.id, HostResponse.ASSISTING, T0 + 3 * HOUR))
        tx.notice_responses.put(answer(other.id, county.id, HostResponse.REQUEST_CONTACT, T0))
    with store.read() as tx:
        assert sorted(tx.participation.host_responses(T0, T0 + 2 * HOUR)) == sorted(
            [(feds.id, "aware_not_assisting"), (city.id, "request_contact")]
        )
        assert tx.participation.host_responses(T0 + 4 * HOUR, T0 + 5 * HOUR) == []


def _place(agency_id: str, lon: float, lat: float, **kw: object) -> SensitivePlace:
    made = SensitivePlace(f"p-{lon}-{lat}", agency_id, PlaceCategory.SCHOOL, "School", Area("Point", ((lon, lat),)))
    return replace(made, **kw)  # type: ignore[arg-type]


@covers("sensitive_places.replace", "sensitive_places.of_agency", "sensitive_places.near", "sensitive_places.count")
def test_sensitive_places_are_replaced_per_agency_and_found_near_a_box(store: Store) -> None:
    """A place comes back whole; a replace touches one agency's set; ``near`` finds what a box meets."""
    city, county = factories.agency(created_at=T0), factories.agency(created_at=T0)
    seed(store, city, county)
    ring = ((-93.270, 44.977), (-93.269, 44.977), (-93.269, 44.978), (-93.270, 44.977))
    event = _place(city.id, -93.2650, 44.9790, category=PlaceCategory.PUBLIC_EVENT, window=TimeWindow(T0, T0 + HOUR))
    hospital = _place(city.id, 0, 0, id="p-h", category=PlaceCategory.HOSPITAL, name=None, area=Area("Polygon", ring))
    far = _place(county.id, -94.5, 45.5)
    with store.write() as tx:
        tx.sensitive_places.replace(city.id, [event, hospital])
        tx.sensitive_places.replace(county.id, [far])
    here = Area("Point", ((-93.2650, 44.9778),), 100)
    with store.read() as tx:
        assert sorted(tx.sensitive_places.of_agency(city.id), key=lambda p: p.id) == sorted(
            [event, hospital], key=lambda p: p.id
        )
        got = next(p for p in tx.sensitive_places.of_agency(city.id) if p.id == event.id)
        assert got.window is not None and is_utc(got.window.starts_at)
        assert sorted(p.id for p in tx.sensitive_places.near(bounding_boxes(here, 300))) == sorted([event.id, "p-h"])
        assert tx.sensitive_places.near(bounding_boxes(Area("Point", ((10.0, 10.0),)), 300)) == []
        assert tx.sensitive_places.count() == 3
    with store.write() as tx:
        tx.sensitive_places.replace(city.id, [])
    with store.read() as tx:
        assert tx.sensitive_places.of_agency(city.id) == [] and tx.sensitive_places.count() == 1
        assert tx.sensitive_places.of_agency(county.id) == [far]

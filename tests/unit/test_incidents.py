"""The incident rules: every field checked by name, the place defaulted, hosts by jurisdiction with holes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from commonground.domain.errors import InvalidInput
from commonground.domain.incidents import ACK_WITHIN, Incident, IncidentKind, draft_from, hosts_of, overdue
from tests.unit import factories
from tests.unit.factories import T0


def ring(west: float, south: float, east: float, north: float) -> tuple[tuple[float, float], ...]:
    return ((west, south), (east, south), (east, north), (west, north), (west, south))


COUNTY = ring(-93.5, 44.8, -93.0, 45.1)
CITY = ring(-93.3, 44.95, -93.2, 45.0)  # a hole in the county: the city polices it, not the county
BODY = {"kind": "injury", "at": "2026-12-01T06:00:00-06:00", "summary": " Officer hurt ", "assistance_requested": False}


def test_a_report_is_read_with_the_operations_point_by_default() -> None:
    op = factories.operation(factories.agency(), lon=-93.1, lat=44.9)
    draft = draft_from(BODY, op, T0)
    assert draft.kind is IncidentKind.INJURY and draft.at == T0 and draft.summary == "Officer hurt"
    assert draft.location == pytest.approx((-93.1, 44.9)) and draft.assistance_requested is False
    placed = draft_from({**BODY, "location": {"type": "Point", "coordinates": [-93.2, 44.95]}}, op, T0)
    assert placed.location == (-93.2, 44.95)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "riot"}, "kind"),
        ({"at": "2026-12-01T06:00:00"}, "at"),
        ({"at": (T0 + timedelta(minutes=6)).isoformat()}, "at"),
        ({"summary": "   "}, "summary"),
        ({"summary": 5}, "summary"),
        ({"location": {"type": "Point", "coordinates": [-93.2, 95]}}, "location.lat"),
        ({"location": [1, 2]}, "location"),
        ({"assistance_requested": 1}, "assistance_requested"),
    ],
)
def test_each_wrong_field_is_named(change: dict[str, object], field: str) -> None:
    op = factories.operation(factories.agency())
    with pytest.raises(InvalidInput) as refused:
        draft_from({**BODY, **change}, op, T0)
    assert refused.value.field == field


def test_hosts_are_the_jurisdictions_holding_the_place_holes_cut_out() -> None:
    owner = factories.agency("federal", jurisdiction=(COUNTY,))
    county = factories.agency(jurisdiction=(COUNTY,), jurisdiction_holes=((CITY,),))
    city = factories.agency(jurisdiction=(CITY,))
    elsewhere = factories.agency(jurisdiction=(ring(-90, 40, -89, 41),))
    agencies = [owner, county, city, elsewhere]
    assert hosts_of((-93.25, 44.97), owner.id, agencies) == [city]  # in the hole: the city's, not the county's
    assert hosts_of((-93.4, 44.9), owner.id, agencies) == [county]  # the operator is never its own host


def test_an_incident_is_overdue_once_unacknowledged_for_five_minutes_and_only_once() -> None:
    incident = Incident("i", "op", "ag", IncidentKind.CROWD, T0, "Crowd", (0.0, 0.0), True, "u", T0)
    assert not overdue(incident, T0 + ACK_WITHIN - timedelta(seconds=1))
    assert overdue(incident, T0 + ACK_WITHIN)
    assert not overdue(replace(incident, acknowledged_at=T0 + timedelta(minutes=1)), T0 + ACK_WITHIN)
    assert not overdue(replace(incident, escalated_at=T0 + ACK_WITHIN), T0 + ACK_WITHIN * 2)

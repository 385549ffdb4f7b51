"""The live-status rule and the after-the-fact entry rule, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commonground.domain.entry import LATE_ENTRY, check_start, parse_exigent, parse_phone_in
from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area
from commonground.domain.model import OperationStatus, status_at
from commonground.domain.sensitive import PlaceCategory, SensitivePlace, nearby
from commonground.domain.timewindow import TimeWindow

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
WINDOW = TimeWindow(T0, T0 + timedelta(hours=2))


@pytest.mark.parametrize(
    ("stored", "at", "shown"),
    [
        (OperationStatus.PLANNED, T0 - timedelta(seconds=1), OperationStatus.PLANNED),
        (OperationStatus.PLANNED, T0, OperationStatus.ACTIVE),
        (OperationStatus.PLANNED, T0 + timedelta(hours=2) - timedelta(seconds=1), OperationStatus.ACTIVE),
        (OperationStatus.PLANNED, T0 + timedelta(hours=2), OperationStatus.OVERDUE),
        (OperationStatus.COMPLETED, T0 + timedelta(hours=3), OperationStatus.COMPLETED),
        (OperationStatus.CANCELLED, T0 + timedelta(minutes=5), OperationStatus.CANCELLED),
    ],
)
def test_status_is_read_off_the_window(stored: OperationStatus, at: datetime, shown: OperationStatus) -> None:
    assert status_at(stored, WINDOW, at) is shown


def test_an_overdue_operation_is_still_live() -> None:
    assert OperationStatus.OVERDUE.is_live and not OperationStatus.COMPLETED.is_live


def test_a_start_more_than_fifteen_minutes_past_needs_a_reason() -> None:
    check_start(WINDOW, T0 + LATE_ENTRY, None)  # exactly 15 minutes: on time
    with pytest.raises(InvalidInput) as late:
        check_start(WINDOW, T0 + LATE_ENTRY + timedelta(seconds=1), None)
    assert late.value.field == "starts_at"
    check_start(WINDOW, T0 + timedelta(days=1), "door breached")
    assert parse_exigent({}) is None and parse_exigent({"exigent": {"reason": " why "}}) == "why"
    for bad, field in (({"exigent": "why"}, "exigent"), ({"exigent": {}}, "exigent.reason")):
        with pytest.raises(InvalidInput) as refused:
            parse_exigent(bad)
        assert refused.value.field == field


def test_a_phone_in_names_its_agency_and_caller() -> None:
    agency_id, phoned = parse_phone_in({"agency_id": "a1", "caller_name": "Lind", "caller_phone": "651 555"}, "u1")
    assert agency_id == "a1" and (phoned.caller_name, phoned.entered_by) == ("Lind", "u1")
    with pytest.raises(InvalidInput) as refused:
        parse_phone_in({"agency_id": "a1", "caller_name": "Lind", "caller_phone": "call me"}, "u1")
    assert refused.value.field == "on_behalf_of.caller_phone"


def test_a_place_is_near_within_the_distance_and_an_event_only_while_on() -> None:
    here = Area("Point", ((-93.2650, 44.9778),), 50)
    school = SensitivePlace("s", "a", PlaceCategory.SCHOOL, "School", Area("Point", ((-93.2650, 44.9790),)))
    parade = SensitivePlace(
        "p",
        "a",
        PlaceCategory.PUBLIC_EVENT,
        "Parade",
        school.area,
        TimeWindow(T0 + timedelta(days=1), T0 + timedelta(days=2)),
    )
    far = SensitivePlace("f", "a", PlaceCategory.COURTHOUSE, None, Area("Point", ((-93.30, 45.0),)))
    found = nearby(here, WINDOW, [far, parade, school], 300)
    assert [(p.name, p.category) for p in found] == [("School", PlaceCategory.SCHOOL)]
    assert 75 <= found[0].distance_m <= 90
    assert nearby(here, WINDOW, [school], 50) == []

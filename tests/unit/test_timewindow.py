"""Offset-aware times only; overlaps compared in UTC, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commonground.domain.errors import InvalidInput
from commonground.domain.local_time import shown
from commonground.domain.timewindow import TimeWindow, isoformat, parse_instant

CHICAGO = ZoneInfo("America/Chicago")


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_instant("2026-12-01T06:00:00", "starts_at")
    assert caught.value.field == "starts_at"


@pytest.mark.parametrize("raw", ["2026-12-01T12:00:00Z", "2026-12-01T06:00:00-06:00", "2026-12-01T13:00:00+01:00"])
def test_offsets_are_converted_to_utc(raw: str) -> None:
    assert parse_instant(raw, "t") == datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_garbage_and_reversed_windows_name_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        TimeWindow.parse("tomorrow morning", "2026-12-01T06:00:00Z")
    assert caught.value.field == "starts_at"
    with pytest.raises(InvalidInput) as caught:
        TimeWindow.parse("2026-12-01T06:00:00Z", "2026-12-01T05:00:00Z")
    assert caught.value.field == "ends_at"


def test_windows_that_touch_do_not_overlap() -> None:
    a = TimeWindow.parse("2026-12-01T06:00:00Z", "2026-12-01T08:00:00Z")
    b = TimeWindow.parse("2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z")
    assert a.overlap(b) is None
    assert a.widened(timedelta(seconds=1)).overlap(b) is not None


def test_fall_back_hour_is_two_different_hours() -> None:
    """01:30 happens twice in Chicago on 2026-11-01; the offset tells which."""
    first = TimeWindow.parse("2026-11-01T01:00:00-05:00", "2026-11-01T01:45:00-05:00")
    second = TimeWindow.parse("2026-11-01T01:00:00-06:00", "2026-11-01T01:45:00-06:00")
    assert first.overlap(second) is None
    assert second.starts_at - first.starts_at == timedelta(hours=1)


def test_a_window_across_spring_forward_is_an_hour_shorter_than_its_wall_clock() -> None:
    start = datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO)
    end = datetime(2026, 3, 8, 4, 0, tzinfo=CHICAGO)
    window = TimeWindow.parse(start.isoformat(), end.isoformat())
    assert window.ends_at - window.starts_at == timedelta(hours=3)


def test_isoformat_is_utc_to_the_millisecond() -> None:
    assert isoformat(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


@pytest.mark.parametrize(
    ("instant", "zone_name", "expected"),
    [
        ("2026-03-02T12:00:00.000Z", "America/Chicago", "Mon 2 Mar 2026 06:00 CST (UTC-06:00)"),
        ("2026-07-02T12:00:00+00:00", "America/Chicago", "Thu 2 Jul 2026 07:00 CDT (UTC-05:00)"),  # daylight time
        ("2026-03-08T08:30:00Z", "America/Chicago", "Sun 8 Mar 2026 03:30 CDT (UTC-05:00)"),  # just past the change
        ("2026-12-31T23:30:00Z", "Pacific/Kiritimati", "Fri 1 Jan 2027 13:30 +14 (UTC+14:00)"),  # the next day
        ("2026-12-01T12:00:00Z", "Asia/Kolkata", "Tue 1 Dec 2026 17:30 IST (UTC+05:30)"),
        ("2026-12-01T12:00:00Z", None, "Tue 1 Dec 2026 12:00 UTC (UTC+00:00)"),
        ("2026-12-01T12:00:00Z", "Not/AZone", "Tue 1 Dec 2026 12:00 UTC (UTC+00:00)"),
        (None, "America/Chicago", "-"),
    ],
)
def test_times_are_shown_in_the_readers_zone_with_its_offset(
    instant: str | None, zone_name: str | None, expected: str
) -> None:
    assert shown(instant, zone_name) == expected

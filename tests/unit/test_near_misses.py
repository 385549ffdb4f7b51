"""Near-misses in the domain: what a report must carry, and who may see one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.domain.disclosure import Viewer, disclose_near_miss
from commonground.domain.errors import InvalidInput
from commonground.domain.model import Role
from commonground.domain.near_misses import Involved, NearMiss, parse_near_miss
from commonground.domain.policy import AgencyLevel
from tests.unit.factories import T0

MISS = NearMiss(
    "nm-1",
    T0,
    "met in the lot",
    (Involved("op-a", "city"), Involved("op-b", "county")),
    "u-1",
    "city",
    T0 + timedelta(hours=1),
)
NAMES = {"city": "Minneapolis PD", "county": "Hennepin County SO"}


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (Viewer("city", AgencyLevel.LOCAL, frozenset({Role.OFFICER})), True),
        (Viewer("county", AgencyLevel.LOCAL, frozenset({Role.SUPERVISOR})), True),
        (Viewer("state", AgencyLevel.STATE, frozenset({Role.WATCH})), True),
        (Viewer("stpaul", AgencyLevel.LOCAL, frozenset({Role.SUPERVISOR})), False),
        (Viewer("stpaul", AgencyLevel.LOCAL, frozenset({Role.AUDITOR})), False),
        (Viewer(None, None), False),  # a peer installation: near-misses never cross
    ],
)
def test_only_the_agencies_involved_and_the_watch_see_a_near_miss(viewer: Viewer, sees: bool) -> None:
    view = disclose_near_miss(MISS, NAMES, viewer)
    assert (view is not None) is sees
    if view is not None:
        assert view.to_dict()["operations"][1] == {"id": "op-b", "agency_id": "county", "agency": "Hennepin County SO"}


def test_a_report_needs_operations_words_and_a_past_time_with_a_zone() -> None:
    good: dict[str, Any] = {
        "operation_ids": [" op-a ", "op-b"],
        "description": " met in the lot ",
        "at": "2026-03-02T06:00:00-06:00",
    }
    report = parse_near_miss(good, T0 + timedelta(days=400))
    assert report.operation_ids == ("op-a", "op-b") and report.description == "met in the lot"
    assert report.at.utcoffset() == timedelta(0) and report.at.hour == 12
    for body, field in [
        ({**good, "operation_ids": ["op-a", "op-a"]}, "operation_ids.1"),
        ({**good, "operation_ids": [7]}, "operation_ids.0"),
        ({**good, "at": "2026-03-02T06:00:00"}, "at"),
        ({**good, "description": None}, "description"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            parse_near_miss(body, T0 + timedelta(days=400))
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as early:
        parse_near_miss(good, report.at - timedelta(minutes=6))  # reported before it happened
    assert early.value.field == "at"
    assert parse_near_miss(good, report.at - timedelta(minutes=4)).at == report.at  # a phone's clock runs ahead

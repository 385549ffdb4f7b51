"""The conflict rule at its boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from commonground.domain.conflicts import find_proximity, proximity_finding, reach
from commonground.domain.geometry import WGS84
from commonground.domain.model import OperationStatus
from commonground.domain.policy import Policy
from tests.unit.factories import T0, agency, operation

DEFAULT = Policy()


def at_distance(edge_gap_m: float, r1: float = 100, r2: float = 100) -> tuple[float, float]:
    lon, lat, _ = WGS84.fwd(-93.265, 44.9778, 90, edge_gap_m + r1 + r2)
    return lon, lat


@pytest.mark.parametrize(("gap", "conflicts"), [(499.0, True), (500.0, True), (501.5, False)])
def test_exactly_at_the_proximity_distance_conflicts(gap: float, conflicts: bool) -> None:
    a, b = agency(), agency()
    lon, lat = at_distance(gap)
    found = proximity_finding(operation(a), operation(b, lon=lon, lat=lat), DEFAULT, DEFAULT)
    assert (found is not None) is conflicts


def test_the_larger_proximity_of_the_two_agencies_applies() -> None:
    a, b = agency(), agency(policy=Policy(proximity_m=2000))
    lon, lat = at_distance(1500)
    assert proximity_finding(operation(a), operation(b, lon=lon, lat=lat), DEFAULT, Policy(proximity_m=2000))
    assert proximity_finding(operation(a), operation(b, lon=lon, lat=lat), DEFAULT, DEFAULT) is None


@pytest.mark.parametrize(("gap_min", "conflicts"), [(119, True), (120, False), (121, False)])
def test_time_buffer_widens_both_windows(gap_min: int, conflicts: bool) -> None:
    """Default buffer 60 min on each window: windows 2 h apart just touch, and touching is clear."""
    a, b = agency(), agency()
    first = operation(a, hours=2)
    second = operation(b, start=T0 + timedelta(hours=2, minutes=gap_min))
    assert (proximity_finding(first, second, DEFAULT, DEFAULT) is not None) is conflicts


def test_reported_overlap_is_the_real_shared_time_when_there_is_one() -> None:
    a, b = agency(), agency()
    found = proximity_finding(operation(a, hours=3), operation(b, start=T0 + timedelta(hours=1)), DEFAULT, DEFAULT)
    assert found is not None and found.overlap is not None
    assert (found.overlap.starts_at, found.overlap.ends_at) == (T0 + timedelta(hours=1), T0 + timedelta(hours=3))


def test_same_agency_conflicts_unless_same_case() -> None:
    a = agency()
    first = operation(a, case_number="MPD-26-1")
    assert proximity_finding(first, operation(a, case_number="mpd 26 1"), DEFAULT, DEFAULT) is None
    assert proximity_finding(first, operation(a, case_number="MPD-26-2"), DEFAULT, DEFAULT) is not None
    assert proximity_finding(first, operation(a, case_number=None), DEFAULT, DEFAULT) is not None


def test_another_agency_on_the_same_case_number_still_conflicts() -> None:
    first = operation(agency(), case_number="JOINT-1")
    assert proximity_finding(first, operation(agency(), case_number="JOINT-1"), DEFAULT, DEFAULT) is not None


@pytest.mark.parametrize("status", [OperationStatus.CANCELLED, OperationStatus.COMPLETED])
def test_finished_operations_do_not_conflict(status: OperationStatus) -> None:
    first = operation(agency())
    assert proximity_finding(first, replace(operation(agency()), status=status), DEFAULT, DEFAULT) is None


def test_find_proximity_uses_each_candidates_own_policy() -> None:
    a, wide = agency(), agency(policy=Policy(proximity_m=3000))
    lon, lat = at_distance(2500)
    near_wide, near_default = operation(wide, lon=lon, lat=lat), operation(agency(), lon=lon, lat=lat)
    policies = {a.id: a.policy, wide.id: wide.policy, near_default.agency_id: DEFAULT}
    found = find_proximity(operation(a), [near_wide, near_default], policies.__getitem__)
    assert [f.other.id for f in found] == [near_wide.id]


def test_reach_covers_the_widest_counterpart() -> None:
    r = reach(DEFAULT, installation_max_proximity_m=3000, installation_max_buffer_min=90)
    assert r.margin_m == 3000 and r.time_pad == timedelta(minutes=180)

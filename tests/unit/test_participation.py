"""The participation figures equal a direct count, and the public form never shows a count below 10."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.domain.participation import (
    HIDDEN,
    SMALL,
    ConflictFact,
    EntryFact,
    figures,
    percentile,
    public_figures,
    timeline,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
AGENCIES = ("a-city", "a-county", "a-feds")
TYPES = ("search_warrant", "surveillance", "buy_bust")

entries = st.builds(
    EntryFact,
    agency_id=st.sampled_from(AGENCIES),
    type=st.sampled_from(TYPES),
    exigent=st.booleans(),
    phone_in=st.booleans(),
    notice=st.sampled_from(("at_submit", "at_start", "withheld")),
)
acks = st.one_of(st.none(), st.integers(0, 86_400).map(lambda s: T0 + timedelta(seconds=s)))
conflicts = st.builds(
    ConflictFact,
    agency_a=st.sampled_from(AGENCIES),
    agency_b=st.sampled_from(AGENCIES),
    kind=st.sampled_from(("proximity", "subject")),
    status=st.sampled_from(("open", "acknowledged", "resolved", "dismissed")),
    outcome=st.one_of(st.none(), st.sampled_from(("proceed", "joint_operation", "delayed"))),
    detected_at=st.just(T0),
    ack_a_at=acks,
    ack_b_at=acks,
)
counts = st.dictionaries(st.sampled_from(AGENCIES), st.integers(0, 40))


def _counts(value: Any) -> list[Any]:
    """Every count in a public agency's figures, nested ones included (the times are not counts)."""
    if isinstance(value, dict):
        return [
            c
            for k, v in value.items()
            if k not in ("agency_id", "agency", "ack_median_s", "ack_p90_s")
            for c in _counts(v)
        ]
    return [value]


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=60), st.lists(conflicts, max_size=40), counts, counts)
def test_the_public_report_never_shows_a_count_below_ten(
    ops: list[EntryFact], found: list[ConflictFact], lookups: dict[str, int], suppressed: dict[str, int]
) -> None:
    names = {a: a.upper() for a in AGENCIES}
    for agency in figures(names, ops, found, lookups, suppressed):
        shown = public_figures(agency)
        for count in _counts(shown):
            assert count == HIDDEN or (isinstance(count, int) and count >= SMALL), shown
        if agency.acknowledgements < SMALL:
            assert shown["ack_median_s"] is None and shown["ack_p90_s"] is None
        # What is shown is the exact figure whenever it is shown at all.
        full = agency.to_dict()
        for key in ("operations", "exigent", "phone_in", "conflicts", "lookups", "acknowledgements"):
            assert shown[key] == (full[key] if full[key] >= SMALL else HIDDEN)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=60), st.lists(conflicts, max_size=40), counts, counts)
def test_the_figures_equal_a_direct_count(
    ops: list[EntryFact], found: list[ConflictFact], lookups: dict[str, int], suppressed: dict[str, int]
) -> None:
    names = {a: a.upper() for a in AGENCIES}
    by_agency = {f.agency_id: f for f in figures(names, ops, found, lookups, suppressed)}
    assert set(by_agency) == set(AGENCIES)
    for agency_id, got in by_agency.items():
        mine = [e for e in ops if e.agency_id == agency_id]
        sides = [c for c in found if agency_id in (c.agency_a, c.agency_b)]
        assert got.operations == len(mine) == sum(got.operations_by_type.values())
        assert got.exigent == len([e for e in mine if e.exigent])
        assert got.phone_in == len([e for e in mine if e.phone_in])
        assert sum(got.notices_by_timing.values()) == len(mine)
        assert (
            got.conflicts == len(sides) == sum(got.conflicts_by_kind.values()) == sum(got.conflicts_by_outcome.values())
        )
        assert got.lookups == lookups.get(agency_id, 0)
        assert got.suppressed_subject_matches == suppressed.get(agency_id, 0)


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.5) == 5.0 and percentile(values, 0.9) == 9.0


def test_an_agency_on_both_sides_counts_its_conflict_once() -> None:
    same = ConflictFact("a-city", "a-city", "proximity", "open", None, T0, T0 + timedelta(seconds=30), None)
    (city,) = figures({"a-city": "City"}, [], [same], {}, {})
    assert city.conflicts == 1 and city.acknowledgements == 1 and city.ack_median_s == 30.0


answers = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES),
        st.sampled_from(("aware_not_assisting", "standing_by_for_public_safety", "assisting", "request_contact")),
    ),
    max_size=40,
)


@given(answers)
@settings(max_examples=100, deadline=None)
def test_host_responses_are_counted_for_the_operating_agency_and_hidden_below_10_in_public(
    given_answers: list[tuple[str, str]],
) -> None:
    names = {a: a for a in AGENCIES}
    for got in figures(names, [], [], {}, {}, given_answers):
        mine = [r for a, r in given_answers if a == got.agency_id]
        assert dict(got.notices_by_host_response) == {r: mine.count(r) for r in set(mine)}
        shown = public_figures(got)["notices_by_host_response"]
        for response, count in got.notices_by_host_response.items():
            assert shown[response] == (HIDDEN if count < SMALL else count)


def _conflict(a: str, b: str, at: datetime) -> ConflictFact:
    return ConflictFact(a, b, "proximity", "open", None, at, None, None)


def test_the_timeline_counts_per_day_each_conflict_once_and_an_agency_sees_its_own() -> None:
    day = timedelta(days=1)
    ops = [
        EntryFact("a-city", "search_warrant", False, False, "at_submit", T0.date()),
        EntryFact("a-city", "search_warrant", False, False, "at_submit", (T0 + 2 * day).date()),
        EntryFact("a-county", "search_warrant", False, False, "at_submit", (T0 + 2 * day).date()),
    ]
    found = [_conflict("a-city", "a-county", T0 + 2 * day + timedelta(hours=23)), _conflict("a-feds", "a-feds", T0)]
    interval, points = timeline(T0, T0 + 3 * day, ops, found)
    assert interval == "day"
    assert [(p.starts_on, p.operations, p.conflicts) for p in points] == [
        (T0.date(), 1, 1),
        ((T0 + day).date(), 0, 0),
        ((T0 + 2 * day).date(), 2, 1),  # the conflict once, not once per side
    ]
    _, own = timeline(T0, T0 + 3 * day, ops, found, "a-county")
    assert [(p.operations, p.conflicts) for p in own] == [(0, 0), (0, 0), (1, 1)]
    # A period that ends mid-day still draws that day; one that ends at midnight does not draw the next.
    assert len(timeline(T0, T0 + 2 * day + timedelta(hours=1), ops, found)[1]) == 3
    assert points[-1].to_dict() == {"starts_on": (T0 + 2 * day).date().isoformat(), "operations": 2, "conflicts": 1}


def test_a_period_past_62_days_is_drawn_per_week_from_its_first_day() -> None:
    ops = [
        EntryFact("a-city", "search_warrant", False, False, "at_submit", (T0 + timedelta(days=d)).date())
        for d in (0, 6, 7, 69)
    ]
    interval, points = timeline(T0, T0 + timedelta(days=70), ops, [])
    assert interval == "week" and len(points) == 10
    assert [p.starts_on for p in points[:2]] == [T0.date(), (T0 + timedelta(days=7)).date()]
    assert [p.operations for p in points] == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert timeline(T0, T0 + timedelta(days=62), ops, [])[0] == "day"

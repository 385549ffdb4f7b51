"""What crosses agency lines: never a key above the level that applies."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from commonground.domain.disclosure import (
    KEYS_BY_LEVEL,
    Context,
    Viewer,
    disclose_conflict,
    disclose_operation,
    level_for,
    restricted_by_mission,
    restricted_towards,
)
from commonground.domain.model import Conflict, ConflictKind, ConflictStatus, Operation, Role
from commonground.domain.policy import COUNTERPART_CLASSES, AgencyLevel, Level, Policy, Purpose
from tests.unit.factories import T0, agency, operation

levels = st.sampled_from(list(Level))
policies = st.builds(
    lambda d, r: Policy(disclose=dict(zip(COUNTERPART_CLASSES, d, strict=True)), restricted_purposes=frozenset(r)),
    st.lists(levels, min_size=5, max_size=5),
    st.sets(st.sampled_from(list(Purpose))),
)
FULL_ONLY = ("Secret title", "CASE-", "secret notes")
OPERATIONAL_UP = ("12 Secret St", "search_warrant")


@given(
    policies,
    st.sampled_from(list(AgencyLevel)),
    st.sets(st.sampled_from(list(Role)), min_size=1),
    st.sampled_from(list(Context)),
    st.sampled_from(list(Purpose)),
)
def test_no_key_above_the_level_that_applies(
    policy: Policy, viewer_level: AgencyLevel, roles: set[Role], context: Context, purpose: Purpose
) -> None:
    owner = agency(policy=policy)
    viewer_agency = agency(level=viewer_level.value)
    op = operation(owner)
    view = disclose_operation(
        op, owner, Viewer(viewer_agency.id, viewer_level, frozenset(roles)), context, purpose
    ).to_dict()
    allowed = level_for(owner, Viewer(viewer_agency.id, viewer_level, frozenset(roles)), context, purpose)
    assert view["level_disclosed"] == str(allowed)
    assert set(view) <= KEYS_BY_LEVEL[Level(allowed)]
    if context in (Context.NOTICE, Context.LOOKUP, Context.DIRECT):
        assert view["level_disclosed"] == "safety"
    if context is Context.CONFLICT and purpose in policy.restricted_purposes:
        assert view["level_disclosed"] == "safety"
    if context is Context.WATCH and Role.WATCH not in roles:
        assert view["level_disclosed"] == "safety"
    rendered = json.dumps(view)
    if view["level_disclosed"] != "full":
        assert not any(secret in rendered for secret in FULL_ONLY)
    if view["level_disclosed"] == "safety":
        assert not any(secret in rendered for secret in OPERATIONAL_UP)
    assert "Secretname" not in rendered  # subject values never cross, even at full


def test_safety_always_carries_who_how_to_reach_and_how_they_look() -> None:
    owner = agency(level="federal")
    view: dict[str, Any] = disclose_operation(
        operation(owner), owner, Viewer("other", AgencyLevel.LOCAL), Context.CONFLICT
    ).to_dict()
    assert view["level_disclosed"] == "safety"
    assert view["contact"]["phone"] and view["team"]["vehicles"] and view["agency"]["ori"] == owner.ori
    assert "title" not in view and "type" not in view


def test_own_agency_sees_everything() -> None:
    owner = agency()
    view: dict[str, Any] = disclose_operation(
        operation(owner), owner, Viewer(owner.id, owner.level), Context.DIRECT
    ).to_dict()
    assert view["title"].startswith("Secret title") and view["subjects"]


def _conflict_between(yours: Operation, theirs: Operation) -> Conflict:
    a, b = sorted((yours, theirs), key=lambda op: op.id)
    return Conflict(
        "c1", ConflictKind.PROXIMITY, a.id, b.id, a.agency_id, b.agency_id, ConflictStatus.OPEN, T0, 50, None
    )


@given(
    policies,
    st.sets(st.sampled_from(list(Purpose)), min_size=1),
    st.sampled_from(list(AgencyLevel)),
    st.sets(st.sampled_from(list(Purpose))),
    st.booleans(),
)
def test_a_mission_agency_gets_safety_from_a_restricting_agency_whatever_it_declares(
    policy: Policy, missions: set[Purpose], viewer_level: AgencyLevel, declared: set[Purpose], excepted: bool
) -> None:
    """An operation of an agency with a mission the owner restricts, declared `criminal` or anything else,
    never receives subject data or details above `safety`, and its subjects are never matched; unless the
    owner lists that agency as an exception, when what it declares decides."""
    mission_agency = agency(level=viewer_level.value, missions=frozenset(missions))
    exceptions = frozenset({mission_agency.id}) if excepted else frozenset()
    owner = agency(policy=replace(policy, restriction_exceptions=exceptions))
    theirs = operation(owner)
    viewer = Viewer(mission_agency.id, viewer_level, frozenset({Role.SUPERVISOR}), mission_agency.missions)
    held = bool(mission_agency.missions & policy.restricted_purposes) and not excepted
    for purpose in declared | {Purpose.CRIMINAL}:
        yours = operation(mission_agency, purpose=purpose)
        view: dict[str, Any] = disclose_conflict(
            _conflict_between(yours, theirs), yours, theirs, owner, viewer
        ).to_dict()
        federated = disclose_operation(theirs, owner, viewer, Context.FEDERATION, purpose).to_dict()
        shown_views: list[dict[str, Any]] = [view["counterpart"], federated]
        by_purpose = purpose in policy.restricted_purposes
        assert restricted_towards(owner, yours, mission_agency.missions) is (held or by_purpose)
        for shown in shown_views:
            assert "Secretname" not in json.dumps(shown)
            if held or by_purpose:
                assert shown["level_disclosed"] == "safety" and set(shown) <= KEYS_BY_LEVEL[Level.SAFETY]
                assert not any(secret in json.dumps(shown) for secret in FULL_ONLY + OPERATIONAL_UP)
            else:
                assert shown["level_disclosed"] == policy.level_for(viewer_level.value)


def test_an_agency_is_never_restricted_by_its_own_missions() -> None:
    owner = agency(policy=Policy(restricted_purposes=frozenset({Purpose.CIVIL_IMMIGRATION})))
    assert not restricted_by_mission(owner, owner.id, frozenset({Purpose.CIVIL_IMMIGRATION}))
    assert restricted_by_mission(owner, None, frozenset({Purpose.CIVIL_IMMIGRATION}))  # a peer's agency: no exception

"""What crosses agency lines: never a key above the level that applies."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from commonground.domain.disclosure import KEYS_BY_LEVEL, Context, Viewer, disclose_operation, level_for
from commonground.domain.model import Role
from commonground.domain.policy import COUNTERPART_CLASSES, AgencyLevel, Level, Policy, Purpose
from tests.unit.factories import agency, operation

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

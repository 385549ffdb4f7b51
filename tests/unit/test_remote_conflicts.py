"""The asking operation a probe carries: safety fields only, whatever its owner's policy would give."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from commonground.domain.disclosure import SAFETY_KEYS, disclose_to_peer
from commonground.domain.errors import InvalidInput
from commonground.domain.federation import parse_probe, probe_of
from commonground.domain.policy import AgencyLevel, Level, Policy
from tests.unit import factories


def carrying(**policy: Any) -> dict[str, Any]:
    owner = factories.agency("local", policy=Policy(**policy))
    op = factories.operation(owner, title="Joint warrant SECRET", notes="back door", case_number="C-1")
    probe = replace(probe_of(op, owner.policy, owner.level), operation=disclose_to_peer(op, owner).to_dict())
    return dict(probe.to_dict())


def test_the_probe_carries_the_operation_at_safety_even_when_the_policy_gives_peers_full() -> None:
    wire = carrying(disclose={"federal": Level.FULL, "local": Level.FULL, "state": Level.FULL})
    carried = wire["operation"]
    assert set(carried) == SAFETY_KEYS and carried["level_disclosed"] == "safety"
    assert carried["id"] == wire["ref"]
    assert "SECRET" not in str(wire) and "back door" not in str(wire) and "C-1" not in str(wire)
    assert parse_probe(wire).operation == carried


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x"}, "operation.title"),
        ({"subjects": []}, "operation.subjects"),
        ({"level_disclosed": "full"}, "operation.id"),
        ({"id": "someone-else"}, "operation.id"),
        ({"contact": "call me"}, "operation.contact"),
        (
            {"window": {"starts_at": "2026-12-01T10:00:00", "ends_at": "2026-12-01T11:00:00Z"}},
            "operation.window.starts_at",
        ),
    ],
)
def test_a_carried_operation_beyond_safety_or_malformed_is_refused_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    wire = carrying()
    with pytest.raises(InvalidInput) as refused:
        parse_probe({**wire, "operation": {**wire["operation"], **change}})
    assert refused.value.field == field


def test_a_probe_without_its_operation_is_still_read() -> None:
    wire = carrying()
    del wire["operation"]
    assert parse_probe(wire).operation is None and parse_probe(wire).agency_level is AgencyLevel.LOCAL

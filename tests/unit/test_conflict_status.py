"""A remote conflict's step on the wire: what crosses, what is refused, and how the copy changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from commonground.domain.conflict_status import PeerState, StatusChange, parse_status
from commonground.domain.disclosure import disclose_status_to_peer
from commonground.domain.errors import InvalidInput
from commonground.domain.model import ConflictStatus
from commonground.domain.policy import Level, Policy
from tests.unit import factories

AT = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


def wire(**change: Any) -> dict[str, Any]:
    body = StatusChange("s-1", "op-a", "op-b", PeerState.CLOSED, AT, {"name": "A"}, "operation cancelled").to_dict()
    return {**body, **change}


def test_a_step_reads_back_as_it_was_written() -> None:
    change = parse_status(wire())
    assert (change.state, change.at, change.reason) == (PeerState.CLOSED, AT, "operation cancelled")
    assert change.closing_note("feds") == "closed by installation feds: operation cancelled"
    assert PeerState.ACKNOWLEDGED.closes_as is None and PeerState.DISMISSED.closes_as is ConflictStatus.DISMISSED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"state": "forgotten"}, "state"),
        ({"at": "2026-12-02T17:00:00"}, "at"),  # no zone: refused, not guessed
        ({"ref": ""}, "ref"),
        ({"operation_id": 7}, "operation_id"),
        ({"counterpart_operation_id": "x" * 101}, "counterpart_operation_id"),
        ({"agency": "A"}, "agency"),
        ({"note": ""}, "note"),
    ],
)
def test_a_malformed_step_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_status(wire(**change))
    assert refused.value.field == field


def test_a_note_does_not_cross_to_a_peer_even_when_the_policy_gives_peers_full() -> None:
    owner = factories.agency("local", policy=Policy(disclose={"federal": Level.FULL, "local": Level.FULL}))
    op = factories.operation(owner)
    carried = disclose_status_to_peer(op, owner, "called SECRET contact")
    assert carried["level_disclosed"] == "safety" and "note" not in carried
    assert carried["agency"]["name"] == owner.name

"""What a peer's look-up may carry, and what this installation keeps of a peer's answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from commonground.domain.disclosure import Viewer, disclose_lookup_hit
from commonground.domain.errors import InvalidInput
from commonground.domain.federation_lookups import LookupAsk, parse_lookup_ask, remote_lookup_hit
from commonground.domain.policy import AgencyLevel
from commonground.service.federation_lookups import refusal_reason
from tests.unit import factories

AT = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
ASK = LookupAsk("ref-1", 44.9778, -93.265, 300.0, AT, "Feds dispatch", "MNFBI0100", AgencyLevel.FEDERAL)


def test_a_lookup_ask_travels_and_reads_back_as_sent() -> None:
    assert parse_lookup_ask(ASK.to_dict(), 5000) == ASK


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "a look-up carries no title"}, "title"),
        ({"subjects": []}, "subjects"),
        ({"radius_m": 0}, "radius_m"),
        ({"radius_m": 5001}, "radius_m"),
        ({"lat": 91}, "lat"),
        ({"lon": "east"}, "lon"),
        ({"at": "2026-12-01T13:00:00"}, "at"),  # no zone: refused, not guessed
        ({"ref": ""}, "ref"),
        ({"agency": {"name": "x", "ori": "y"}}, "agency"),
        ({"agency": {"name": "x", "ori": "y", "level": "county"}}, "agency.level"),
        ({"agency": {"name": "x\u0007", "ori": "y", "level": "local"}}, "agency.name"),
    ],
)
def test_a_lookup_ask_with_more_or_bad_values_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_lookup_ask({**ASK.to_dict(), **change}, 5000)
    assert refused.value.field == field


def hit() -> dict[str, Any]:
    owner = factories.agency()
    op = factories.operation(owner)
    return disclose_lookup_hit(op, owner, Viewer(None, AgencyLevel.FEDERAL), 12.34).to_dict()


def test_a_peer_hit_keeps_the_safety_fields_in_order_and_names_the_installation() -> None:
    sent = hit()
    kept = remote_lookup_hit("city", {**sent, "title": "SECRET", "notes": "SECRET", "subjects": [{"plate": "Q7"}]})
    assert "SECRET" not in str(kept) and "Q7" not in str(kept)
    assert list(kept) == [*(k for k in sent if k != "distance_m"), "distance_m", "installation"]
    assert kept["installation"] == {"name": "city"} and kept["distance_m"] == sent["distance_m"]


@pytest.mark.parametrize(
    "change",
    [{"level_disclosed": "full"}, {"distance_m": "near"}, {"distance_m": -1}, {"contact": None}, {"id": 7}],
)
def test_a_malformed_peer_hit_is_refused_not_shown_in_part(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="malformed"):
        remote_lookup_hit("city", {**hit(), **change})


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("peer city answered 422", "status"),
        ("digest: the body does not match", "digest"),
        ("too-old: created 300 s ago", "too-old"),
        ("malformed: the answer is not an answer to this look-up", "malformed"),
        ("peer city answered with another key", "signature"),
        ("Expecting value: line 1 column 1", "signature"),
    ],
)
def test_a_refused_answer_is_audited_with_its_reason(message: str, reason: str) -> None:
    assert refusal_reason(message) == reason

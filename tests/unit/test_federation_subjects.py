"""The pure parts of blinded subjects across installations: what a probe carries, matching, withholding."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from commonground.domain.blinding import blind_record
from commonground.domain.disclosure import withheld_across
from commonground.domain.errors import InvalidInput
from commonground.domain.federation import parse_probe, probe_of
from commonground.domain.federation_subjects import (
    ProbeSubjects,
    best_blinded_match,
    blinded_of,
    probe_subjects,
)
from commonground.domain.policy import Policy, Purpose
from commonground.domain.subjects import parse_subject
from commonground.domain.subjects.kinds import BlindedSubject
from tests.unit import factories

SECRET = b"the consortium's shared secret, 32+"
OTHER_SECRET = b"another consortium's secret, 32+ b"
MARIA = {"kind": "person", "first_name": "Maria", "last_name": "Delacruz", "dob": "1984-07-02"}
CLEAR_PHONE: dict[str, object] = {"kind": "phone", "number": "+1 612 555 0177"}


def encoding(person: dict[str, Any] = MARIA, secret: bytes = SECRET) -> BlindedSubject:
    subject = parse_subject(blind_record(person, secret), "s")
    assert isinstance(subject, BlindedSubject)
    return subject


def wire(subjects: list[dict[str, object]], restricted: frozenset[Purpose] = frozenset()) -> dict[str, Any]:
    owner = factories.agency("local", policy=Policy(restricted_purposes=restricted))
    op = factories.operation(owner)
    carried = probe_subjects(subjects, restricted, frozenset({Purpose.CRIMINAL}))
    return dict(replace(probe_of(op, owner.policy, owner.level), subjects=carried).to_dict())


def test_only_the_agencys_own_blinded_encodings_are_carried_never_a_clear_subject() -> None:
    blinded = blind_record(MARIA, SECRET)
    body = wire([blinded, CLEAR_PHONE], frozenset({Purpose.CIVIL_IMMIGRATION}))
    assert body["subjects"] == {
        "scheme": "clk-v1",
        "values": [blinded["value"]],
        "restricted_purposes": ["civil_immigration"],
        "missions": ["criminal"],
    }
    assert "555" not in str(body) and "Maria" not in str(body)
    parsed = parse_probe(body).subjects
    assert parsed is not None and parsed.encodings == (encoding(),)
    assert parsed.restricted_purposes == {Purpose.CIVIL_IMMIGRATION}


def test_an_operation_with_only_clear_subjects_sends_no_subjects_key() -> None:
    assert blinded_of([CLEAR_PHONE]) == ()
    assert "subjects" not in wire([CLEAR_PHONE])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"names": ["Maria"]}, "subjects.names"),
        ({"scheme": "clear"}, "subjects.scheme"),
        ({"values": []}, "subjects.values"),
        ({"values": ["not an encoding"]}, "subjects.values.0"),
        ({"values": [7]}, "subjects.values.0"),
        ({"restricted_purposes": ["snooping"]}, "subjects.restricted_purposes"),
        ({"missions": "criminal"}, "subjects.missions"),
    ],
)
def test_a_probe_subjects_field_beyond_encodings_or_malformed_is_refused_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    body = wire([blind_record(MARIA, SECRET)])
    with pytest.raises(InvalidInput) as refused:
        parse_probe({**body, "subjects": {**body["subjects"], **change}})
    assert refused.value.field == field


def test_the_same_person_matches_with_the_shared_secret_and_not_with_another_or_in_clear() -> None:
    accented = {**MARIA, "first_name": "María"}
    assert best_blinded_match([encoding()], [encoding(accented)]) == "blinded_person"
    assert best_blinded_match([encoding()], [encoding(accented, OTHER_SECRET)]) is None
    assert best_blinded_match([encoding()], [parse_subject(MARIA, "s")]) is None
    someone_else = {**MARIA, "first_name": "Joanna", "last_name": "Whitfield"}
    assert best_blinded_match([encoding()], [encoding(someone_else)]) is None


@pytest.mark.parametrize(
    ("owner_restricts", "peer_restricts", "peer_purpose", "peer_missions", "expected"),
    [
        (frozenset({Purpose.CIVIL_IMMIGRATION}), frozenset(), Purpose.CIVIL_IMMIGRATION, frozenset(), "owner"),
        (  # a mission of the asking agency holds whatever it declares
            frozenset({Purpose.CIVIL_IMMIGRATION}),
            frozenset(),
            Purpose.CRIMINAL,
            frozenset({Purpose.CIVIL_IMMIGRATION}),
            "owner",
        ),
        (frozenset(), frozenset({Purpose.CRIMINAL}), Purpose.CIVIL_IMMIGRATION, frozenset(), "peer"),
        (frozenset({Purpose.TRAINING}), frozenset({Purpose.TRAINING}), Purpose.CRIMINAL, frozenset(), None),
    ],
)
def test_a_match_is_withheld_when_either_side_restricts_the_others_purpose(
    owner_restricts: frozenset[Purpose],
    peer_restricts: frozenset[Purpose],
    peer_purpose: Purpose,
    peer_missions: frozenset[Purpose],
    expected: str | None,
) -> None:
    owner = factories.agency("local", policy=Policy(restricted_purposes=owner_restricts))
    local_op = factories.operation(owner)  # declares criminal
    peer = ProbeSubjects((encoding(),), peer_restricts, peer_missions)
    assert withheld_across(owner, local_op, frozenset(), peer_purpose, peer) == expected

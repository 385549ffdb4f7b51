"""Matching: the hard name cases, DOB tolerance, identifiers and blocking keys."""

from __future__ import annotations

import pytest

from commonground.domain.matching import blocking_keys, match, person_score, profile_score
from commonground.domain.names import fold
from commonground.domain.scoring import MATCH_THRESHOLD, dob_relation, dob_relation_clear, dob_tokens
from commonground.domain.subjects import (
    OtherIdSubject,
    PersonSubject,
    Subject,
    parse_subject,
)


def person(first: str | None, last: str | None, dob: str | None = "1980-04-17", **extra: object) -> PersonSubject:
    data: dict[str, object] = {"kind": "person", "first_name": first, "last_name": last, "dob": dob, **extra}
    p = parse_subject(data, "s")
    assert isinstance(p, PersonSubject)
    return p


def subject(**data: object) -> Subject:
    return parse_subject(data, "s")


def assert_match(a: Subject, b: Subject, kind: str = "person") -> None:
    m = match(a, b)
    assert m is not None and m.kind == kind
    assert m.score >= MATCH_THRESHOLD
    assert blocking_keys(a) & blocking_keys(b), "a matching pair must share a blocking key"
    assert match(b, a) is not None


def assert_no_match(a: Subject, b: Subject) -> None:
    assert match(a, b) is None
    assert match(b, a) is None


def test_fold_drops_diacritics_and_punctuation() -> None:
    assert fold("José O'Brien-Núñez") == "jose obrien nunez"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (person("José", "Núñez"), person("Jose", "Nunez")),
        (person("Maria", "Garcia"), person("Garcia", "Maria")),
        (person("Bill", "Turner"), person("William", "Turner")),
        (person("Liz", "Turner"), person("Elizabeth", "Turner")),
        (person("Bob", "Turner"), person("Robert", "Turner")),
        (person("Ana", "Garcia-Lopez"), person("Ana", "Garcia")),
        (person("Ana", "Garcia-Lopez"), person("Ana", "Lopez")),
        (person("Juan", "De la Cruz"), person("Juan", "Delacruz")),
        (person("Juan", "De la Cruz"), person("Juan", "Cruz")),
        (person("Katherine", "Smith"), person("Katherine", "Smiht")),
        (person("Jonathan", "Smith"), person("Jonathon", "Smith")),
        (person("Annika", "Boyle"), person("Annik a", "Boyle")),
    ],
)
def test_hard_name_cases_match(a: PersonSubject, b: PersonSubject) -> None:
    assert_match(a, b)


def test_alias_matches() -> None:
    a = person("Robert", "Fisher", aliases=["Tony Blake"])
    assert_match(a, person("Tony", "Blake"))
    assert_no_match(person("Robert", "Fisher"), person("Tony", "Blake"))


@pytest.mark.parametrize(
    ("dob_a", "dob_b", "relation"),
    [
        ("1980-04-07", "1980-04-07", "exact"),
        ("1980-04-07", "1980-07-04", "swap"),
        ("1980-04-07", "1980-04-01", "edit1"),
        ("1980-04-17", "1980-04-71", "edit1"),
        ("1980-04-07", "1908-04-07", "edit1"),
        ("1980-04-07", "1981-05-07", "differ"),
        ("1980-04-07", "2010-04-07", "differ"),
        ("1980-04-07", None, "missing"),
    ],
)
def test_dob_relation(dob_a: str, dob_b: str | None, relation: str) -> None:
    assert dob_relation(dob_tokens(dob_a), dob_tokens(dob_b)) == relation


@pytest.mark.parametrize(
    ("dob_a", "dob_b"), [("1980-04-07", "1980-07-04"), ("1980-04-07", "1980-04-01"), ("1980-04-07", "1981-04-07")]
)
def test_dob_swap_and_one_typo_still_match(dob_a: str, dob_b: str) -> None:
    assert_match(person("Maria", "Garcia", dob_a), person("Maria", "Garcia", dob_b))


def test_father_and_son_with_the_same_name_do_not_match() -> None:
    assert_no_match(person("John", "Smith", "1955-03-02"), person("John", "Smith", "1982-11-20"))
    # Not even when they share the address and a typo'd name.
    assert_no_match(person("John", "Smith", "1955-03-02"), person("Jon", "Smith", "1982-11-20"))


def test_missing_dob_needs_both_names_to_agree() -> None:
    """How rare the names are then decides (tests/unit/test_frequency.py); here, the averages."""
    assert_match(person("Maria", "Garcia", None), person("Maria", "Garcia", "1980-01-01"))
    assert_match(person("Maria", "Garcia", None), person("Maria", "Garcai", "1980-01-01"))
    assert_no_match(person("Maria", "Garcia", None), person(None, "Garcia", None))
    assert_no_match(person("Maria", "Garcia", None), person("Peter", "Garcia", "1980-01-01"))


def test_a_shared_dob_alone_is_not_identity() -> None:
    assert_no_match(person("Maria", "Garcia"), person("Peter", "Novak"))
    assert_no_match(person("Maria", None), person(None, "Novak"))


def test_opposite_sex_vetoes() -> None:
    assert_no_match(person("Sam", "Lee", sex="M"), person("Sam", "Lee", sex="F"))
    assert_match(person("Sam", "Lee", sex="M"), person("Sam", "Lee", sex="X"))


def test_score_is_monotone_in_evidence() -> None:
    exact = person_score(person("Maria", "Garcia"), person("Maria", "Garcia"))
    typo = person_score(person("Maria", "Garcia"), person("Maira", "Garcia", "1980-04-18"))
    assert 1.0 >= exact > typo >= MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("plate_a", "plate_b"),
    [("ABO123", "AB0123"), ("I23ABC", "123ABC"), ("8BC123", "BBC123"), ("ab-c 123", "ABC123")],
)
def test_plate_confusions_fold(plate_a: str, plate_b: str) -> None:
    a = subject(kind="vehicle", plate=plate_a, state="TX")
    b = subject(kind="vehicle", plate=plate_b, state="TX")
    assert_match(a, b, "vehicle")


def test_plate_needs_the_same_state_and_different_plates_differ() -> None:
    assert_no_match(
        subject(kind="vehicle", plate="ABC123", state="TX"), subject(kind="vehicle", plate="ABC123", state="OK")
    )
    assert_no_match(
        subject(kind="vehicle", plate="ABC123", state="TX"), subject(kind="vehicle", plate="ABC124", state="TX")
    )


def test_vin_matches_across_plate_and_vin_records() -> None:
    vin = "1M8GDM9AXKP042788"
    assert_match(
        subject(kind="vehicle", vin=vin), subject(kind="vehicle", plate="XYZ9", state="CA", vin=vin), "vehicle"
    )


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ({"kind": "phone", "number": "(202) 555-0143"}, {"kind": "phone", "number": "+1 202 555 0143"}, "phone"),
        ({"kind": "email", "email": "A@B.org"}, {"kind": "email", "email": "a@b.org"}, "email"),
        (
            {"kind": "address", "address": "123 North Main Street, Springfield, IL 62704"},
            {"kind": "address", "line1": "123 N Main St", "city": "Springfield", "state": "IL"},
            "address",
        ),
        (
            {"kind": "other", "id_kind": "fbi", "value": "12-34"},
            {"kind": "other", "id_kind": "fbi", "value": "1234"},
            "other",
        ),
    ],
)
def test_identifiers_match_exactly_after_normalisation(a: dict[str, object], b: dict[str, object], kind: str) -> None:
    assert_match(parse_subject(a, "a"), parse_subject(b, "b"), kind)


def test_identifiers_of_other_values_or_kinds_do_not_match() -> None:
    assert_no_match(subject(kind="phone", number="(202) 555-0143"), subject(kind="phone", number="(202) 555-0144"))
    assert_no_match(
        subject(kind="other", id_kind="fbi", value="1234"), subject(kind="other", id_kind="passport", value="1234")
    )
    assert_no_match(
        subject(kind="address", address="123 Main St, Springfield, IL 62704"),
        subject(kind="address", address="125 Main St, Springfield, IL 62704"),
    )
    assert_no_match(subject(kind="email", email="a@b.org"), person("A", "B"))


def test_blocking_keys_are_selective() -> None:
    keys = blocking_keys(person("Maria", "Garcia", "1980-04-07"))
    assert all(":" in k for k in keys)
    assert not blocking_keys(person("Maria", "Garcia", "1980-04-07")) & blocking_keys(
        person("Peter", "Novak", "1966-10-30")
    )


def test_profile_identifier_outweighs_a_wrong_dob() -> None:
    a: list[Subject] = [person("John", "Smith", "1955-03-02"), OtherIdSubject("fbi", "AB123")]
    b: list[Subject] = [person("John", "Smith", "1982-11-20"), OtherIdSubject("fbi", "AB123")]
    assert profile_score(a, b) >= MATCH_THRESHOLD
    c: list[Subject] = [person("John", "Smith", "1982-11-20"), OtherIdSubject("fbi", "ZZ999")]
    assert profile_score(a, c) < MATCH_THRESHOLD


def test_fast_dob_relation_agrees_with_the_variant_tokens_blinding_uses() -> None:
    import random
    from datetime import date, timedelta

    rng = random.Random(5)
    seen = set()
    for _ in range(20_000):
        a = date(1930, 1, 1) + timedelta(days=rng.randrange(30_000))
        x = a.isoformat()
        mutation = rng.randrange(4)
        if mutation == 0:  # one digit
            i = rng.choice([0, 1, 2, 3, 5, 6, 8, 9])
            y = x[:i] + str(rng.randrange(10)) + x[i + 1 :]
        elif mutation == 1:  # adjacent transposition
            i = rng.choice([0, 1, 2, 5, 8])
            y = x[:i] + x[i + 1] + x[i] + x[i + 2 :]
        elif mutation == 2:  # day/month swap
            y = f"{x[:4]}-{x[8:10]}-{x[5:7]}"
        else:
            y = (a + timedelta(days=rng.randrange(1, 9000))).isoformat()
        fast = dob_relation_clear(x, y)
        assert fast == dob_relation(dob_tokens(x), dob_tokens(y)), (x, y)
        seen.add(fast)
    assert seen == {"exact", "swap", "edit1", "differ"}

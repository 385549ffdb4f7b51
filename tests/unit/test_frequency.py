"""Name frequencies: rare names are strong evidence, common ones weak, the store's size sets the prior."""

from __future__ import annotations

import pytest

from commonground.domain.blinding import _field_key, bloom, filter_term
from commonground.domain.blinding import blind as blind_subject
from commonground.domain.frequency import (
    BLINDED_POPULATION,
    CALIBRATION_SIZE,
    CLEAR_POPULATION,
    NO_FREQUENCIES,
    NameFrequencies,
)
from commonground.domain.matching import blocking_keys, frequency_terms, match
from commonground.domain.subjects import PersonSubject, parse_subject

SECRET = b"agency-secret-0123456789abcdef"
MILLION = 1_000_000
# A store of a million persons: john and smith are common, thaddeus and okonkwo-hale rare.
BIG_STORE = {
    CLEAR_POPULATION: MILLION,
    "g:john": 30_000,
    "g:peter": 12_000,
    "f:smith": 10_000,
    "g:thaddeus": 50,
    "g:ezekiel": 40,
    "f:okonkwohale": 3,
    "f:okonkwohall": 1,
}


def person(first: str | None, last: str | None, dob: str | None = "1979-10-23") -> PersonSubject:
    p = parse_subject({"kind": "person", "first_name": first, "last_name": last, "dob": dob}, "s")
    assert isinstance(p, PersonSubject)
    return p


def blinded_counts(clear: dict[str, int]) -> dict[str, int]:
    """Return the counts the same store gives for blinded persons (filter digests, not names)."""
    key = _field_key(SECRET, "name")
    out = {BLINDED_POPULATION: clear[CLEAR_POPULATION]}
    for term, n in clear.items():
        if term.startswith(("g:", "f:")):
            out[filter_term(f"b{term[0]}:", bloom(key, term[2:]))] = n
    return out


def decide(a: PersonSubject, b: PersonSubject, counts: dict[str, int]) -> bool:
    """Return the decision for a clear pair, after checking the blinded pair decides the same."""
    clear = match(a, b, NameFrequencies(counts)) is not None
    blinded = match(blind_subject(a, SECRET), blind_subject(b, SECRET), NameFrequencies(blinded_counts(counts)))
    assert clear == (blinded is not None), "blinded matching must decide as clear matching does"
    assert clear == (match(b, a, NameFrequencies(counts)) is not None)
    return clear


def test_father_and_son_with_a_rare_name_and_other_dobs_stay_two_people() -> None:
    for counts in (BIG_STORE, {CLEAR_POPULATION: 10, "g:thaddeus": 2, "f:okonkwohale": 2}):
        assert not decide(
            person("Thaddeus", "Okonkwo-Hale", "1955-03-02"), person("Thaddeus", "Okonkwo-Hale", "1982-11-20"), counts
        )


def test_common_family_name_and_dob_with_another_given_name_is_not_a_match_in_a_big_store() -> None:
    a, b = person("John", "Smith"), person("Peter", "Smith")
    assert match(a, b) is not None  # the calibrated averages alone take them for one (the old failure)
    assert not decide(a, b, BIG_STORE)
    assert not decide(person("Peter", "Okonkwo-Hale"), person("Peter", "Smith"), BIG_STORE)


def test_rare_name_survives_a_dob_typo_where_a_common_one_does_not() -> None:
    assert decide(
        person("Thaddeus", "Okonkwo-Hale", "1979-10-23"), person("Thaddeus", "Okonkwo-Hale", "1979-10-28"), BIG_STORE
    )
    assert decide(
        person("Thaddeus", "Okonkwo-Hale", "1979-10-23"), person("Thaddeus", "Okonkwo-Hall", "1979-01-23"), BIG_STORE
    )
    assert not decide(person("John", "Smith", "1979-10-23"), person("John", "Smith", "1979-10-28"), BIG_STORE)


def test_exact_names_and_dob_match_however_common() -> None:
    assert decide(person("John", "Smith"), person("John", "Smith"), BIG_STORE)
    assert decide(person("John", "Smith"), person("John", "Smyth"), BIG_STORE)


def test_without_a_dob_only_a_rare_enough_full_name_matches() -> None:
    assert decide(person("Thaddeus", "Okonkwo-Hale", None), person("Thaddeus", "Okonkwo-Hall"), BIG_STORE)
    assert not decide(person("John", "Smith", None), person("John", "Smith"), BIG_STORE)
    assert not decide(person(None, "Okonkwo-Hale", None), person("Thaddeus", "Okonkwo-Hale"), BIG_STORE)
    assert not decide(person("Ezekiel", "Okonkwo-Hale", None), person("Thaddeus", "Okonkwo-Hale"), BIG_STORE)


def test_a_small_store_keeps_the_calibrated_model() -> None:
    """Three stored persons say next to nothing about one name: the averages stand."""
    small = NameFrequencies({CLEAR_POPULATION: 3, "g:john": 2, "f:smith": 3})
    assert small.size_prior(3) == 0.0
    assert abs(small.adjustment("last", "f:smith", "f:smith", 3)) < 0.25
    a, b = person("John", "Smith"), person("John", "Smiht", "1979-10-28")
    assert match(a, b, small) is not None and match(a, b) is not None
    assert NO_FREQUENCIES.size_prior(0) == 0.0


def test_the_prior_follows_the_store_size_and_frequencies_the_counts() -> None:
    freq = NameFrequencies(BIG_STORE)
    assert freq.size_prior(MILLION) == pytest.approx(-5.298, abs=1e-3)  # -ln(1e6 / 5e3)
    smith = freq.frequency("f:smith", MILLION, "last")
    assert smith == pytest.approx(0.01, rel=0.01)
    assert freq.adjustment("last", "f:smith", "f:smith", MILLION) < -1.0
    assert freq.adjustment("last", "f:okonkwohale", "f:okonkwohale", MILLION) > 4.0
    # Near agreement counts as much as the commoner of the two names.
    assert freq.adjustment("last", "f:okonkwohale", "f:smith", MILLION) == freq.adjustment(
        "last", "f:smith", "f:smith", MILLION
    )
    assert CALIBRATION_SIZE == 5000


def test_frequency_terms_count_names_and_the_population() -> None:
    p = parse_subject({"kind": "person", "first_name": "José", "last_name": "De la Cruz", "aliases": ["Joe Cruz"]}, "s")
    assert frequency_terms(p) == {CLEAR_POPULATION, "g:jose", "f:delacruz", "g:joe", "f:cruz"}
    blinded = frequency_terms(blind_subject(p, SECRET))
    assert BLINDED_POPULATION in blinded and not any("jose" in t or "cruz" in t for t in blinded)
    assert frequency_terms(blind_subject(person("Jose", "Cruz"), SECRET)) <= blinded | {"bg:"}
    assert frequency_terms(parse_subject({"kind": "phone", "number": "+1 612 555 0188"}, "s")) == frozenset()


def test_a_person_without_a_dob_shares_a_key_with_a_mistyped_name_with_a_dob() -> None:
    """A missing DOB stands for every birth year, so a typo'd name with a DOB is a candidate."""
    a, b = person("Thaddeus", "Okonkwo-Hale", None), person("Thadeus", "Okonkwo-Hall", "1979-10-23")
    assert blocking_keys(a) & blocking_keys(b)
    assert blocking_keys(blind_subject(a, SECRET)) & blocking_keys(blind_subject(b, SECRET))

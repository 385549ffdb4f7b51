"""Decide whether two subjects name the same person, vehicle, phone, address or identifier.

Identifiers match exactly after normalisation; persons get one calibrated score (a logistic
model over name-agreement levels and a DOB relation, weights fitted once and fixed below) and
one threshold. ``blocking_keys`` gives the strings a store indexes to find candidates.
See docs/matching.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import JaroWinkler

from commonground.domain.blinding import blinded_name_terms, match_blinded
from commonground.domain.frequency import CLEAR_POPULATION, NO_FREQUENCIES, NameFrequencies
from commonground.domain.identifiers import clear_blocking_keys, exact_ids
from commonground.domain.names import NameForm, _swapped_forms, first_similarity, last_similarity, name_forms
from commonground.domain.scoring import (
    JW_LEVELS,
    MATCH_THRESHOLD,
    PROFILE_WEIGHTS,
    VETOED_SCORE,
    NamePair,
    SubjectMatch,
    best_name_levels,
    dob_relation_clear,
    level,
    person_logit,
    sigmoid,
)
from commonground.domain.subjects.container import decode_container
from commonground.domain.subjects.kinds import AddressSubject, BlindedSubject, OtherIdSubject, PersonSubject, Subject


def _corroboration(a: Sequence[Subject], b: Sequence[Subject]) -> tuple[float, bool]:
    """Return the weight of identifiers given with two persons, and whether one agreed."""
    weight, agreed = 0.0, False
    ids_a = {s.id_kind: s.value for s in a if isinstance(s, OtherIdSubject)}
    ids_b = {s.id_kind: s.value for s in b if isinstance(s, OtherIdSubject)}
    for kind in ids_a.keys() & ids_b.keys():
        same = ids_a[kind] == ids_b[kind]
        weight += PROFILE_WEIGHTS["id"]["exact" if same else "differ"]
        agreed |= same
    addr_a = [s for s in a if isinstance(s, AddressSubject)]
    addr_b = [s for s in b if isinstance(s, AddressSubject)]
    if addr_a and addr_b:
        weight += max(_address_weight(x, y) for x in addr_a for y in addr_b)
    return weight, agreed


def _address_weight(x: AddressSubject, y: AddressSubject) -> float:
    """Return the evidence two addresses give: street line, locality and postcode."""
    w = 0.0
    for part, va, vb in (("street", x.line1, y.line1), ("locality", x.city, y.city)):
        if va and vb:
            sim = float(JaroWinkler.similarity(va, vb))
            w += PROFILE_WEIGHTS[part][level(sim, JW_LEVELS)]
    if x.postal_code and y.postal_code:
        w += PROFILE_WEIGHTS["postcode"]["exact" if x.postal_code == y.postal_code else "no"]
    return w


def profile_score(a: Sequence[Subject], b: Sequence[Subject], freq: NameFrequencies = NO_FREQUENCIES) -> float:
    """Return the score that two profiles (a person and identifiers given with them) match."""
    pa = next((s for s in a if isinstance(s, PersonSubject)), None)
    pb = next((s for s in b if isinstance(s, PersonSubject)), None)
    if pa is None or pb is None:
        return 1.0 if any(match(x, y, freq) for x in a for y in b) else 0.0
    extra, agreed = _corroboration(a, b)
    population = freq.population(CLEAR_POPULATION)
    names = best_name_levels(_clear_name_pairs(pa, pb), JW_LEVELS, freq, population)
    dob = dob_relation_clear(pa.dob, pb.dob)
    return sigmoid(person_logit(names, dob, agreed, freq.size_prior(population)) + extra)


def _terms(form: NameForm) -> tuple[str, str]:
    """Return the counted (given, family) terms of one clear name form."""
    return f"g:{form.first.replace(' ', '')}", f"f:{form.last_joined}"


def name_terms(p: PersonSubject) -> frozenset[str]:
    """Return what a store counts for a clear person: each given and family name, and one."""
    terms = {CLEAR_POPULATION}
    for form in name_forms(p):
        given, family = _terms(form)
        if form.first:
            terms.add(given)
        if form.last:
            terms.add(family)
    return frozenset(terms)


def _clear_name_pairs(a: PersonSubject, b: PersonSubject) -> list[NamePair]:
    """Return similarities and terms for every alias pairing, straight and swapped."""
    out: list[NamePair] = []
    for fa in name_forms(a):
        ga, fam_a = _terms(fa)
        for fb, swapped in zip(name_forms(b), _swapped_forms(b), strict=True):
            gb, fam_b = _terms(fb)
            out.append((first_similarity(fa.first, fb.first), last_similarity(fa, fb), ga, gb, fam_a, fam_b))
            # Swapped: a's given is compared with b's family name and the other way round.
            out.append((first_similarity(fa.first, swapped.first), last_similarity(fa, swapped), ga, fam_b, fam_a, gb))
    return out


def person_score(a: PersonSubject, b: PersonSubject, freq: NameFrequencies = NO_FREQUENCIES) -> float:
    """Return the calibrated probability-like score that two persons are one.

    ``freq`` (counted by the store) weighs each agreeing name by its rarity and sets the
    prior for the store's size; without it the calibrated averages apply.
    """
    dob = dob_relation_clear(a.dob, b.dob)
    if dob == "differ":
        return VETOED_SCORE  # no name can overturn the DOB veto; skip the name comparisons
    population = freq.population(CLEAR_POPULATION)
    names = best_name_levels(_clear_name_pairs(a, b), JW_LEVELS, freq, population)
    logit = person_logit(names, dob, prior=freq.size_prior(population))
    if a.sex and b.sex and {a.sex, b.sex} == {"M", "F"}:
        logit = min(logit, -1.0)  # recorded M vs F: not the same person, whatever the names
    return sigmoid(logit)


def blocking_keys(subject: Subject) -> frozenset[str]:
    """Return the index keys of a subject; any two subjects that may match share one."""
    if isinstance(subject, BlindedSubject):
        return frozenset(f"b:{t}" for t in decode_container(subject.value).tokens)
    return clear_blocking_keys(subject)


def match(a: Subject, b: Subject, freq: NameFrequencies = NO_FREQUENCIES) -> SubjectMatch | None:
    """Return how ``a`` and ``b`` match, or None when they are not taken as the same.

    ``freq``: name counts of the store both persons are in (see ``frequency_terms``).
    """
    if isinstance(a, PersonSubject) and isinstance(b, PersonSubject):
        score = person_score(a, b, freq)
        return SubjectMatch("person", score) if score >= MATCH_THRESHOLD else None
    if isinstance(a, BlindedSubject) and isinstance(b, BlindedSubject):
        return match_blinded(a, b, freq=freq)
    if a.kind != b.kind:
        return None
    return SubjectMatch(a.kind, 1.0) if exact_ids(a) & exact_ids(b) else None


def frequency_terms(subject: Subject) -> frozenset[str]:
    """Return the terms a store counts for a subject: its names and its population, if a person."""
    if isinstance(subject, PersonSubject):
        return name_terms(subject)
    if isinstance(subject, BlindedSubject):
        return blinded_name_terms(subject)
    return frozenset()

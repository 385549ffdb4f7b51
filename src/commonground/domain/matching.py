"""Decide whether two subjects name the same person, vehicle, phone, address or identifier.

Identifiers match exactly after normalisation; persons get one calibrated score (a logistic
model over name-agreement levels and a DOB relation, weights fitted once and fixed below) and
one threshold. ``blocking_keys`` gives the strings a store indexes to find candidates.
See docs/matching.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from commonground.domain.frequency import (
    ADJUSTED_LEVELS,
    CLEAR_POPULATION,
    NO_FREQUENCIES,
    NameFrequencies,
)
from commonground.domain.names import (
    NICKNAMES,
    NameForm,
    _swapped_forms,
    first_similarity,
    last_similarity,
    name_forms,
    soundex,
)
from commonground.domain.subjects import (
    AddressSubject,
    BlindedSubject,
    EmailSubject,
    OtherIdSubject,
    PersonSubject,
    PhoneSubject,
    Subject,
    VehicleSubject,
)

# Probability-like score above which a person pair is reported; fixed, see docs/matching.md.
MATCH_THRESHOLD = 0.5

# Fellegi-Sunter weights ln(m/u), m from FEBRL3 true pairs and u from random FEBRL3 pairs
# (`bench_matching.py --calibrate`); BIAS is minus the lowest total weight that kept precision
# >= 0.99 on FEBRL3. FEBRL4 is never used for fitting. See docs/matching.md.
BIAS = -7.90
NAME_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "first": {"exact": 5.25, "high": 4.45, "med": 3.49, "low": 0.03, "no": -1.96, "missing": 0.0},
    "last": {"exact": 5.36, "high": 5.32, "med": 4.23, "low": 1.01, "no": -2.34, "missing": 0.0},
}
# Policy, not fitted: "differ" is a veto (same name, other DOB = another person, e.g. father
# and son; FEBRL's wholesale DOB corruption would otherwise teach a mild -2.7), and a day/month
# swap, which FEBRL never generates, counts as much as one mistyped digit.
DOB_WEIGHTS: Mapping[str, float] = {
    "exact": 10.52,
    "swap": 2.45,
    "edit1": 2.45,
    "missing": 0.0,
    "differ": -12.0,
}
DOB_DIFFER_FITTED = -2.70
# Evidence from identifiers given with a person (profile matching), fitted like the above.
PROFILE_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "id": {"exact": 12.71, "differ": -1.94},
    "postcode": {"exact": 6.69, "no": -1.44},
    "street": {"exact": 9.97, "high": 7.50, "med": 5.39, "low": 2.26, "no": -2.05},
    "locality": {"exact": 6.52, "high": 6.52, "med": 4.57, "low": 0.44, "no": -2.42},
}
# Name-similarity cut-points: Jaro-Winkler for clear names, Dice for clk-v1 Bloom filters.
JW_LEVELS = (("exact", 0.999), ("high", 0.94), ("med", 0.88), ("low", 0.80))
DICE_LEVELS = (("exact", 0.999), ("high", 0.80), ("med", 0.65), ("low", 0.50))

# Birth years a DOB can have (intake refuses earlier ones); a person without a DOB is indexed
# under each. The upper end is far enough ahead that no re-index is needed for decades.
BIRTH_YEARS = range(1900, 2100)

_PLATE_FOLD = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "B": "8", "S": "5", "Z": "2"})


@dataclass(frozen=True, slots=True)
class SubjectMatch:
    """Why two subjects are taken as one: which identifier agreed, and how strongly."""

    kind: str
    score: float


def level(sim: float | None, cuts: Sequence[tuple[str, float]]) -> str:
    """Return the agreement level of a similarity ('missing' when a side is absent)."""
    if sim is None:
        return "missing"
    for name, cut in cuts:
        if sim >= cut:
            return name
    return "no"


@lru_cache(maxsize=65536)
def dob_tokens(dob: str | None) -> Mapping[str, str]:
    """Return DOB variants whose equality reveals exact, day/month swap and one-typo relations.

    Cached and shared: callers must not modify the mapping.
    """
    if not dob:
        return {}
    digits = dob.replace("-", "")
    tokens = {"x": digits}
    if digits[4:6] != digits[6:8]:
        tokens["s"] = digits[:4] + digits[6:8] + digits[4:6]
    for i in range(len(digits)):
        tokens[f"m{i}"] = digits[:i] + "*" + digits[i + 1 :]
    for i in range(len(digits) - 1):
        pair = "".join(sorted(digits[i : i + 2]))
        tokens[f"t{i}"] = digits[:i] + pair + digits[i + 2 :]
    return tokens


def dob_relation(a: Mapping[str, str], b: Mapping[str, str]) -> str:
    """Return exact, swap, edit1 (one wrong or two transposed digits), missing or differ."""
    if not a or not b:
        return "missing"
    if a["x"] == b["x"]:
        return "exact"
    if ("s" in a and a["s"] == b["x"]) or ("s" in b and b["s"] == a["x"]):
        return "swap"
    if any(k[0] in "mt" and b.get(k) == v for k, v in a.items()):
        return "edit1"
    return "differ"


def dob_relation_clear(a: str | None, b: str | None) -> str:
    """Return what ``dob_relation`` returns for the variants of two ISO dates, faster."""
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    x, y = a.replace("-", ""), b.replace("-", "")
    if x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]:
        return "swap"
    diffs = [i for i in range(len(x)) if x[i] != y[i]]
    if len(diffs) == 1:
        return "edit1"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]] and x[diffs[1]] == y[diffs[0]]:
        return "edit1"
    return "differ"


_AGREEING = frozenset({"exact", "high", "med"})
# The score of a vetoed pair (DOB differs): below any threshold, equal for all such pairs.
VETOED_SCORE = 1.0 / (1.0 + math.exp(1.0))


@dataclass(frozen=True, slots=True)
class NameEvidence:
    """The name alignment with the most evidence: its two levels and their summed weight.

    The weight includes the term-frequency adjustment of each agreeing name.
    """

    first: str
    last: str
    weight: float


def person_logit(names: NameEvidence, dob: str, corroborated: bool = False, prior: float = 0.0) -> float:
    """Return the log-odds that a pair is one person from name evidence and the DOB relation.

    ``prior`` shifts the calibrated bias for the store's size (``NameFrequencies.size_prior``).
    ``corroborated`` (an identifier given with both persons agrees) lifts the name-only
    guards and replaces the DOB veto by its fitted weight.
    """
    first, last = names.first, names.last
    dob_w = DOB_DIFFER_FITTED if corroborated and dob == "differ" else DOB_WEIGHTS[dob]
    logit = BIAS + prior + names.weight + dob_w
    if corroborated:
        return logit
    if dob == "differ":
        # Same name, other DOB: another person (father and son), whatever else they share.
        return min(logit, -1.0)
    if dob == "missing" and not (first in _AGREEING and last in _AGREEING):
        # Without a DOB both names must agree; how rare they are decides (docs/matching.md).
        logit = min(logit, -1.0)
    if first not in _AGREEING and last not in _AGREEING:
        # A shared DOB is never identity by itself: some name must agree.
        logit = min(logit, -1.0)
    return logit


def sigmoid(logit: float) -> float:
    """Return the probability of log-odds ``logit`` (clamped against overflow)."""
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))


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


# One name alignment: (given similarity, family similarity, and the counted terms of the two
# given names and of the two family names compared, in that order).
NamePair = tuple[float | None, float | None, str, str, str, str]


def best_name_levels(
    pairs: Iterable[NamePair],
    cuts: Sequence[tuple[str, float]],
    freq: NameFrequencies = NO_FREQUENCIES,
    population: int = 0,
) -> NameEvidence:
    """Return the name alignment with the most evidence, agreeing names weighed by rarity."""
    best = NameEvidence("missing", "missing", 0.0)
    best_w = -math.inf
    for sim_first, sim_last, first_a, first_b, last_a, last_b in pairs:
        lv_first, lv_last = level(sim_first, cuts), level(sim_last, cuts)
        w = NAME_WEIGHTS["first"][lv_first] + NAME_WEIGHTS["last"][lv_last]
        if population:  # no persons counted: the calibrated averages stand
            if lv_first in ADJUSTED_LEVELS:
                w += freq.adjustment("first", first_a, first_b, population)
            if lv_last in ADJUSTED_LEVELS:
                w += freq.adjustment("last", last_a, last_b, population)
        if w > best_w:
            best, best_w = NameEvidence(lv_first, lv_last, w), w
    return best


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


def fold_plate(plate: str) -> str:
    """Return the plate with look-alike characters folded (O/0, I/1, B/8, S/5, Z/2)."""
    return plate.upper().translate(_PLATE_FOLD)


def _address_ids(a: AddressSubject) -> set[str]:
    """Return exact identities of an address: street line with ZIP5, or with city and state."""
    base = f"{a.line1}|{a.line2 or ''}"
    ids = set()
    if a.postal_code:
        ids.add(f"{base}|z{a.postal_code[:5]}")
    if a.city and a.state:
        ids.add(f"{base}|c{a.city}|{a.state}")
    return ids


def _exact_ids(s: Subject) -> set[str]:
    """Return the exact-identity strings of a non-person subject."""
    if isinstance(s, VehicleSubject):
        ids = {f"vin:{s.vin}"} if s.vin else set()
        if s.plate and s.state:
            ids.add(f"plate:{s.state}:{fold_plate(s.plate)}")
        return ids
    if isinstance(s, PhoneSubject):
        return {f"phone:{s.number}"}
    if isinstance(s, EmailSubject):
        return {f"email:{s.email}"}
    if isinstance(s, AddressSubject):
        return {f"addr:{i}" for i in _address_ids(s)}
    if isinstance(s, OtherIdSubject):
        return {f"other:{s.id_kind}:{s.value}"}
    return set()


def person_blocking_keys(p: PersonSubject) -> frozenset[str]:
    """Return person keys: canonical DOB; name-code pair with year, and with day+month.

    The canonical DOB sorts day and month, so a swap shares it (~70 people per key at 1M). A
    single DOB typo keeps either the year or the day+month, each paired with the unordered
    Soundex codes of a given and a family name (first/last swaps share keys). Without a DOB
    the exact full name, and the name codes with every possible birth year.
    """
    codes: set[tuple[str, str]] = set()
    keys: set[str] = set()
    for form in name_forms(p):
        firsts = form.first.split()
        first_codes = {soundex(t) for t in firsts} | {soundex(NICKNAMES.get(t, t)) for t in firsts}
        last_codes = {soundex(t) for t in form.last_tokens}
        if form.last:
            last_codes.add(soundex(form.last.replace(" ", "")))
        codes |= {(f, c) if f <= c else (c, f) for f in first_codes for c in last_codes if f and c}
        if form.first and form.last:
            first = form.first.replace(" ", "")
            exact = sorted((NICKNAMES.get(first, first), form.last.replace(" ", "")))
            keys.add(f"pn:{exact[0]}:{exact[1]}")
    if not p.dob:
        # A missing DOB could be any birth year: carrying the name-code key of every year lets
        # a person with a DOB and a mistyped name find this one (and it find them) through the
        # keys persons with a DOB already have, without widening their candidate sets.
        keys.update(f"py:{f}:{c}:{year}" for f, c in codes for year in BIRTH_YEARS)
        return frozenset(keys)
    year, month, day = p.dob[:4], p.dob[5:7], p.dob[8:10]
    month_day = "".join(sorted((month, day)))
    keys.add(f"pd:{year}{month_day}")
    for f, c in codes:
        keys.add(f"py:{f}:{c}:{year}")
        keys.add(f"pm:{f}:{c}:{month_day}")
    return frozenset(keys)


def blocking_keys(subject: Subject) -> frozenset[str]:
    """Return the index keys of a subject; any two subjects that may match share one."""
    if isinstance(subject, PersonSubject):
        return person_blocking_keys(subject)
    if isinstance(subject, BlindedSubject):
        from commonground.domain.blinding import decode_container

        return frozenset(f"b:{t}" for t in decode_container(subject.value).tokens)
    return frozenset(_exact_ids(subject))


def match(a: Subject, b: Subject, freq: NameFrequencies = NO_FREQUENCIES) -> SubjectMatch | None:
    """Return how ``a`` and ``b`` match, or None when they are not taken as the same.

    ``freq``: name counts of the store both persons are in (see ``frequency_terms``).
    """
    if isinstance(a, PersonSubject) and isinstance(b, PersonSubject):
        score = person_score(a, b, freq)
        return SubjectMatch("person", score) if score >= MATCH_THRESHOLD else None
    if isinstance(a, BlindedSubject) and isinstance(b, BlindedSubject):
        from commonground.domain.blinding import match_blinded

        return match_blinded(a, b, freq=freq)
    if a.kind != b.kind:
        return None
    return SubjectMatch(a.kind, 1.0) if _exact_ids(a) & _exact_ids(b) else None


def frequency_terms(subject: Subject) -> frozenset[str]:
    """Return the terms a store counts for a subject: its names and its population, if a person."""
    if isinstance(subject, PersonSubject):
        return name_terms(subject)
    if isinstance(subject, BlindedSubject):
        from commonground.domain.blinding import blinded_name_terms

        return blinded_name_terms(subject)
    return frozenset()

"""The person model both clear and blinded matching use: agreement levels, DOB relations, weights.

A logistic model over name-agreement levels and a DOB relation, weights fitted once and fixed
below (docs/matching.md); kept apart so ``blinding`` and ``matching`` share it without a cycle.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from commonground.domain.frequency import ADJUSTED_LEVELS, NO_FREQUENCIES, NameFrequencies

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

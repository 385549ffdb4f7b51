"""How common a name is among the persons a store holds, and what that does to the evidence.

Agreeing on a rare family name is strong evidence that two records are one person; agreeing
on "smith" is weak. The calibrated weights (``matching.NAME_WEIGHTS``) are averages over the
names of a 5,000-record file, so they over-reward common names and under-reward rare ones,
and their bias assumes a store of that size. ``NameFrequencies`` carries the counts a store
keeps (pure data, passed in), and this module turns them into the term-frequency adjustment
of each name comparison and the prior of the store's size. See docs/matching.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

# The population the weights were calibrated on (FEBRL3, 5,000 records): the bias is right
# for a store of this size, and frequencies are shrunk towards the average with this weight.
CALIBRATION_SIZE = 5000
# Average u of exact agreement (FEBRL3 random pairs, `bench_matching.py --calibrate`): what the
# fixed exact-level weights assume the frequency of any name to be.
U_EXACT: Mapping[str, float] = {"first": 0.00326, "last": 0.00293}
# Levels whose weight says "these two are the same name": the frequency of that name decides
# how much the agreement is worth. Low/no/missing carry no name to count.
ADJUSTED_LEVELS = frozenset({"exact", "high", "med"})
# Counted once per person subject; the denominator of every frequency. Blinded persons are a
# population of their own: their name terms cannot be compared with clear ones.
CLEAR_POPULATION = "#p"
BLINDED_POPULATION = "#b"


@dataclass(frozen=True, slots=True)
class NameFrequencies:
    """How many stored persons carry each name term, and how many persons there are.

    ``counts`` maps terms (``name_terms`` / ``blinded_name_terms``) to counts and must hold the
    population terms; a term that is absent counts zero. An empty mapping means "no store
    figures": every adjustment is zero and the prior is the calibrated one.
    """

    counts: Mapping[str, int] = field(default_factory=dict)

    def population(self, term: str) -> int:
        """Return how many persons of the population ``term`` (clear or blinded) are counted."""
        return max(0, self.counts.get(term, 0))

    def frequency(self, term: str, population: int, position: str) -> float:
        """Return the share of persons carrying ``term``, shrunk towards the calibrated average.

        A store smaller than the calibration file knows less about one name than the
        calibration knew about the average, so the estimate starts at the average and moves
        to the counted share as the store grows (a Bayesian mean with CALIBRATION_SIZE
        pseudo-persons).
        """
        prior = U_EXACT[position]
        count = min(max(0, self.counts.get(term, 0)), population)
        return (count + CALIBRATION_SIZE * prior) / (population + CALIBRATION_SIZE)

    def adjustment(self, position: str, term_a: str, term_b: str, population: int) -> float:
        """Return ln(u_average / u_this_name) for one agreeing name comparison.

        The name agreed on is the commoner of the two: for exact agreement both are the same
        term; for a near agreement (smith ~ smyth) a common second name means two real names
        rather than a typo, so the higher frequency is the honest u.
        """
        u = max(self.frequency(term_a, population, position), self.frequency(term_b, population, position))
        return math.log(U_EXACT[position] / u)

    def size_prior(self, population: int) -> float:
        """Return the change in prior log-odds for a store of ``population`` persons.

        One stored person is the probe's with probability ~ k / N: the calibrated bias holds for
        N = CALIBRATION_SIZE, and every tenfold growth makes a chance agreement ten times likelier
        to be with somebody else. Smaller stores keep the calibrated bias (never more lenient).
        """
        return -math.log(max(population, CALIBRATION_SIZE) / CALIBRATION_SIZE)


NO_FREQUENCIES = NameFrequencies()

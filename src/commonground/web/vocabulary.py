"""The operation form's choices, taken from the rules' own vocabulary, with the words a person reads.

The console must offer exactly what the API accepts: the lists come from `domain`, never a copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from commonground.domain.incidents import IncidentKind
from commonground.domain.model import DEFAULT_RISK, OPERATION_TYPES, Attire, Risk
from commonground.domain.policy import Purpose

# Where the plain reading of an identifier ("buy_bust" → "Buy bust") is not what people say.
SPOKEN = {"buy_bust": "Buy-bust", "other": "Other"}


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


def label(value: str) -> str:
    """The words for one identifier: "knock_and_talk" reads "Knock and talk"."""
    return SPOKEN.get(value) or value.replace("_", " ").capitalize()


def choices(values: Iterable[str]) -> tuple[Choice, ...]:
    """The identifiers as choices, ordered by what a person reads."""
    return tuple(sorted((Choice(v, label(v)) for v in values), key=lambda c: (c.value == "other", c.label)))


def operation_form() -> dict[str, Any]:
    """Everything the form's selects need: each list, and the default the API applies."""
    return {
        "types": choices(OPERATION_TYPES),
        "purposes": choices(p.value for p in Purpose),
        "attires": choices(a.value for a in Attire),
        "risks": tuple(Choice(r.value, label(r.value)) for r in Risk),  # low, medium, high: their own order
        "default_risk": DEFAULT_RISK.value,
        "incident_kinds": tuple(Choice(k.value, label(k.value)) for k in IncidentKind),  # the API's order
    }

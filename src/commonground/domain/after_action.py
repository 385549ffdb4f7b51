"""After-action: how an operation ended and whom it met, kept with the operation when it completes.

The encounters are the near-misses of the field (a local unit answering a 911 call about the team,
two teams meeting unannounced); counted, they show where deconfliction failed or was skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from commonground.domain.drafts import objects, text
from commonground.domain.errors import InvalidInput

MAX_ENCOUNTERS = 20


class Outcome(StrEnum):
    COMPLETED_AS_PLANNED = "completed_as_planned"
    CHANGED = "changed"
    ABORTED = "aborted"


class EncounterKind(StrEnum):
    BLUE_ON_BLUE = "blue_on_blue"
    LOCAL_RESPONSE_TO_911 = "local_response_to_911"
    CROWD = "crowd"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Encounter:
    kind: EncounterKind
    note: str
    with_agency_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "note": self.note}
        if self.with_agency_id is not None:
            out["with_agency_id"] = self.with_agency_id
        return out


@dataclass(frozen=True, slots=True)
class AfterAction:
    outcome: Outcome
    summary: str | None
    encounters: tuple[Encounter, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome.value, "encounters": [e.to_dict() for e in self.encounters]}
        if self.summary is not None:
            out["summary"] = self.summary
        return out

    def counted(self) -> AfterAction:
        """What retention keeps: the outcome and the kinds of encounter reports count, not the words."""
        return AfterAction(self.outcome, None, tuple(Encounter(e.kind, "", e.with_agency_id) for e in self.encounters))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AfterAction:
        """Read back what ``to_dict`` stored (already validated when it was kept)."""
        return cls(
            Outcome(raw["outcome"]),
            raw.get("summary"),
            tuple(
                Encounter(EncounterKind(e["kind"]), e["note"], e.get("with_agency_id"))
                for e in raw.get("encounters", [])
            ),
        )


def _choice(raw: Mapping[str, Any], key: str, field: str, kind: type[StrEnum]) -> Any:
    value = raw.get(key)
    try:
        return kind(str(value))
    except ValueError:
        raise InvalidInput(field, f"must be one of {', '.join(m.value for m in kind)}") from None


def parse_after_action(raw: Mapping[str, Any] | None) -> AfterAction | None:
    """Return the after-action a completion gives, or None when it gives none (it is never required)."""
    if raw is None or not raw:
        return None
    outcome = _choice(raw, "outcome", "outcome", Outcome)
    summary = text(raw, "summary", "summary", required=False, limit=4000, multiline=True)
    encounters = objects(raw.get("encounters") or None, "encounters", MAX_ENCOUNTERS, _encounter)
    return AfterAction(outcome, summary, encounters)


def _encounter(item: Mapping[str, Any], field: str) -> Encounter:
    note = text(item, "note", f"{field}.note", required=True, limit=2000, multiline=True)
    with_agency = text(item, "with_agency_id", f"{field}.with_agency_id", required=False, limit=36)
    assert note is not None
    return Encounter(_choice(item, "kind", f"{field}.kind", EncounterKind), note, with_agency)

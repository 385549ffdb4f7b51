"""Participation figures per agency and period, and the public form of them that hides small counts.

The figures are counts over what the installation holds; the public form shows every count below
``SMALL`` as ``"<10"`` (a small count can point at one operation) and keeps no per-operation data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil
from typing import Any

# Counts below this are shown as "<10" in the public report.
SMALL = 10
HIDDEN = f"<{SMALL}"


@dataclass(frozen=True, slots=True)
class EntryFact:
    """One operation as the report counts it: no place, no time of day, no subject."""

    agency_id: str
    type: str
    exigent: bool
    phone_in: bool
    notice: str
    day: date | None = None  # the UTC day it was entered: the timeline's, never finer


@dataclass(frozen=True, slots=True)
class ConflictFact:
    """One conflict as the report counts it, for each of its two agencies."""

    agency_a: str
    agency_b: str
    kind: str
    status: str
    outcome: str | None
    detected_at: datetime
    ack_a_at: datetime | None
    ack_b_at: datetime | None


@dataclass(frozen=True, slots=True)
class AgencyFigures:
    """What one agency did in the period; every figure a count but the acknowledgement times."""

    agency_id: str
    name: str
    operations: int = 0
    operations_by_type: Mapping[str, int] = field(default_factory=dict)
    exigent: int = 0
    phone_in: int = 0
    notices_by_timing: Mapping[str, int] = field(default_factory=dict)
    notices_by_host_response: Mapping[str, int] = field(default_factory=dict)  # how hosts answered its notices
    conflicts: int = 0
    conflicts_by_kind: Mapping[str, int] = field(default_factory=dict)
    conflicts_by_outcome: Mapping[str, int] = field(default_factory=dict)
    acknowledgements: int = 0
    ack_median_s: float | None = None
    ack_p90_s: float | None = None
    lookups: int = 0
    suppressed_subject_matches: int = 0
    near_misses: int = 0  # met another team without knowing (reported near-misses it was involved in)
    incidents: int = 0  # critical incidents its operations reported

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency_id": self.agency_id,
            "agency": self.name,
            "operations": self.operations,
            "operations_by_type": dict(sorted(self.operations_by_type.items())),
            "exigent": self.exigent,
            "phone_in": self.phone_in,
            "notices_by_timing": dict(sorted(self.notices_by_timing.items())),
            "notices_by_host_response": dict(sorted(self.notices_by_host_response.items())),
            "conflicts": self.conflicts,
            "conflicts_by_kind": dict(sorted(self.conflicts_by_kind.items())),
            "conflicts_by_outcome": dict(sorted(self.conflicts_by_outcome.items())),
            "acknowledgements": self.acknowledgements,
            "ack_median_s": self.ack_median_s,
            "ack_p90_s": self.ack_p90_s,
            "lookups": self.lookups,
            "suppressed_subject_matches": self.suppressed_subject_matches,
            "near_misses": self.near_misses,
            "incidents": self.incidents,
        }


def percentile(values: list[float], share: float) -> float | None:
    """Return the nearest-rank percentile ``share`` (0-1) of ``values``, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, ceil(share * len(ordered)) - 1)]


def _outcome(fact: ConflictFact) -> str:
    """Name how a conflict stands: its outcome once resolved, else its status."""
    return fact.outcome or ("other" if fact.status == "resolved" else fact.status)


def figures(
    names: Mapping[str, str],
    entries: Iterable[EntryFact],
    conflicts: Iterable[ConflictFact],
    lookups: Mapping[str, int],
    suppressed: Mapping[str, int],
    host_responses: Iterable[tuple[str, str]] = (),
    near_misses: Mapping[str, int] | None = None,
    incidents: Mapping[str, int] | None = None,
) -> list[AgencyFigures]:
    """Return each agency's figures (every agency in ``names``, by name), counting each conflict for both sides."""
    ops: dict[str, list[EntryFact]] = {agency_id: [] for agency_id in names}
    for entry in entries:
        ops.setdefault(entry.agency_id, []).append(entry)
    sides: dict[str, list[tuple[ConflictFact, datetime | None]]] = {agency_id: [] for agency_id in names}
    for conflict in conflicts:
        sides.setdefault(conflict.agency_a, []).append((conflict, conflict.ack_a_at))
        if conflict.agency_b != conflict.agency_a:
            sides.setdefault(conflict.agency_b, []).append((conflict, conflict.ack_b_at))
    answered: dict[str, Counter[str]] = {}
    for operating_agency, response in host_responses:  # (the operation's agency, the host's answer)
        answered.setdefault(operating_agency, Counter())[response] += 1
    met, reported = near_misses or {}, incidents or {}
    out = []
    for agency_id in sorted(
        set(ops) | set(sides) | set(lookups) | set(suppressed) | set(answered) | set(met) | set(reported),
        key=lambda a: names.get(a, a),
    ):
        mine, theirs = ops.get(agency_id, []), sides.get(agency_id, [])
        waits = [(at - c.detected_at).total_seconds() for c, at in theirs if at is not None]
        out.append(
            AgencyFigures(
                agency_id=agency_id,
                name=names.get(agency_id, agency_id),
                operations=len(mine),
                operations_by_type=Counter(e.type for e in mine),
                exigent=sum(e.exigent for e in mine),
                phone_in=sum(e.phone_in for e in mine),
                notices_by_timing=Counter(e.notice for e in mine),
                notices_by_host_response=answered.get(agency_id, Counter()),
                conflicts=len(theirs),
                conflicts_by_kind=Counter(c.kind for c, _ in theirs),
                conflicts_by_outcome=Counter(_outcome(c) for c, _ in theirs),
                acknowledgements=len(waits),
                ack_median_s=percentile(waits, 0.5),
                ack_p90_s=percentile(waits, 0.9),
                lookups=lookups.get(agency_id, 0),
                suppressed_subject_matches=suppressed.get(agency_id, 0),
                near_misses=met.get(agency_id, 0),
                incidents=reported.get(agency_id, 0),
            )
        )
    return out


def hide_small(value: Any) -> Any:
    """Return ``value`` with every count below ``SMALL`` replaced by ``"<10"``, nested mappings included."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return HIDDEN if value < SMALL else value
    if isinstance(value, Mapping):
        return {k: hide_small(v) for k, v in value.items()}
    return value


def public_figures(agency: AgencyFigures) -> dict[str, Any]:
    """Return one agency's figures as the public report shows them.

    Counts below ``SMALL`` read ``"<10"``; the acknowledgement times are shown only when at least
    ``SMALL`` acknowledgements stand behind them (else null), since a time from one or two
    acknowledgements describes one conflict.
    """
    shown = {k: hide_small(v) for k, v in agency.to_dict().items() if k not in ("ack_median_s", "ack_p90_s")}
    enough = agency.acknowledgements >= SMALL
    shown["ack_median_s"] = agency.ack_median_s if enough else None
    shown["ack_p90_s"] = agency.ack_p90_s if enough else None
    return shown


# A period up to this long is drawn per day; a longer one per week (a 400-day report: 58 points).
DAILY_UP_TO = timedelta(days=62)


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """The operations entered and conflicts detected in one day or week of the period."""

    starts_on: date
    operations: int = 0
    conflicts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"starts_on": self.starts_on.isoformat(), "operations": self.operations, "conflicts": self.conflicts}


def timeline(
    since: datetime,
    until: datetime,
    entries: Iterable[EntryFact],
    conflicts: Iterable[ConflictFact],
    agency_id: str | None = None,
) -> tuple[str, list[TimelinePoint]]:
    """Return ``("day" | "week", points)``: counts per UTC day of the period, or per 7 days from its first.

    ``agency_id``: only that agency's operations and the conflicts it is a side of; each conflict
    is counted once, not once per side."""
    first, last = since.date(), (until - timedelta(microseconds=1)).date()
    step = 1 if until - since <= DAILY_UP_TO else 7
    points = [first + timedelta(days=d) for d in range(0, (last - first).days + 1, step)]
    ops: Counter[int] = Counter()
    found: Counter[int] = Counter()
    for entry in entries:
        if entry.day is not None and agency_id in (None, entry.agency_id):
            ops[(entry.day - first).days // step] += 1
    for conflict in conflicts:
        if agency_id in (None, conflict.agency_a, conflict.agency_b):
            found[(conflict.detected_at.date() - first).days // step] += 1
    interval = "day" if step == 1 else "week"
    return interval, [TimelinePoint(day, ops[i], found[i]) for i, day in enumerate(points)]

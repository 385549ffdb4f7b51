"""The conflict rule, decided once here for every store.

Two live operations conflict when their areas' edges come within the proximity distance
(the larger of the two agencies' ``proximity_m``) while their windows, each widened by
the larger of the two agencies' ``time_buffer_min``, overlap. Stores only propose
candidates; this module decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from commonground.domain.geometry import edge_distance_m
from commonground.domain.model import ConflictKind, Operation
from commonground.domain.policy import Policy
from commonground.domain.targets import Side
from commonground.domain.timewindow import TimeWindow


@dataclass(frozen=True, slots=True)
class Finding:
    """A conflict the rule found, before it is stored."""

    operation: Side  # a case target's subjects are matched as an operation's are (domain/targets.py)
    other: Side
    kind: ConflictKind
    distance_m: float | None
    overlap: TimeWindow | None
    match_kind: str | None = None


@dataclass(frozen=True, slots=True)
class SearchReach:
    """How far around an operation a store must look for candidates."""

    margin_m: float
    time_pad: timedelta


def reach(policy: Policy, installation_max_proximity_m: int, installation_max_buffer_min: int) -> SearchReach:
    """Cover the widest rule any counterpart agency might apply."""
    proximity = max(policy.proximity_m, installation_max_proximity_m)
    buffer = max(policy.time_buffer_min, installation_max_buffer_min)
    # The other window is widened too, so look two buffers out.
    return SearchReach(margin_m=float(proximity), time_pad=timedelta(minutes=2 * buffer))


def can_conflict(op: Operation, other: Operation) -> bool:
    return op.id != other.id and op.status.is_live and other.status.is_live and not op.shares_case_with(other)


def proximity_finding(op: Operation, other: Operation, mine: Policy, theirs: Policy) -> Finding | None:
    """Apply the rule to one pair; ``None`` when they are clear of each other."""
    if not can_conflict(op, other):
        return None
    buffer = timedelta(minutes=max(mine.time_buffer_min, theirs.time_buffer_min))
    overlap = op.window.widened(buffer).overlap(other.window.widened(buffer))
    if overlap is None:
        return None
    distance = edge_distance_m(op.area, other.area)
    if distance > max(mine.proximity_m, theirs.proximity_m):
        return None
    # Report the real shared time when there is one; the buffered span only otherwise.
    shared = op.window.overlap(other.window) or overlap
    return Finding(op, other, ConflictKind.PROXIMITY, round(distance, 1), shared)


def find_proximity(op: Operation, candidates: Iterable[Operation], policy_of: Callable[[str], Policy]) -> list[Finding]:
    """Decide which candidates truly conflict with ``op``."""
    mine = policy_of(op.agency_id)
    found = []
    for other in candidates:
        finding = proximity_finding(op, other, mine, policy_of(other.agency_id))
        if finding is not None:
            found.append(finding)
    return found

"""Subject deconfliction inside the check: the same person, car or phone in two operations, or in an
operation and a case target, or in two agencies' case targets (domain/targets.py).

A subject conflict says which kind of identifier matched, never the values. When either
agency restricts the other operation's purpose, the match is not made known to anyone:
it is only counted, without identifiers, in the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain.conflicts import Finding, can_conflict
from commonground.domain.disclosure import restricted_by_mission, restricted_towards
from commonground.domain.frequency import BLINDED_POPULATION, CLEAR_POPULATION, NameFrequencies
from commonground.domain.geometry import edge_distance_m
from commonground.domain.matching import blocking_keys, frequency_terms, match
from commonground.domain.model import Agency, ConflictKind, Operation
from commonground.domain.policy import Purpose
from commonground.domain.subjects import Subject, parse_subject, subject_to_dict
from commonground.domain.targets import Side, Target, may_match
from commonground.service.ports import Transaction


def normalise_subject(data: Mapping[str, object], field: str) -> Mapping[str, object]:
    """Parse and normalise a submitted subject; what is stored is the normal form."""
    return subject_to_dict(parse_subject(data, field))


def _parsed(op: Side) -> list[Subject]:
    return [parse_subject(s, f"subjects.{i}") for i, s in enumerate(op.subjects)]


def _frequencies(tx: Transaction, subjects: Sequence[Subject]) -> NameFrequencies:
    """Return the store's counts of the name terms of ``subjects`` and of both populations.

    The counts include the checked operation itself, which is indexed first: a name counts
    at least once, and a store of one person is a store of one.
    """
    terms = {t for s in subjects for t in frequency_terms(s)}
    if not terms:
        return NameFrequencies()
    return NameFrequencies(tx.subjects.count_terms(terms | {CLEAR_POPULATION, BLINDED_POPULATION}))


def _best_match(mine: list[Subject], theirs: list[Subject], freq: NameFrequencies) -> str | None:
    best: tuple[float, str] | None = None
    for a in mine:
        keys = blocking_keys(a)
        for b in theirs:
            if not keys & blocking_keys(b):
                continue
            found = match(a, b, freq)
            if found is not None and (best is None or found.score > best[0]):
                best = (found.score, found.kind)
    return None if best is None else best[1]


def _live(side: Side, at: datetime) -> bool:
    return side.live(at) if isinstance(side, Target) else side.status.is_live


def _pairs(side: Side, other: Side) -> bool:
    """Say whether two sides' subjects may make a conflict: two operations as the rule says, else as a case's."""
    if isinstance(side, Operation) and isinstance(other, Operation):
        return can_conflict(side, other)
    return may_match(side, other)


def subject_findings(
    tx: Transaction, op: Side, agency_of: object, at: datetime, actor: AuditEntry, *, new: bool = False
) -> list[Finding]:
    """Index and count ``op``'s subjects and return the operations and live case targets whose subjects match them.

    ``op`` is an operation or a case target: both are matched by this one code, under the same
    restrictions. ``new``: ``op`` was inserted in this transaction, so it has nothing indexed to replace.
    """
    mine = _parsed(op)
    if new and not mine:
        return []
    keys = {key for subject in mine for key in blocking_keys(subject)}
    tx.subjects.set_keys(op.id, keys)
    tx.subjects.set_terms(op.id, Counter(t for subject in mine for t in frequency_terms(subject)))
    if not keys or not _live(op, at):
        return []
    candidates: list[Side] = [*tx.subjects.operations_with_keys(keys, exclude=op.id)]
    candidates += tx.targets.with_keys(keys, at, exclude=op.id)
    others = [(other, _parsed(other)) for other in candidates if _pairs(op, other)]
    freq = _frequencies(tx, mine + [s for _, theirs in others for s in theirs])
    found = []
    for other, theirs in others:
        kind = _best_match(mine, theirs, freq)
        if kind is None:
            continue
        restricting = _restricting_agency(tx, op, other, agency_of)
        if restricting is not None:
            tx.audit.append(
                AuditEntry(
                    Action.SUBJECT_MATCH_SUPPRESSED,
                    "success",
                    actor_user_id=None,
                    details={"restricting_agency": restricting, "count": 1},
                ),
                at,
            )
            continue
        overlap = op.window.overlap(other.window)
        # A case target has no place: its conflicts have no distance.
        distance = (
            round(edge_distance_m(op.area, other.area), 1)
            if isinstance(op, Operation) and isinstance(other, Operation)
            else None
        )
        found.append(Finding(op, other, ConflictKind.SUBJECT, distance, overlap, match_kind=kind))
    return found


def _restricting_agency(tx: Transaction, op: Side, other: Side, agency_of: object) -> str | None:
    """Return the agency whose policy forbids this match, in either direction; remember the restriction."""
    for subject_side, purpose_side in ((op, other), (other, op)):
        owner = agency_of(subject_side.agency_id)  # type: ignore[operator]
        missions = agency_of(purpose_side.agency_id).missions  # type: ignore[operator]
        if restricted_towards(owner, purpose_side, missions):
            remember_restriction(tx, purpose_side, owner, missions)
            return str(owner.id)
    return None


def remember_restriction(tx: Transaction, op: Side, owner: Agency, missions: frozenset[Purpose]) -> None:
    """Record that ``op`` is restricted towards ``owner`` when its declared purpose, or a mission of its
    agency (``missions``), is one ``owner`` restricts. A case target's purpose never changes: nothing to record."""
    if isinstance(op, Target):
        return
    restricted = op.purpose in owner.policy.restricted_purposes or restricted_by_mission(owner, op.agency_id, missions)
    if restricted and owner.id not in op.restricted_by:
        tx.operations.restrict(op.id, owner.id)

"""Blinded subjects across installations: answer a probe's encodings, and keep the subject pairs."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.disclosure import Context, Viewer, disclose_operation, withheld_across
from commonground.domain.errors import InvalidInput
from commonground.domain.federation import Peer, Probe
from commonground.domain.federation_subjects import best_blinded_match, probe_keys
from commonground.domain.frequency import BLINDED_POPULATION, NameFrequencies
from commonground.domain.geometry import edge_distance_m
from commonground.domain.matching import frequency_terms
from commonground.domain.model import ConflictKind, ConflictStatus, Operation
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.subjects import Subject, parse_subject
from commonground.domain.timewindow import TimeWindow, window_dict
from commonground.service.clock import new_id
from commonground.service.ports import Transaction
from commonground.service.remote_conflicts import record

log = logging.getLogger(__name__)
SubjectHit = tuple[Operation, dict[str, Any]]


def _subjects(op: Operation) -> list[Subject]:
    return [parse_subject(s, f"subjects.{i}") for i, s in enumerate(op.subjects)]


def subject_hits(tx: Transaction, peer: Peer, probe: Probe, at: datetime) -> list[SubjectHit]:
    """Match a probe's encodings against every live local operation, anywhere and any time, as locally.

    A match either side's policy restricts is told to no one: it is counted, without identifiers,
    as ``policy:subject-match:suppressed`` (the transparency report's count), as within one installation.
    """
    if probe.subjects is None:
        return []
    keys = probe_keys(probe.subjects)
    others = [(o, _subjects(o)) for o in tx.subjects.operations_with_keys(keys, exclude="") if o.status.is_live]
    if not others:
        return []
    mine = probe.subjects.encodings
    terms = {t for s in [*mine, *(s for _, theirs in others for s in theirs)] for t in frequency_terms(s)}
    freq = NameFrequencies(tx.subjects.count_terms(terms | {BLINDED_POPULATION}))
    viewer = Viewer(None, probe.agency_level)
    hits: list[SubjectHit] = []
    for other, theirs in others:
        kind = best_blinded_match(mine, theirs, freq)
        owner = None if kind is None else tx.agencies.get(other.agency_id)
        if kind is None or owner is None:
            continue
        side = withheld_across(owner, other, owner.missions, probe.purpose, probe.subjects)
        if side is not None:
            restricting = owner.id if side == "owner" else f"installation:{peer.name}"
            details = {"restricting_agency": restricting, "count": 1, "installation": peer.name}
            tx.audit.append(AuditEntry(Action.SUBJECT_MATCH_SUPPRESSED, Outcome.SUCCESS, details=details), at)
            continue
        view = disclose_operation(other, owner, viewer, Context.FEDERATION, probe.purpose)
        overlap = probe.window.overlap(other.window)
        hit = {
            "operation": view.to_dict(),
            "matched": kind,
            "distance_m": round(edge_distance_m(probe.area, other.area), 1),
            "overlap": None if overlap is None else window_dict(overlap),
        }
        hits.append((other, hit))
    return hits


def _overlap(raw: object) -> TimeWindow | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("overlap must be an object or null")
    return TimeWindow.parse(raw.get("starts_at"), raw.get("ends_at"))


def _pair(
    mine: tuple[str, str], peer: Peer, remote_id: str, counterpart: dict[str, Any], hit: Mapping[str, Any], at: datetime
) -> RemoteConflict:
    """One subject pair from a hit; ``mine`` is this side's (operation id, agency id)."""
    matched = hit["matched"]
    if not isinstance(matched, str) or not matched.startswith("blinded_") or len(matched) > 40:
        raise ValueError("matched must name a blinded match kind")
    return RemoteConflict(
        new_id(),
        mine[0],
        mine[1],
        peer.id,
        peer.name,
        remote_id,
        counterpart,
        float(hit["distance_m"]),
        _overlap(hit.get("overlap")),
        FoundBy.PROBE,
        ConflictStatus.OPEN,
        at,
        kind=ConflictKind.SUBJECT,
        matched=matched,
    )


def record_subject_answered(
    tx: Transaction, peer: Peer, probe: Probe, found: Sequence[SubjectHit], at: datetime
) -> int:
    """The answering side: each local operation whose subject the peer's encodings matched."""
    if probe.operation is None:
        return 0
    kept = 0
    for op, hit in found:
        pair = _pair((op.id, op.agency_id), peer, probe.ref, probe.operation, hit, at)
        kept += record(tx, replace(pair, found_by=FoundBy.ANSWER))
    return kept


def record_subject_asked(
    tx: Transaction, operation_id: str, agency_id: str, peer: Peer, hits: object, at: datetime
) -> int:
    """The asking side: each subject hit of a verified answer; a malformed one is logged, not kept."""
    if not isinstance(hits, list):
        return 0
    kept = 0
    for hit in hits:
        try:
            disclosed = dict(hit["operation"])
            remote_id = disclosed["id"]
            if not isinstance(remote_id, str) or not 0 < len(remote_id) <= 100:
                raise ValueError("the operation id must be a string of 1-100 characters")
            pair = _pair((operation_id, agency_id), peer, remote_id, disclosed, hit, at)
        except (KeyError, TypeError, ValueError, InvalidInput) as exc:
            log.warning("peer %s answered a subject hit that cannot be kept: %s", peer.name, exc)
            continue
        kept += record(tx, pair)
    return kept

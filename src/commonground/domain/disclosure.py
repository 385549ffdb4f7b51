"""The one place that decides what of an operation may cross agency lines.

Every path that lets operation data leave (API, stream, webhook, e-mail, look-up,
export, federation) builds its payload here. A field above the disclosed level is
absent, never null-filled, and ``level_disclosed`` names the level that applied.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from commonground.domain.model import Acknowledgement, Agency, Conflict, Operation, Role
from commonground.domain.policy import AgencyLevel, Level, Purpose
from commonground.domain.timewindow import isoformat

OWN = "own"


class Context(StrEnum):
    """Why the viewer is being shown the operation."""

    CONFLICT = "conflict"
    NOTICE = "notice"
    LOOKUP = "lookup"
    WATCH = "watch"
    DIRECT = "direct"


@dataclass(frozen=True, slots=True)
class Viewer:
    agency_id: str | None
    agency_level: AgencyLevel | None
    roles: frozenset[Role] = frozenset()


def level_for(owner: Agency, viewer: Viewer, context: Context, viewer_purpose: Purpose | None = None) -> Level | str:
    """Return the level ``viewer`` may see of ``owner``'s operation, or ``OWN``."""
    if viewer.agency_id == owner.id and context is not Context.LOOKUP:
        return OWN
    if context in (Context.NOTICE, Context.LOOKUP):
        return Level.SAFETY
    if context is Context.WATCH:
        # The context is the caller's claim; the role is what entitles.
        return owner.policy.level_for("watch") if Role.WATCH in viewer.roles else Level.SAFETY
    if context is Context.CONFLICT and viewer.agency_level is not None:
        level = owner.policy.level_for(viewer.agency_level.value)
        if viewer_purpose is not None and viewer_purpose in owner.policy.restricted_purposes:
            return Level.SAFETY
        return level
    return Level.SAFETY


def subject_summary(op: Operation) -> dict[str, int]:
    """Count subjects by kind: enough to prompt a call, never their values."""
    return dict(Counter(str(s.get("kind", "other")) for s in op.subjects))


def disclose_operation(
    op: Operation,
    owner: Agency,
    viewer: Viewer,
    context: Context,
    viewer_purpose: Purpose | None = None,
) -> dict[str, Any]:
    """Return the JSON view of ``op`` that ``viewer`` may receive in ``context``."""
    level = level_for(owner, viewer, context, viewer_purpose)
    view: dict[str, Any] = {
        "id": op.id,
        "level_disclosed": Level.FULL.value if level == OWN else str(level),
        "agency": {"name": owner.name, "ori": owner.ori, "level": owner.level.value},
        "contact": op.contact.to_dict(),
        "area": op.area.to_geojson(),
        "window": {"starts_at": isoformat(op.window.starts_at), "ends_at": isoformat(op.window.ends_at)},
        "team": op.team.to_dict(),
    }
    if level == OWN or Level(level).rank >= Level.OPERATIONAL.rank:
        view.update(
            type=op.type,
            purpose=op.purpose.value,
            risk=op.risk.value,
            address=op.address,
            status=op.status.value,
        )
    if level == OWN or Level(level).rank >= Level.FULL.rank:
        view.update(
            title=op.title,
            case_number=op.case_number,
            notes=op.notes,
            subject_summary=subject_summary(op),
        )
    if level == OWN:
        view.update(
            agency_id=op.agency_id,
            subjects=[dict(s) for s in op.subjects],
            notice=op.notice.value if op.notice else None,
            version=op.version,
            created_by=op.created_by,
            created_at=isoformat(op.created_at),
            updated_at=isoformat(op.updated_at),
        )
    return view


SAFETY_KEYS = frozenset({"id", "level_disclosed", "agency", "contact", "area", "window", "team"})
OPERATIONAL_KEYS = SAFETY_KEYS | {"type", "purpose", "risk", "address", "status"}
FULL_KEYS = OPERATIONAL_KEYS | {"title", "case_number", "notes", "subject_summary"}
KEYS_BY_LEVEL = {Level.SAFETY: SAFETY_KEYS, Level.OPERATIONAL: OPERATIONAL_KEYS, Level.FULL: FULL_KEYS}


def _conflict_base(conflict: Conflict) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "kind": conflict.kind.value,
        "status": conflict.status.value,
        "detected_at": isoformat(conflict.detected_at),
        "distance_m": conflict.distance_m,
        "overlap": None
        if conflict.overlap is None
        else {"starts_at": isoformat(conflict.overlap.starts_at), "ends_at": isoformat(conflict.overlap.ends_at)},
        **({"matched": conflict.match_kind} if conflict.match_kind else {}),
        **({"note": conflict.note} if conflict.note else {}),
    }


def _ack(ack: Acknowledgement | None) -> dict[str, Any] | None:
    if ack is None:
        return None
    return {"at": isoformat(ack.at), "on_behalf": ack.on_behalf}


def disclose_conflict(
    conflict: Conflict,
    yours: Operation,
    counterpart: Operation,
    counterpart_owner: Agency,
    viewer: Viewer,
) -> dict[str, Any]:
    """Return a conflict as one side sees it: its own operation id and the other side disclosed."""
    side = conflict.side_of(yours.id)
    view = _conflict_base(conflict)
    view["your_operation_id"] = yours.id
    view["acknowledged"] = {
        "yours": _ack(conflict.ack_a if side == "a" else conflict.ack_b),
        "theirs": _ack(conflict.ack_b if side == "a" else conflict.ack_a),
    }
    view["counterpart"] = disclose_operation(
        counterpart, counterpart_owner, viewer, Context.CONFLICT, viewer_purpose=yours.purpose
    )
    return view


def disclose_conflict_to_watch(
    conflict: Conflict, sides: tuple[tuple[Operation, Agency], tuple[Operation, Agency]], viewer: Viewer
) -> dict[str, Any]:
    """Return a conflict as the watch center sees it: both sides at each owner's watch level."""
    view = _conflict_base(conflict)
    view["sides"] = [
        {
            "acknowledged": _ack(ack),
            "operation": disclose_operation(op, owner, viewer, Context.WATCH),
        }
        for (op, owner), ack in zip(sides, (conflict.ack_a, conflict.ack_b), strict=True)
    ]
    return view

"""Map domain values to table rows and back; the one place that knows both shapes."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.verify import StoredRecord
from commonground.domain.after_action import AfterAction
from commonground.domain.geometry import Area
from commonground.domain.model import (
    Acknowledgement,
    Agency,
    Conflict,
    ConflictKind,
    ConflictOutcome,
    ConflictStatus,
    Contact,
    ContactAttempt,
    ContactMethod,
    Operation,
    OperationStatus,
    Ownership,
    PhoneIn,
    Risk,
    Role,
    Team,
    User,
)
from commonground.domain.policy import AgencyLevel, NoticeTiming, Policy, Purpose
from commonground.domain.timewindow import TimeWindow


def agency_row(a: Agency) -> dict[str, Any]:
    return {
        "id": a.id,
        "ori": a.ori,
        "name": a.name,
        "level": a.level.value,
        "duty_phone": a.duty_phone,
        "timezone": a.timezone,
        "jurisdiction": None if a.jurisdiction is None else [[list(p) for p in ring] for ring in a.jurisdiction],
        "jurisdiction_holes": [[[list(p) for p in hole] for hole in hs] for hs in a.jurisdiction_holes]
        if a.jurisdiction_holes
        else None,
        "policy": a.policy.to_dict(),
        "policy_version": a.policy.version,
        "proximity_m": a.policy.proximity_m,
        "time_buffer_min": a.policy.time_buffer_min,
        "created_at": a.created_at,
        "missions": sorted(m.value for m in a.missions),
    }


@functools.lru_cache(maxsize=4096)
def _policy(canonical: str, version: int) -> Policy:
    return Policy.from_dict(json.loads(canonical), version=version)


def policy_from(raw: Mapping[str, Any], version: int) -> Policy:
    """Parse a stored policy once per distinct content; policies are read on every check."""
    return _policy(json.dumps(raw, sort_keys=True), version)


def agency_from(row: Mapping[Any, Any]) -> Agency:
    jurisdiction = row["jurisdiction"]
    return Agency(
        id=row["id"],
        ori=row["ori"],
        name=row["name"],
        level=AgencyLevel(row["level"]),
        duty_phone=row["duty_phone"],
        timezone=row["timezone"],
        jurisdiction=None
        if jurisdiction is None
        else tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in jurisdiction),
        policy=policy_from(row["policy"], row["policy_version"]),
        created_at=row["created_at"],
        missions=frozenset(Purpose(m) for m in row.get("missions") or ()),
        jurisdiction_holes=tuple(
            tuple(tuple((float(p[0]), float(p[1])) for p in hole) for hole in hs)
            for hs in row.get("jurisdiction_holes") or ()
        ),
    )


def user_row(u: User, password_hash: str | None, created_at: Any) -> dict[str, Any]:
    return {
        "id": u.id,
        "agency_id": u.agency_id,
        "username": u.username,
        "display_name": u.display_name,
        "roles": sorted(r.value for r in u.roles),
        "password_hash": password_hash,
        "phone": u.phone,
        "email": u.email,
        "disabled": u.disabled,
        "created_at": created_at,
        "expires_at": u.expires_at,
    }


def user_from(row: Mapping[Any, Any]) -> User:
    return User(
        id=row["id"],
        agency_id=row["agency_id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=frozenset(Role(r) for r in row["roles"]),
        phone=row["phone"],
        email=row["email"],
        disabled=bool(row["disabled"]),
        expires_at=row["expires_at"],
    )


def area_from(raw: Mapping[str, Any]) -> Area:
    kind = raw["type"]
    coords = raw["coordinates"]
    points: tuple[tuple[float, float], ...]
    if kind == "Point":
        points = ((float(coords[0]), float(coords[1])),)
    elif kind == "LineString":
        points = tuple((float(c[0]), float(c[1])) for c in coords)
    else:
        points = tuple((float(c[0]), float(c[1])) for c in coords[0])
    return Area(kind, points, float(raw.get("radius_m") or 0.0))


def operation_row(op: Operation) -> dict[str, Any]:
    return {
        "id": op.id,
        "agency_id": op.agency_id,
        "created_by": op.created_by,
        "type": op.type,
        "purpose": op.purpose.value,
        "title": op.title,
        "case_number": op.case_number,
        "area": op.area.to_geojson(),
        "address": op.address,
        "starts_at": op.window.starts_at,
        "ends_at": op.window.ends_at,
        "contact": op.contact.to_dict(),
        "team": op.team.to_dict(),
        "risk": op.risk.value,
        "notice": op.notice.value if op.notice else None,
        "notes": op.notes,
        "subjects": [dict(s) for s in op.subjects],
        "status": op.status.value,
        "version": op.version,
        "created_at": op.created_at,
        "updated_at": op.updated_at,
        "purged_at": op.purged_at,
        "exigent_reason": op.exigent_reason,
        "phone_in": None if op.phone_in is None else op.phone_in.to_dict(),
        "after_action": None if op.after_action is None else op.after_action.to_dict(),
    }  # without restricted_by: an update never writes it, only operations.restrict (and add)


def operation_from(row: Mapping[Any, Any]) -> Operation:
    contact, team = row["contact"], row["team"]
    return Operation(
        id=row["id"],
        agency_id=row["agency_id"],
        type=row["type"],
        purpose=Purpose(row["purpose"]),
        title=row["title"],
        case_number=row["case_number"],
        area=area_from(row["area"]),
        address=row["address"],
        window=TimeWindow(row["starts_at"], row["ends_at"]),
        contact=Contact.from_dict(contact),
        team=Team.from_dict(team),
        risk=Risk(row["risk"]),
        notice=NoticeTiming(row["notice"]) if row["notice"] else None,
        notes=row["notes"],
        subjects=tuple(row["subjects"] or ()),
        status=OperationStatus(row["status"]),
        version=row["version"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        restricted_by=frozenset(row.get("restricted_by") or ()),
        purged_at=row.get("purged_at"),
        exigent_reason=row.get("exigent_reason"),
        phone_in=_phone_in(row.get("phone_in")),
        after_action=AfterAction.from_dict(row["after_action"]) if row.get("after_action") else None,
    )


def _owner(row: Mapping[Any, Any]) -> Ownership | None:
    if not row.get("owner_user_id"):
        return None
    return Ownership(row["owner_user_id"], row["owner_name"] or "", row["owner_at"])


def contact_row(c: ContactAttempt) -> dict[str, Any]:
    return {
        "id": c.id,
        "conflict_id": c.conflict_id,
        "side": c.side,
        "method": c.method.value,
        "reached": c.reached,
        "note": c.note,
        "by_user_id": c.by_user_id,
        "at": c.at,
    }


def contact_from(row: Mapping[Any, Any]) -> ContactAttempt:
    return ContactAttempt(
        row["id"],
        row["conflict_id"],
        row["side"],
        ContactMethod(row["method"]),
        bool(row["reached"]),
        row["note"],
        row["by_user_id"],
        row["at"],
    )


def _phone_in(raw: Mapping[str, Any] | None) -> PhoneIn | None:
    return None if not raw else PhoneIn(raw["caller_name"], raw["caller_phone"], raw["entered_by"])


def _ack_row(prefix: str, ack: Acknowledgement | None) -> dict[str, Any]:
    return {
        f"{prefix}_at": ack.at if ack else None,
        f"{prefix}_by": ack.by_user_id if ack else None,
        f"{prefix}_behalf": ack.on_behalf if ack else None,
    }


def conflict_row(c: Conflict) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind.value,
        "operation_a": c.operation_a,
        "operation_b": c.operation_b,
        "agency_a": c.agency_a,
        "agency_b": c.agency_b,
        "status": c.status.value,
        "detected_at": c.detected_at,
        "distance_m": c.distance_m,
        "overlap_start": c.overlap.starts_at if c.overlap else None,
        "overlap_end": c.overlap.ends_at if c.overlap else None,
        "match_kind": c.match_kind,
        **_ack_row("ack_a", c.ack_a),
        **_ack_row("ack_b", c.ack_b),
        "closed_at": c.closed_at,
        "closed_by": c.closed_by,
        "note": c.note,
        "owner_user_id": c.owner.user_id if c.owner else None,
        "owner_name": c.owner.name if c.owner else None,
        "owner_at": c.owner.at if c.owner else None,
        "outcome": c.outcome.value if c.outcome else None,
        "target_a": c.target_a or None,
        "target_b": c.target_b or None,
    }


def _ack_from(row: Mapping[Any, Any], prefix: str) -> Acknowledgement | None:
    at = row[f"{prefix}_at"]
    if at is None:
        return None
    return Acknowledgement(at, row[f"{prefix}_by"], bool(row[f"{prefix}_behalf"]))


def conflict_from(row: Mapping[Any, Any]) -> Conflict:
    overlap = None
    if row["overlap_start"] is not None:
        overlap = TimeWindow(row["overlap_start"], row["overlap_end"])
    return Conflict(
        id=row["id"],
        kind=ConflictKind(row["kind"]),
        operation_a=row["operation_a"],
        operation_b=row["operation_b"],
        agency_a=row["agency_a"],
        agency_b=row["agency_b"],
        status=ConflictStatus(row["status"]),
        detected_at=row["detected_at"],
        distance_m=row["distance_m"],
        overlap=overlap,
        match_kind=row["match_kind"],
        ack_a=_ack_from(row, "ack_a"),
        ack_b=_ack_from(row, "ack_b"),
        closed_at=row["closed_at"],
        owner=_owner(row),
        outcome=ConflictOutcome(row["outcome"]) if row.get("outcome") else None,
        closed_by=row["closed_by"],
        note=row["note"],
        target_a=bool(row.get("target_a")),
        target_b=bool(row.get("target_b")),
    )


def audit_from(row: Mapping[Any, Any]) -> StoredRecord:
    entry = AuditEntry(
        action=row["action"],
        outcome=row["outcome"],
        actor_user_id=row["actor_user_id"],
        actor_agency_id=row["actor_agency_id"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        details=row["details"],
    )
    return StoredRecord(row["seq"], row["at"], entry, row["prev_hash"], row["hash"])

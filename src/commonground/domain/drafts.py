"""Turn submitted operation fields into domain values, naming each refused field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import MAX_AREA_KM2, MAX_VERTICES, Area, geojson_area, point_area
from commonground.domain.model import (
    DEFAULT_RISK,
    OPERATION_TYPES,
    Attire,
    Contact,
    Operation,
    Risk,
    Team,
    TeamMember,
    TeamVehicle,
)
from commonground.domain.policy import NoticeTiming, Purpose, parse_enum
from commonground.domain.strings import plain
from commonground.domain.subjects import normalise_plate, normalise_plate_state
from commonground.domain.timewindow import TimeWindow

SubjectParser = Callable[[Mapping[str, object], str], Mapping[str, object]]

MAX_TEXT = 200
MAX_NOTES = 4000
MAX_SUBJECTS = 50


@dataclass(frozen=True, slots=True)
class OperationDraft:
    type: str
    purpose: Purpose
    title: str
    case_number: str | None
    area: Area
    address: str | None
    window: TimeWindow
    contact: Contact
    team: Team
    risk: Risk
    notice: NoticeTiming | None
    notes: str | None
    subjects: tuple[Mapping[str, object], ...]


def text(
    data: Mapping[str, Any], key: str, field: str, *, required: bool, limit: int = MAX_TEXT, multiline: bool = False
) -> str | None:
    """Read a trimmed string field of one line (or several, if ``multiline``); blank counts as absent."""
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    value = plain(value, field, multiline=multiline).strip()  # before strip(), which eats some controls
    if not value:
        if required:
            raise InvalidInput(field, "must not be blank")
        return None
    if len(value) > limit:
        raise InvalidInput(field, f"must be at most {limit} characters")
    return value


def _typed(data: Mapping[str, Any], key: str, field: str, kind: type, what: str, *, required: bool) -> Any:
    """Read ``key`` if it is a ``kind`` (refused naming ``field``: it ``what``); absent is None unless required."""
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return None
    if not isinstance(value, kind):
        raise InvalidInput(field, what)
    return value


def _object(data: Mapping[str, Any], key: str, *, required: bool) -> Mapping[str, Any] | None:
    found: Mapping[str, Any] | None = _typed(data, key, key, Mapping, "must be an object", required=required)
    return found


def parse_area(data: Mapping[str, Any], max_vertices: int = MAX_VERTICES, max_km2: float = MAX_AREA_KM2) -> Area:
    location = _object(data, "location", required=False)
    geometry = data.get("geometry")
    if location is not None and geometry is not None:
        raise InvalidInput("geometry", "give either location or geometry, not both")
    if location is not None:
        for key in ("lat", "lon"):
            if location.get(key) is None:
                raise InvalidInput(f"location.{key}", "is required")
        return point_area(location.get("lat"), location.get("lon"), location.get("radius_m"), "location", max_km2)
    if geometry is not None:
        return geojson_area(geometry, data.get("radius_m"), "geometry", max_vertices=max_vertices, max_km2=max_km2)
    raise InvalidInput("location", "location or geometry is required")


def _address(data: Mapping[str, Any]) -> str | None:
    location = data.get("location")
    if isinstance(location, Mapping) and location.get("address") is not None:
        return text(location, "address", "location.address", required=False, limit=300)
    return text(data, "address", "address", required=False, limit=300)


def parse_contact(data: Mapping[str, Any]) -> Contact:
    contact = _object(data, "contact", required=True)
    assert contact is not None
    name = text(contact, "name", "contact.name", required=True)
    phone = text(contact, "phone", "contact.phone", required=True, limit=40)
    assert name is not None and phone is not None
    if sum(ch.isdigit() for ch in phone) < 3:
        raise InvalidInput("contact.phone", "must be a telephone number someone can call")
    return Contact(name, phone, text(contact, "radio", "contact.radio", required=False, limit=80))


def parse_team(data: Mapping[str, Any]) -> Team:
    team = _object(data, "team", required=False) or {}
    personnel = team.get("personnel")
    if personnel is not None and (
        isinstance(personnel, bool) or not isinstance(personnel, int) or not 1 <= personnel <= 10_000
    ):
        raise InvalidInput("team.personnel", "must be a whole number from 1 to 10000")
    attire = team.get("attire")
    return Team(
        personnel=personnel,
        attire=None if attire is None else parse_enum(Attire, attire, "team.attire"),
        vehicles=text(team, "vehicles", "team.vehicles", required=False, limit=500),
        members=objects(team.get("members"), "team.members", MAX_MEMBERS, _member),
        vehicles_detail=objects(team.get("vehicles_detail"), "team.vehicles_detail", MAX_VEHICLES, _vehicle),
        talkgroup=text(team, "talkgroup", "team.talkgroup", required=False, limit=80),
        recognition=text(team, "recognition", "team.recognition", required=False, limit=120),
        visible_identification=_flag(team, "visible_identification", "team.visible_identification", required=False),
    )


MAX_MEMBERS = 100
MAX_VEHICLES = 30
T = TypeVar("T")


def objects(
    raw: object,
    field: str,
    most: int,
    parse: Callable[[Mapping[str, Any], str], T],
    too_many: str | None = None,
) -> tuple[T, ...]:
    """Read a list of objects at ``field`` (None: none), each parsed under its own field name, naming the refused
    one: subjects, team members and vehicles, after-action encounters."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidInput(field, "must be a list")
    if len(raw) > most:
        raise InvalidInput(field, too_many or f"at most {most}")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{field}.{i}", "must be an object")
        out.append(parse(item, f"{field}.{i}"))
    return tuple(out)


def _flag(data: Mapping[str, Any], key: str, field: str, *, required: bool) -> bool | None:
    found: bool | None = _typed(data, key, field, bool, "must be true or false", required=required)
    return found


def _member(data: Mapping[str, Any], field: str) -> TeamMember:
    """A member shows their agency plus a name or a badge number (what identification laws ask for)."""
    member = TeamMember(
        name=text(data, "name", f"{field}.name", required=False, limit=100),
        badge_number=text(data, "badge_number", f"{field}.badge_number", required=False, limit=40),
        role=text(data, "role", f"{field}.role", required=False, limit=60),
    )
    if member.name is None and member.badge_number is None:
        raise InvalidInput(f"{field}.name", "give a name or a badge number")
    return member


def _vehicle(data: Mapping[str, Any], field: str) -> TeamVehicle:
    """A vehicle as a local officer would see it; its plate normalised as a vehicle subject's is."""
    plate = text(data, "plate", f"{field}.plate", required=False, limit=20)
    state = text(data, "state", f"{field}.state", required=False, limit=10)
    return TeamVehicle(
        description=text(data, "description", f"{field}.description", required=True) or "",
        plate=None if plate is None else normalise_plate(plate, f"{field}.plate"),
        state=None if state is None else normalise_plate_state(state, f"{field}.state"),
        marked=bool(_flag(data, "marked", f"{field}.marked", required=True)),
    )


def parse_subjects(data: Mapping[str, Any], parse_subject: SubjectParser) -> tuple[Mapping[str, object], ...]:
    too_many = f"at most {MAX_SUBJECTS} subjects per operation"
    return objects(data.get("subjects"), "subjects", MAX_SUBJECTS, parse_subject, too_many)


def parse_draft(
    data: Mapping[str, Any],
    parse_subject: SubjectParser,
    max_vertices: int = MAX_VERTICES,
    max_km2: float = MAX_AREA_KM2,
) -> OperationDraft:
    """Validate a whole submission; the first refused field is named."""
    op_type = text(data, "type", "type", required=True, limit=40)
    if op_type not in OPERATION_TYPES:
        raise InvalidInput("type", "must be one of " + ", ".join(sorted(OPERATION_TYPES)))
    notice = data.get("notice")
    return OperationDraft(
        type=op_type,
        purpose=parse_enum(Purpose, data.get("purpose"), "purpose"),
        title=text(data, "title", "title", required=True) or "",
        case_number=text(data, "case_number", "case_number", required=False, limit=60),
        area=parse_area(data, max_vertices, max_km2),
        address=_address(data),
        window=TimeWindow.parse(data.get("starts_at"), data.get("ends_at")),
        contact=parse_contact(data),
        team=parse_team(data),
        risk=parse_enum(Risk, data.get("risk", DEFAULT_RISK), "risk"),
        notice=None if notice is None else parse_enum(NoticeTiming, notice, "notice"),
        notes=text(data, "notes", "notes", required=False, limit=MAX_NOTES, multiline=True),
        subjects=parse_subjects(data, parse_subject),
    )


PATCHABLE = frozenset(
    {
        "type",
        "purpose",
        "title",
        "case_number",
        "location",
        "geometry",
        "radius_m",
        "address",
        "starts_at",
        "ends_at",
        "contact",
        "team",
        "risk",
        "notice",
        "notes",
        "subjects",
    }
)


def draft_of(op: Operation) -> dict[str, Any]:
    """Return the submission that would recreate ``op`` (for merging a PATCH)."""
    out: dict[str, Any] = {
        "type": op.type,
        "purpose": op.purpose.value,
        "title": op.title,
        "case_number": op.case_number,
        "starts_at": op.window.starts_at,
        "ends_at": op.window.ends_at,
        "contact": op.contact.to_dict(),
        "team": op.team.to_dict(),
        "risk": op.risk.value,
        "notice": op.notice.value if op.notice else None,
        "notes": op.notes,
        "subjects": [dict(s) for s in op.subjects],
        "address": op.address,
    }
    if op.area.is_point:
        lon, lat = op.area.coordinates[0]
        out["location"] = {"lat": lat, "lon": lon, "radius_m": op.area.radius_m}
    else:
        out["geometry"] = op.area.to_geojson()
    return out


def merge_patch(
    op: Operation,
    patch: Mapping[str, Any],
    parse_subject: SubjectParser,
    max_vertices: int = MAX_VERTICES,
    max_km2: float = MAX_AREA_KM2,
) -> OperationDraft:
    """Apply a partial update; moving to ``location`` drops a ``geometry`` and vice versa."""
    unknown = sorted(set(patch) - PATCHABLE)
    if unknown:
        raise InvalidInput(unknown[0], "cannot be changed")
    merged = draft_of(op)
    if "location" in patch:
        merged.pop("geometry", None)
    if "geometry" in patch:
        merged.pop("location", None)
    for key, value in patch.items():
        if key in ("contact", "team") and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    if "location" in patch and isinstance(patch["location"], Mapping) and "address" in patch["location"]:
        merged["address"] = None
    return parse_draft(merged, parse_subject, max_vertices, max_km2)


def moved(before: Operation, after: OperationDraft) -> bool:
    return before.area != after.area or before.window != after.window


def draft_fields(draft: OperationDraft) -> dict[str, Any]:
    """The submitted fields, named as on ``Operation``: one mapping for creating and for changing."""
    return {f.name: getattr(draft, f.name) for f in fields(draft)}


def with_draft(op: Operation, draft: OperationDraft, **changes: Any) -> Operation:
    return replace(op, **{**draft_fields(draft), **changes})

"""Operations: what an agency submits and changes, and the view of one that comes back."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, StrictBool

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.domain.model import DEFAULT_RISK, Attire, OperationStatus, Risk
from commonground.domain.notice_responses import HostResponse
from commonground.domain.policy import AgencyLevel, Level, NoticeTiming, Purpose
from commonground.domain.sensitive import PlaceCategory

SUBJECT_EXAMPLE = {"kind": "vehicle", "plate": "ABC123", "state": "MN"}
# Which viewers see a field of the view beyond `safety`.
OPERATIONAL = "Present at `operational` and `full`."
FULL = "Present at `full`."
OWN = "Present to the owning agency only."


class Location(Strict):
    lat: float = described("Latitude, WGS84.", 44.9778)
    lon: float = described("Longitude, WGS84.", -93.265)
    radius_m: float | None = described("Radius around the point, metres.", 150, default=None)
    address: str | None = described("The address as typed.", "350 S 5th St, Minneapolis", default=None)


class Contact(Strict):
    name: str = described("The on-scene contact.", "Sgt. A. Moore")
    phone: str = described("Their phone, reachable during the operation.", "+1 612 555 0100")
    radio: str | None = described("Radio channel or talkgroup.", "TAC 2", default=None)


class TeamMember(Strict):
    name: str | None = described("The member's name (at most 100 characters).", "SA J. Rivera", default=None)
    badge_number: str | None = described("Their badge or star number (at most 40).", "4471", default=None)
    role: str | None = described("Their role on the team (at most 60).", "team leader", default=None)


class TeamVehicle(Strict):
    description: str = described("What a local officer would see (at most 200).", "grey Ford Explorer, unmarked")
    plate: str | None = described(
        "The plate, kept normalised (`abc-123` is kept as `ABC123`); 1-8 letters or digits.", "ABC123", default=None
    )
    state: str | None = described("The plate's US state or Canadian province.", "MN", default=None)
    marked: StrictBool = described("Whether the vehicle carries agency markings.", False)


class Team(Strict):
    personnel: int | None = described("How many officers.", 8, default=None)
    attire: Attire | None = described("How they are dressed.", "plain_clothes", default=None)
    vehicles: str | None = described("What they drive.", "2 unmarked grey SUVs", default=None)
    members: list[TeamMember] | None = described(
        "Who is on the team, as the agency declares them: a name or badge number each (identification laws such "
        "as California SB 805 ask for the agency plus one of them). At most 100. Absent when none declared.",
        [{"name": "SA J. Rivera", "badge_number": "4471", "role": "team leader"}],
        default=None,
    )
    vehicles_detail: list[TeamVehicle] | None = described(
        "The team's vehicles; a plate here is what `GET /verify/plate` finds. At most 30. Absent when none.",
        [{"description": "grey Ford Explorer", "plate": "ABC123", "state": "MN", "marked": False}],
        default=None,
    )
    talkgroup: str | None = described("The interoperability channel (at most 80).", "MN STAT 2", default=None)
    recognition: str | None = described(
        "A challenge / recognition signal (at most 120). Shown only to parties in conflict with the operation "
        "and to on-scene verifications that find it: never in lists, notices, look-ups, exports, webhooks, "
        "e-mails or the operation's own reads.",
        "blue ball cap",
        default=None,
    )
    visible_identification: StrictBool | None = described(
        "Whether the team wears visible agency identification.", True, default=None
    )


class Geometry(Strict):
    type: Literal["Point", "Polygon", "LineString"] = described("GeoJSON geometry type.", "LineString")
    coordinates: list[Any] = described("GeoJSON coordinates, `[lon, lat]`.", [[-93.25, 44.95], [-93.24, 44.96]])
    radius_m: float | None = described("Buffer around the geometry, metres.", 50, default=None)


class Exigent(Strict):
    reason: str = described("Why the operation is entered after it started.", "entry made to prevent loss of life")


class OnBehalfOf(Strict):
    agency_id: str = described("The agency that phoned the operation in; it owns the operation.", ID_EXAMPLE)
    caller_name: str = described("Who called the watch center.", "Ofc. J. Lind")
    caller_phone: str = described("The number they called from, to call back.", "+1 651 555 0142")


class EnteredOnBehalf(Public):
    caller_name: str = described("Who called the watch center.", "Ofc. J. Lind")
    caller_phone: str = described("The number they called from.", "+1 651 555 0142")
    entered_by: str = described("The watch user who entered it.", ID_EXAMPLE)


OUTCOMES = Literal["completed_as_planned", "changed", "aborted"]
ENCOUNTERS = Literal["blue_on_blue", "local_response_to_911", "crowd", "other"]


class EncounterIn(Strict):
    kind: ENCOUNTERS = described(
        "What was met: another team, a local unit answering a 911 call, a crowd.", "blue_on_blue"
    )
    note: str = described("What happened, briefly.", "a patrol unit answered a 911 call about the team at 06:10")
    with_agency_id: str | None = described("The agency met, when known.", ID_EXAMPLE, default=None)


class OperationCompletion(Strict):
    """How an operation went, given when it is completed (every part is optional to complete)."""

    outcome: OUTCOMES = described("How it ended.", "completed_as_planned")
    summary: str | None = described("A short after-action summary.", "entry at 06:05, one arrest", default=None)
    encounters: list[EncounterIn] = described("Whom the team met that it had not expected.", [], default=[])


class EncounterPublic(Public):
    kind: ENCOUNTERS = described("What was met.", "local_response_to_911")
    note: str = described("What happened (blank once retention purged the operation).", "patrol answered a 911 call")
    with_agency_id: str | None = described("The agency met, when given.", ID_EXAMPLE, default=None)


class AfterActionPublic(Public):
    outcome: OUTCOMES = described("How it ended.", "completed_as_planned")
    summary: str | None = described("The after-action summary, when given.", "one arrest", default=None)
    encounters: list[EncounterPublic] = described("Whom the team met that it had not expected.", [])


class PlaceNearbyPublic(Public):
    name: str | None = described("The place's name, when its agency gave one.", "Central Elementary")
    category: PlaceCategory = described("What kind of place.", "school")
    distance_m: float = described("Edge-to-edge distance from the operation, metres.", 120.5)


# One description and example per field name, for the submission, the change and the view.
DOCS: dict[str, tuple[str, object]] = {
    "type": ("Operation type (API.md lists them).", "search_warrant"),
    "purpose": ("Why the operation is done.", "criminal"),
    "title": ("Short title.", "Warrant service, 4th floor"),
    "case_number": ("Agency case number.", "24-118803"),
    "starts_at": ("Start, with an offset.", "2026-12-01T06:00:00-06:00"),
    "ends_at": ("End, with an offset.", "2026-12-01T09:00:00-06:00"),
    "location": ("A point with a radius; or send `geometry`.", {"lat": 44.9778, "lon": -93.265, "radius_m": 150}),
    "geometry": ("A GeoJSON point, polygon or route line; or send `location`.", None),
    "radius_m": ("Buffer around `geometry`, metres.", 100),
    "address": ("The address as typed.", "350 S 5th St, Minneapolis"),
    "contact": ("Who to call on scene.", {"name": "Sgt. A. Moore", "phone": "+1 612 555 0100", "radio": "TAC 2"}),
    "team": ("Who is there and how they look.", {"personnel": 8, "attire": "plain_clothes", "vehicles": "2 SUVs"}),
    "risk": ("Assessed risk.", "high"),
    "notice": ("When the host agency is told.", "at_submit"),
    "notes": ("Free text.", "entry at 06:05"),
    "subjects": ("People, vehicles, phones or blinded identifiers; their values never cross.", [SUBJECT_EXAMPLE]),
    "status": ("Where the operation is in its life.", "planned"),
    "subject_summary": ("Subjects counted by kind, never their values.", {"vehicle": 1}),
    "agency_id": ("The owning agency's id.", ID_EXAMPLE),
    "version": ("Version, for `If-Match` on a change.", 1),
    "created_by": ("The user who entered it.", ID_EXAMPLE),
    "created_at": ("Entered at, UTC.", TIME_EXAMPLE),
    "updated_at": ("Last changed at, UTC.", TIME_EXAMPLE),
    "after_action": ("How it ended and whom it met, given when it was completed.", None),
}


def doc(name: str, tier: str | None = None, **kwargs: Any) -> Any:
    """Return the field ``name`` as documented once in ``DOCS``; ``tier`` says who sees it in a view."""
    description, example = DOCS[name]
    return described(f"{description} {tier}" if tier else description, example, **kwargs)


class OperationCreate(Strict):
    type: str = doc("type")
    purpose: Purpose = doc("purpose")
    title: str = doc("title")
    case_number: str | None = doc("case_number", default=None)
    starts_at: AwareDatetime = doc("starts_at")
    ends_at: AwareDatetime = doc("ends_at")
    location: Location | None = doc("location", default=None)
    geometry: Geometry | None = doc("geometry", default=None)
    radius_m: float | None = doc("radius_m", default=None)
    address: str | None = doc("address", default=None)
    contact: Contact = doc("contact")
    team: Team | None = doc("team", default=None)
    risk: Risk = doc("risk", default=DEFAULT_RISK)
    notice: NoticeTiming | None = doc("notice", default=None)
    notes: str | None = doc("notes", default=None)
    subjects: list[dict[str, Any]] | None = doc("subjects", default=None)
    exigent: Exigent | None = described(
        "Required when `starts_at` is more than 15 minutes in the past: why it is entered after the fact.",
        None,
        default=None,
    )
    on_behalf_of: OnBehalfOf | None = described(
        "The watch center only: enter the operation for the agency that phoned it in.", None, default=None
    )


class OperationPatch(Strict):
    """Send only what changes; a moved place or time re-runs the check."""

    type: str | None = doc("type", default=None)
    purpose: Purpose | None = doc("purpose", default=None)
    title: str | None = doc("title", default=None)
    case_number: str | None = doc("case_number", default=None)
    starts_at: AwareDatetime | None = doc("starts_at", default=None)
    ends_at: AwareDatetime | None = doc("ends_at", default=None)
    location: Location | None = doc("location", default=None)
    geometry: Geometry | None = doc("geometry", default=None)
    radius_m: float | None = doc("radius_m", default=None)
    address: str | None = doc("address", default=None)
    contact: dict[str, Any] | None = doc("contact", default=None)
    team: dict[str, Any] | None = doc("team", default=None)
    risk: Risk | None = doc("risk", default=None)
    notice: NoticeTiming | None = doc("notice", default=None)
    notes: str | None = doc("notes", default=None)
    subjects: list[dict[str, Any]] | None = doc("subjects", default=None)


class AgencyRefPublic(Public):
    name: str = described("Agency name.", "ICE ERO St. Paul")
    ori: str = described("Its 9-character ORI.", "MNICE0100")
    level: AgencyLevel = described("Federal, state, local or tribal.", "federal")


class AreaPublic(Public):
    type: Literal["Point", "Polygon", "LineString"] = described("GeoJSON geometry type.", "Point")
    coordinates: list[Any] = described("GeoJSON coordinates, `[lon, lat]`.", [-93.262, 44.978])
    radius_m: float = described("Buffer around the geometry, metres.", 100.0)


class WindowPublic(Public):
    starts_at: Instant = described("Start, UTC.", TIME_EXAMPLE)
    ends_at: Instant = described("End, UTC.", "2026-12-01T15:00:00.000Z")


class InstallationRef(Public):
    name: str = described("The peer installation's name.", "city-east")


HOST_EXAMPLE = {"name": "Minneapolis PD", "ori": "MN0271100", "level": "local"}


class HostResponsePublic(Public):
    """A host agency's answer to a notice of an operation in its jurisdiction."""

    agency: AgencyRefPublic = described(
        "The host agency that answered.", {"name": "Minneapolis PD", "ori": "MN0271100"}
    )
    response: HostResponse = described(
        "`aware_not_assisting` (awareness recorded for officer safety; the agency does not take part), "
        "`standing_by_for_public_safety`, `assisting` or `request_contact`.",
        "aware_not_assisting",
    )
    note: str | None = described("The host's note to the operating agency; absent when none.", None, default=None)
    at: Instant = described("When it answered (or last changed its answer).", TIME_EXAMPLE)


class OperationPublic(Public):
    """An operation as the caller may see it: fields above `level_disclosed` are absent, not null."""

    id: str = described("Operation id.", ID_EXAMPLE)
    level_disclosed: Level = described("The level that applied: `safety`, `operational` or `full`.", "safety")
    agency: AgencyRefPublic = described("The owning agency.", {"name": "ICE ERO St. Paul", "ori": "MNICE0100"})
    contact: Contact = doc("contact")
    area: AreaPublic = described("Where, as GeoJSON with a buffer.", {"type": "Point", "coordinates": [-93.26, 44.97]})
    window: WindowPublic = described("When.", {"starts_at": TIME_EXAMPLE, "ends_at": "2026-12-01T15:00:00.000Z"})
    team: Team = doc("team")
    type: str | None = doc("type", OPERATIONAL, default=None)
    purpose: Purpose | None = doc("purpose", OPERATIONAL, default=None)
    risk: Risk | None = doc("risk", OPERATIONAL, default=None)
    address: str | None = doc("address", OPERATIONAL, default=None)
    status: OperationStatus | None = doc("status", OPERATIONAL, default=None)
    title: str | None = doc("title", FULL, default=None)
    case_number: str | None = doc("case_number", FULL, default=None)
    notes: str | None = doc("notes", FULL, default=None)
    subject_summary: dict[str, int] | None = doc("subject_summary", FULL, default=None)
    after_action: AfterActionPublic | None = doc("after_action", FULL, default=None)
    agency_id: str | None = doc("agency_id", OWN, default=None)
    subjects: list[dict[str, Any]] | None = doc("subjects", OWN, default=None)
    notice: NoticeTiming | None = doc("notice", OWN, default=None)
    version: int | None = doc("version", OWN, default=None)
    created_by: str | None = doc("created_by", OWN, default=None)
    created_at: Instant | None = doc("created_at", OWN, default=None)
    updated_at: Instant | None = doc("updated_at", OWN, default=None)
    installation: InstallationRef | None = described(
        "The peer installation that owns the operation (a conflict's counterpart from another installation "
        "only); absent for this installation's own.",
        {"name": "city-east"},
        default=None,
    )
    federation_unchecked: list[str] | None = described(
        "The peer installations not yet checked about this operation (its own agency only); they are asked "
        "again until they answer. Absent when every peer has been checked.",
        ["city"],
        default=None,
    )
    host_responses: list[HostResponsePublic] | None = described(
        "The host agencies' answers to this operation's jurisdiction notices (its own agency, on "
        "`GET /operations/{id}` only); absent when none answered.",
        [
            {
                "agency": {"name": "Minneapolis PD", "ori": "MN0271100"},
                "response": "aware_not_assisting",
                "at": TIME_EXAMPLE,
            }
        ],
        default=None,
    )
    purged_at: Instant | None = described(
        "When retention purged its details (title, notes, subjects, contact, team): only the shell remains. "
        "Absent while they are kept.",
        TIME_EXAMPLE,
        default=None,
    )
    exigent: bool | None = described(
        "True when the operation was entered after the fact (exigent); absent otherwise. Every viewer sees it.",
        True,
        default=None,
    )
    exigent_reason: str | None = described(
        "Why it was entered after the fact. The owning agency and the watch only.",
        "entry made to prevent loss of life",
        default=None,
    )
    sensitive_places: list[PlaceNearbyPublic] | None = described(
        "Sensitive places (schools, hospitals, ...) within 300 m of the operation, nearest first; its own agency "
        "only, absent when none.",
        None,
        default=None,
    )
    entered_on_behalf: EnteredOnBehalf | None = described(
        "Present when the watch center entered it for a caller of the owning agency. The owning agency and "
        "the watch only.",
        None,
        default=None,
    )


class OperationsPublic(Public):
    items: list[OperationPublic] = described("The caller's agency's operations, oldest first.", [])
    next: str | None = next_cursor()

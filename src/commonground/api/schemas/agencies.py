"""Agencies, their sharing policies, and their users."""

from __future__ import annotations

from typing import Any, Literal

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.domain.model import Role
from commonground.domain.policy import AgencyLevel, Level, NoticeTiming, Purpose

Counterpart = Literal["federal", "state", "local", "tribal", "watch"]
DISCLOSE_EXAMPLE = {"federal": "safety", "state": "operational", "local": "operational", "watch": "operational"}
JURISDICTION_EXAMPLE = {"type": "MultiPolygon", "coordinates": [[[[-93.33, 44.89], [-93.19, 44.89], [-93.19, 45.05]]]]}


class GeoJSONPolygon(Public):
    type: Literal["Polygon", "MultiPolygon"] = described("GeoJSON geometry type.", "MultiPolygon")
    coordinates: list[Any] = described("GeoJSON coordinates, `[lon, lat]` rings.", JURISDICTION_EXAMPLE["coordinates"])


class AgencyCreate(Strict):
    ori: str = described("The agency's 9-character ORI.", "MN0271100")
    name: str = described("Its name.", "Minneapolis Police Department")
    level: AgencyLevel = described("Federal, state, local or tribal.", "local")
    jurisdiction: GeoJSONPolygon | None = described("Where it is the host agency, for notices.", None, default=None)
    duty_phone: str = described("Its 24/7 duty phone.", "+1 612 555 0000")
    timezone: str = described("IANA time zone.", "America/Chicago")


class PolicyBody(Strict):
    disclose: dict[Counterpart, Level] = described(
        "Level disclosed to each counterpart class; an absent class gets `safety`.",
        DISCLOSE_EXAMPLE,
        default_factory=dict,
    )
    restricted_purposes: list[Purpose] = described(
        "Purposes that never receive this agency's subject data nor more than `safety`.",
        ["civil_immigration"],
        default_factory=list,
    )
    receive_notices: bool = described("Be told of other agencies' operations in the jurisdiction.", True, default=True)
    default_notice: NoticeTiming = described(
        "Notice timing for operations that set none.", "at_submit", default=NoticeTiming.AT_SUBMIT
    )
    proximity_m: int = described("Distance under which operations conflict, metres.", 500, default=500)
    time_buffer_min: int = described("Minutes each window is widened by.", 60, default=60)
    restriction_exceptions: list[str] = described(
        "Agencies whose missions the restricted purposes do not hold against (a joint task force whose"
        " primary purpose is another); their operations are judged by the purpose they declare.",
        [],
        default_factory=list,
    )


class PolicyPublic(Public):
    disclose: dict[Counterpart, Level] = described("Level disclosed to each counterpart class.", DISCLOSE_EXAMPLE)
    restricted_purposes: list[Purpose] = described("Purposes refused subject data.", ["civil_immigration"])
    receive_notices: bool = described("Told of other agencies' operations in the jurisdiction.", True)
    default_notice: NoticeTiming = described("Notice timing for operations that set none.", "at_submit")
    proximity_m: int = described("Distance under which operations conflict, metres.", 500)
    time_buffer_min: int = described("Minutes each window is widened by.", 60)
    allow_withheld: bool = described("Officers may withhold the notice of an operation.", False)
    restriction_exceptions: list[str] = described(
        "Agencies whose missions the restricted purposes do not hold against.", [], default_factory=list
    )
    version: int = described("Policy version, counted up on each change.", 2)


class AgencyPublic(Public):
    id: str = described("Agency id.", ID_EXAMPLE)
    ori: str = described("Its 9-character ORI.", "MN0271100")
    name: str = described("Its name.", "Minneapolis Police Department")
    level: AgencyLevel = described("Federal, state, local or tribal.", "local")
    duty_phone: str = described("Its 24/7 duty phone.", "+1 612 555 0000")
    timezone: str = described("IANA time zone.", "America/Chicago")
    jurisdiction: GeoJSONPolygon | None = described("Where it is the host agency, or null.", JURISDICTION_EXAMPLE)
    created_at: Instant | None = described("When it was registered.", TIME_EXAMPLE)
    policy: PolicyPublic | None = described("Its sharing policy (the caller's own agency only).", None, default=None)
    missions: list[Purpose] = described(
        "What the agency is for, recorded by the installation admin: a policy restricting one of these"
        " purposes holds every operation of the agency, whatever it declares.",
        ["civil_immigration"],
        default_factory=list,
    )


class MissionsBody(Strict):
    missions: list[Purpose] = described("The agency's missions, from the operation purposes.", ["civil_immigration"])


class AgenciesPublic(Public):
    items: list[AgencyPublic] = described("The directory of agencies.", [])
    next: str | None = next_cursor()


class UserCreate(Strict):
    agency_id: str = described("The user's agency.", ID_EXAMPLE)
    username: str = described("Sign-in name, unique.", "sgt.moore")
    display_name: str = described("Name shown to colleagues.", "Sgt. A. Moore")
    roles: list[Role] = described("Roles; DESIGN.md says what each may do.", ["supervisor"])
    password: str | None = described(
        "Console password; none for a token-only account.", "correct horse battery", default=None
    )
    phone: str | None = described("Phone, for notifications.", "+1 612 555 0100", default=None)
    email: str | None = described("E-mail address, for notifications.", "a.moore@example.org", default=None)


class UserPublic(Public):
    id: str = described("User id.", ID_EXAMPLE)
    agency_id: str = described("The user's agency.", ID_EXAMPLE)
    username: str = described("Sign-in name.", "sgt.moore")
    display_name: str = described("Name shown to colleagues.", "Sgt. A. Moore")
    roles: list[Role] = described("Roles, sorted.", ["supervisor"])
    phone: str | None = described("Phone, or null.", "+1 612 555 0100", default=None)
    email: str | None = described("E-mail address, or null.", "a.moore@example.org", default=None)

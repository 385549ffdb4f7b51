"""Request and response shapes of the HTTP contract (API.md), for validation and OpenAPI.

Types are checked here; the domain then checks meaning (ranges, geometry, rules) and
names any refused field the same way.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from commonground.domain.model import Attire, Risk, Role
from commonground.domain.policy import AgencyLevel, Level, NoticeTiming, Purpose


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(max_length=80)
    password: str = Field(max_length=512)
    otp: str | None = None


class TokenPublic(BaseModel):
    token: str
    expires_at: AwareDatetime | None = None


class TokenCreate(Strict):
    user_id: str
    name: str = Field(min_length=1, max_length=120)
    expires_at: AwareDatetime | None = None


class GeoJSONPolygon(BaseModel):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class AgencyCreate(Strict):
    ori: str
    name: str
    level: AgencyLevel
    jurisdiction: GeoJSONPolygon | None = None
    duty_phone: str
    timezone: str


class PolicyBody(Strict):
    disclose: dict[Literal["federal", "state", "local", "tribal", "watch"], Level] = Field(default_factory=dict)
    restricted_purposes: list[Purpose] = Field(default_factory=list)
    receive_notices: bool = True
    default_notice: NoticeTiming = NoticeTiming.AT_SUBMIT
    proximity_m: int = 500
    time_buffer_min: int = 60


class UserCreate(Strict):
    agency_id: str
    username: str
    display_name: str
    roles: list[Role]
    password: str | None = None
    phone: str | None = None
    email: str | None = None


class UserPublic(BaseModel):
    id: str
    agency_id: str
    username: str
    display_name: str
    roles: list[Role]
    phone: str | None = None
    email: str | None = None


class Location(Strict):
    lat: float
    lon: float
    radius_m: float | None = None
    address: str | None = None


class Contact(Strict):
    name: str
    phone: str
    radio: str | None = None


class Team(Strict):
    personnel: int | None = None
    attire: Attire | None = None
    vehicles: str | None = None


class Geometry(Strict):
    type: Literal["Point", "Polygon", "LineString"]
    coordinates: list[Any]
    radius_m: float | None = None


class OperationCreate(Strict):
    type: str
    purpose: Purpose
    title: str
    case_number: str | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: Location | None = None
    geometry: Geometry | None = None
    radius_m: float | None = None
    address: str | None = None
    contact: Contact
    team: Team | None = None
    risk: Risk = Risk.MEDIUM
    notice: NoticeTiming | None = None
    notes: str | None = None
    subjects: list[dict[str, Any]] | None = None


class OperationPatch(Strict):
    type: str | None = None
    purpose: Purpose | None = None
    title: str | None = None
    case_number: str | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: Location | None = None
    geometry: Geometry | None = None
    radius_m: float | None = None
    address: str | None = None
    contact: dict[str, Any] | None = None
    team: dict[str, Any] | None = None
    risk: Risk | None = None
    notice: NoticeTiming | None = None
    notes: str | None = None
    subjects: list[dict[str, Any]] | None = None


class NoteBody(Strict):
    note: str = Field(min_length=1, max_length=2000)


class AckBody(Strict):
    operation_id: str | None = None


def dump(model: BaseModel) -> dict[str, Any]:
    """Return only what the client sent, as JSON-ready values for the domain to parse."""
    return model.model_dump(mode="json", exclude_unset=True)

"""Agencies, their sharing policies, and their users."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import AgencyAdmin, AnyUser, InstallationAdmin, ServicesDep, UserManager, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.agencies import (
    AgenciesPublic,
    AgencyCreate,
    AgencyPublic,
    MissionsBody,
    PolicyBody,
    PolicyPublic,
    UserCreate,
    UserPublic,
)
from commonground.api.schemas.common import dump
from commonground.domain.errors import NotFound
from commonground.domain.jurisdictions import to_geojson
from commonground.domain.model import Agency, User
from commonground.domain.timewindow import isoformat

router = APIRouter(tags=["agencies"], route_class=PublicRoute)


def agency_public(agency: Agency, *, with_policy: bool) -> AgencyPublic:
    """The directory entry every member may read; the policy only for the agency itself."""
    jurisdiction = None
    if agency.jurisdiction is not None:
        jurisdiction = to_geojson(agency.jurisdiction, agency.jurisdiction_holes)
    return AgencyPublic.model_validate(
        {
            "id": agency.id,
            "ori": agency.ori,
            "name": agency.name,
            "level": agency.level.value,
            "duty_phone": agency.duty_phone,
            "timezone": agency.timezone,
            "jurisdiction": jurisdiction,
            "created_at": isoformat(agency.created_at) if agency.created_at else None,
            "missions": sorted(m.value for m in agency.missions),
            **({"policy": agency.policy.to_dict()} if with_policy else {}),
        }
    )


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        agency_id=user.agency_id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        phone=user.phone,
        email=user.email,
    )


@router.post("/agencies", status_code=201, responses=fails(409, 422))
def create_agency(body: AgencyCreate, services: ServicesDep, who: InstallationAdmin) -> AgencyPublic:
    """Register an agency (installation admin)."""
    return agency_public(services.accounts.create_agency(who, dump(body)), with_policy=True)


@router.get("/agencies", responses=fails(422))
def list_agencies(
    request: Request, services: ServicesDep, who: AnyUser, limit: int | None = None, cursor: str | None = None
) -> AgenciesPublic:
    """The directory of agencies; the caller's own carries its policy."""
    with services.store.read() as tx:
        page = tx.agencies.page(page_limit(request, limit), cursor)
    items = [agency_public(a, with_policy=a.id == who.agency.id) for a in page.items]
    return AgenciesPublic(items=items, next=page.next)


@router.get("/agencies/{agency_id}", responses=fails(404, 422))
def get_agency(agency_id: str, services: ServicesDep, who: AnyUser) -> AgencyPublic:
    """One agency's directory entry."""
    agency = services.accounts.get_agency(agency_id)
    return agency_public(agency, with_policy=agency.id == who.agency.id)


@router.get("/agencies/{agency_id}/policy", responses=fails(404, 422))
def get_policy(agency_id: str, services: ServicesDep, who: AgencyAdmin) -> PolicyPublic:
    """The agency's sharing policy (its own agency_admin)."""
    if who.agency.id != agency_id:
        raise NotFound("no such agency policy")
    return PolicyPublic.model_validate(services.accounts.get_agency(agency_id).policy.to_dict())


@router.put("/agencies/{agency_id}/policy", responses=fails(404, 422))
def put_policy(agency_id: str, body: PolicyBody, services: ServicesDep, who: AgencyAdmin) -> PolicyPublic:
    """Replace the agency's sharing policy (its own agency_admin)."""
    return PolicyPublic.model_validate(services.accounts.set_policy(who, agency_id, dump(body)).to_dict())


@router.put("/agencies/{agency_id}/missions", responses=fails(404, 422))
def put_missions(agency_id: str, body: MissionsBody, services: ServicesDep, who: InstallationAdmin) -> AgencyPublic:
    """Record what the agency is for (installation admin); restricting policies hold its every operation."""
    return agency_public(services.missions.set(who, agency_id, dump(body)), with_policy=False)


@router.post("/users", status_code=201, responses=fails(404, 409, 422))
def create_user(body: UserCreate, services: ServicesDep, who: UserManager) -> UserPublic:
    """Add a person to an agency (its agency_admin, or the installation admin)."""
    return user_public(services.accounts.create_user(who, dump(body)))

"""Agencies, their sharing policies, and their users."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from commonground.api.deps import AgencyAdmin, AnyUser, InstallationAdmin, ServicesDep, UserManager, page_limit
from commonground.api.schemas import AgencyCreate, PolicyBody, UserCreate, UserPublic, dump
from commonground.domain.errors import NotFound
from commonground.domain.model import Agency, User
from commonground.domain.timewindow import isoformat

router = APIRouter(tags=["agencies"])


def agency_public(agency: Agency, *, with_policy: bool) -> dict[str, Any]:
    """The directory entry every member may read; the policy only for the agency itself."""
    out: dict[str, Any] = {
        "id": agency.id,
        "ori": agency.ori,
        "name": agency.name,
        "level": agency.level.value,
        "duty_phone": agency.duty_phone,
        "timezone": agency.timezone,
        "jurisdiction": None
        if agency.jurisdiction is None
        else {"type": "MultiPolygon", "coordinates": [[[list(p) for p in ring]] for ring in agency.jurisdiction]},
        "created_at": isoformat(agency.created_at) if agency.created_at else None,
    }
    if with_policy:
        out["policy"] = agency.policy.to_dict()
    return out


def user_public(user: User) -> dict[str, Any]:
    return UserPublic(
        id=user.id,
        agency_id=user.agency_id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        phone=user.phone,
        email=user.email,
    ).model_dump()


@router.post("/agencies", status_code=201)
def create_agency(body: AgencyCreate, services: ServicesDep, who: InstallationAdmin) -> dict[str, Any]:
    return agency_public(services.accounts.create_agency(who, dump(body)), with_policy=True)


@router.get("/agencies")
def list_agencies(
    request: Request, services: ServicesDep, who: AnyUser, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    with services.store.read() as tx:
        page = tx.agencies.page(page_limit(request, limit), cursor)
    return {"items": [agency_public(a, with_policy=a.id == who.agency.id) for a in page.items], "next": page.next}


@router.get("/agencies/{agency_id}")
def get_agency(agency_id: str, services: ServicesDep, who: AnyUser) -> dict[str, Any]:
    agency = services.accounts.get_agency(agency_id)
    return agency_public(agency, with_policy=agency.id == who.agency.id)


@router.get("/agencies/{agency_id}/policy")
def get_policy(agency_id: str, services: ServicesDep, who: AgencyAdmin) -> dict[str, Any]:
    if who.agency.id != agency_id:
        raise NotFound("no such agency policy")
    return services.accounts.get_agency(agency_id).policy.to_dict()


@router.put("/agencies/{agency_id}/policy")
def put_policy(agency_id: str, body: PolicyBody, services: ServicesDep, who: AgencyAdmin) -> dict[str, Any]:
    return services.accounts.set_policy(who, agency_id, dump(body)).to_dict()


@router.post("/users", status_code=201)
def create_user(body: UserCreate, services: ServicesDep, who: UserManager) -> dict[str, Any]:
    return user_public(services.accounts.create_user(who, dump(body)))

"""Who may grant which role: every role from every granting role, allowed or refused, and nothing stored on refusal."""

from __future__ import annotations

import uuid

import pytest

from commonground.audit.tags import Action, Outcome
from commonground.domain.errors import NotPermitted
from commonground.domain.model import Role
from commonground.domain.permissions import AGENCY_ROLES, INSTALLATION_ROLES, grantable
from commonground.service.principal import Principal
from tests.conftest import World
from tests.unit.service.helpers import audit_of


def _expected(granter: Role, role: Role) -> bool:
    if granter is Role.ADMIN:
        return True
    if granter is Role.AGENCY_ADMIN:
        return role in AGENCY_ROLES
    return False


def test_the_roles_split_into_agency_and_installation_roles() -> None:
    assert frozenset(Role) == AGENCY_ROLES | INSTALLATION_ROLES
    assert not AGENCY_ROLES & INSTALLATION_ROLES
    assert {Role.WATCH, Role.AUDITOR, Role.ADMIN} == INSTALLATION_ROLES


@pytest.mark.parametrize("granter", list(Role))
def test_every_role_from_every_granting_role(world: World, granter: Role) -> None:
    """The installation admin grants any role; an agency admin agency roles only; everyone else none.

    A refusal stores no user and is audited as denied (a privilege escalation attempt is worth a record).
    """
    agency = world.agency("federal")
    who: Principal = world.admin if granter is Role.ADMIN else world.person(agency, granter.value)
    target = world.admin.agency.id if granter is Role.ADMIN else agency.id
    for role in Role:
        username = f"grant-{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        data = {"agency_id": target, "username": username, "display_name": "X", "roles": ["officer", role.value]}
        assert (role in grantable(who.user.roles)) == _expected(granter, role)
        if _expected(granter, role):
            made = world.services.accounts.create_user(who, data)
            assert made.roles == {Role.OFFICER, role}
        else:
            with pytest.raises(NotPermitted):
                world.services.accounts.create_user(who, data)
            with world.services.store.read() as tx:
                assert tx.people.by_username(username) is None, (granter, role)
    denied = [e for e in audit_of(world.services, Action.USER_CREATE) if e.outcome == Outcome.DENIED]
    refused = [r for r in Role if not _expected(granter, r)]
    if granter in (Role.ADMIN, Role.AGENCY_ADMIN):
        assert [e.actor_user_id for e in denied] == [who.user.id] * len(refused)
        assert {r for e in denied for r in (e.details or {})["roles"]} >= {r.value for r in refused}

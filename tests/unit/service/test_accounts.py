"""Account use-cases: agencies and their policies and jurisdictions, people, bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted, StateConflict
from commonground.domain.geometry import Box
from commonground.domain.model import Role
from commonground.service.accounts import hash_token
from commonground.service.clock import ManualClock
from tests.conftest import World
from tests.unit.service.helpers import audit_of, outcomes

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-93.3, 44.9], [-93.2, 44.9], [-93.2, 45.0], [-93.3, 45.0], [-93.3, 44.9]]],
}
AGENCY = {"ori": "MN0271234", "name": "Test PD", "level": "local", "duty_phone": "+1 612 555 0100", "timezone": "UTC"}


def test_the_installation_admin_creates_agencies_with_their_jurisdiction_box(world: World) -> None:
    """The agency is stored with its rings, indexed by its box, and the creation is audited."""
    made = world.services.accounts.create_agency(world.admin, {**AGENCY, "jurisdiction": SQUARE})
    with world.services.store.read() as tx:
        assert tx.agencies.by_ori("MN0271234") == made and made.jurisdiction is not None
        assert tx.agencies.with_jurisdiction_in([Box(-93.26, -93.25, 44.97, 44.98)]) == [made]
    [record] = audit_of(world.services, Action.AGENCY_CREATE)
    assert (record.actor_user_id, record.object_id, record.details) == (
        world.admin.user.id,
        made.id,
        {"ori": "MN0271234"},
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ori": "SHORT"}, "ori"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"level": "galactic"}, "level"),
        ({"name": ""}, "name"),
        ({"jurisdiction": {"type": "Point", "coordinates": [0, 0]}}, "jurisdiction.type"),
        ({"policy": {"proximity_m": "far"}}, "proximity_m"),
    ],
)
def test_a_refused_agency_field_is_named(world: World, change: dict[str, Any], field: str) -> None:
    """Each bad field is named and no agency is stored."""
    with pytest.raises(InvalidInput) as refused:
        world.services.accounts.create_agency(world.admin, {**AGENCY, **change})
    assert refused.value.field == field
    with world.services.store.read() as tx:
        assert tx.agencies.by_ori(str(change.get("ori", AGENCY["ori"])).upper()) is None


def test_an_ori_is_taken_once_and_only_the_admin_creates(world: World) -> None:
    """A second agency with the same ORI is refused; an agency admin may not create agencies at all."""
    world.services.accounts.create_agency(world.admin, AGENCY)
    with pytest.raises(InvalidInput) as taken:
        world.services.accounts.create_agency(world.admin, {**AGENCY, "name": "Impostor"})
    assert taken.value.field == "ori"
    admin = world.person(world.agency(), "agency_admin")
    with pytest.raises(NotPermitted):
        world.services.accounts.create_agency(admin, {**AGENCY, "ori": "MN0279999"})
    assert len(audit_of(world.services, Action.AGENCY_CREATE)) == 1 + 1  # the fixture's agency, and ours


def test_only_the_agencys_own_administrator_sets_its_policy(world: World) -> None:
    """The new policy is stored at the next version with the old and new audited; others are refused."""
    agency = world.agency()
    own, other = world.person(agency, "agency_admin"), world.person(world.agency(), "agency_admin")
    for who in (other, world.admin, world.person(agency, "supervisor")):
        with pytest.raises(NotPermitted):
            world.services.accounts.set_policy(who, agency.id, {"proximity_m": 900})
    world.services.accounts.set_policy(own, agency.id, {"proximity_m": 900, "time_buffer_min": 15})
    stored = world.services.accounts.get_agency(agency.id).policy
    assert (stored.proximity_m, stored.time_buffer_min, stored.version) == (900, 15, 2)
    [record] = audit_of(world.services, Action.AGENCY_POLICY_UPDATE)
    assert record.actor_user_id == own.user.id and record.details is not None
    assert (record.details["old"]["proximity_m"], record.details["new"]["proximity_m"]) == (500, 900)
    with pytest.raises(NotFound):
        world.services.accounts.get_agency("no-such-agency")


def test_a_jurisdiction_is_set_and_cleared_by_its_administrator(world: World) -> None:
    """Rings and box move together; clearing removes both; another agency's admin is refused."""
    agency = world.agency()
    own = world.person(agency, "agency_admin")
    probe = [Box(-93.26, -93.25, 44.97, 44.98)]
    with pytest.raises(NotPermitted):
        world.services.accounts.set_jurisdiction(world.person(world.agency(), "agency_admin"), agency.id, SQUARE)
    world.services.accounts.set_jurisdiction(own, agency.id, SQUARE)
    with world.services.store.read() as tx:
        assert [a.id for a in tx.agencies.with_jurisdiction_in(probe)] == [agency.id]
    world.services.accounts.set_jurisdiction(own, agency.id, None)
    with world.services.store.read() as tx:
        assert tx.agencies.with_jurisdiction_in(probe) == []
        stored = tx.agencies.get(agency.id)
        assert stored is not None and stored.jurisdiction is None
    records = audit_of(world.services, Action.AGENCY_JURISDICTION_UPDATE)
    assert [(r.details or {}).get("rings") for r in records] == [1, 0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "No Spaces"}, "username"),
        ({"roles": []}, "roles"),
        ({"roles": ["overlord"]}, "roles.0"),
        ({"password": "short"}, "password"),
        ({"agency_id": "no-such-agency"}, "agency_id"),
    ],
)
def test_a_refused_user_field_is_named(world: World, change: dict[str, Any], field: str) -> None:
    """Each bad field is named and nobody is stored."""
    agency = world.agency()
    data = {"agency_id": agency.id, "username": "new.person", "display_name": "New", "roles": ["officer"], **change}
    with pytest.raises(InvalidInput) as refused:
        world.services.accounts.create_user(world.admin, data)
    assert refused.value.field == field
    with world.services.store.read() as tx:
        assert tx.people.by_username("new.person") is None


def test_agency_administrators_create_their_own_people_but_no_admins(world: World) -> None:
    """A user is stored with a password hash and audited; the admin role and other agencies are refused."""
    agency = world.agency()
    own = world.person(agency, "agency_admin")
    data = {"agency_id": agency.id, "username": "Sgt.Kim", "display_name": "Sgt. Kim", "roles": ["supervisor"]}
    with pytest.raises(NotPermitted):
        world.services.accounts.create_user(own, {**data, "roles": ["admin"]})
    with pytest.raises(NotPermitted):
        world.services.accounts.create_user(world.person(world.agency(), "agency_admin"), data)
    made = world.services.accounts.create_user(own, {**data, "password": "correct horse battery"})
    with world.services.store.read() as tx:
        found = tx.people.by_username("sgt.kim")
    assert found is not None and found[0] == made and found[0].roles == {Role.SUPERVISOR}
    assert found[1] is not None and found[1].startswith("$argon2id$")
    with pytest.raises(InvalidInput) as taken:
        world.services.accounts.create_user(own, data)
    assert taken.value.field == "username"
    assert [e.object_id for e in audit_of(world.services, Action.USER_CREATE)][-1] == made.id


def test_a_token_authenticates_until_it_expires_or_is_revoked(world: World, clock: ManualClock) -> None:
    """Only the hash is stored; expiry and revocation both end it; revoking twice is a conflict."""
    who = world.person(world.agency())
    short, record = world.services.accounts.create_token(
        world.admin, who.user.id, "cad", clock.now() + timedelta(hours=1)
    )
    assert record.token_hash == hash_token(short) and short not in repr(record)
    with world.services.store.read() as tx:
        assert tx.tokens.principal(hash_token(short)) is not None
    assert world.services.accounts.authenticate(short).user.id == who.user.id
    clock.advance(timedelta(hours=2))
    with pytest.raises(NotAuthenticated):
        world.services.accounts.authenticate(short)
    token, long_lived = world.services.accounts.create_token(world.admin, who.user.id, "cad")
    world.services.accounts.revoke_token(world.admin, long_lived.id)
    with pytest.raises(NotAuthenticated):
        world.services.accounts.authenticate(token)
    with pytest.raises(StateConflict):
        world.services.accounts.revoke_token(world.admin, long_lived.id)
    [revoked] = audit_of(world.services, Action.AUTH_TOKEN_REVOKE)
    assert revoked.object_id == long_lived.id and revoked.details == {"for_user": who.user.id}


def test_tokens_are_managed_by_administrators_of_the_holders_agency(world: World, services: Services) -> None:
    """Another agency's administrator cannot see, mint or revoke a person's tokens; a past expiry is refused."""
    who = world.person(world.agency())
    stranger = world.person(world.agency(), "agency_admin")
    _, record = services.accounts.create_token(world.admin, who.user.id, "cad")
    with pytest.raises(NotFound):
        services.accounts.create_token(stranger, who.user.id, "mine")
    with pytest.raises(NotFound):
        services.accounts.revoke_token(stranger, record.id)
    with pytest.raises(NotPermitted):
        services.accounts.list_tokens(who)
    with pytest.raises(InvalidInput) as past:
        services.accounts.create_token(world.admin, who.user.id, "old", "2000-01-01T00:00:00Z")
    assert past.value.field == "expires_at"
    with pytest.raises(InvalidInput) as nobody:
        services.accounts.create_token(world.admin, "no-such-user", "cad")
    assert nobody.value.field == "user_id"
    with services.store.read() as tx:
        assert [t.id for t, _, revoked in tx.tokens.of_agency(who.agency.id) if revoked is None] == [record.id]
    assert (world.admin.user.id, "success") in outcomes(services, Action.AUTH_TOKEN_CREATE)

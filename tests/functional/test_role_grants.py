"""Who may grant which role: every role, granted and removed by every role, over HTTP, in one table.

The measured finding: an agency admin granted its own users the installation roles ``watch`` and
``auditor`` (only ``admin`` was refused), and so read every agency's operations and audit log.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from commonground.domain.model import Agency, Role
from tests.conftest import World, bearer

OF, S, D, W, AA, AU, AD = (
    Role.OFFICER,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.WATCH,
    Role.AGENCY_ADMIN,
    Role.AUDITOR,
    Role.ADMIN,
)
AGENCY_ROLES = {OF: True, S: True, D: True, AA: True, W: False, AU: False, AD: False}
NOTHING = dict.fromkeys(Role, False)

# GRANTS[granter][role]: may someone holding only ``granter`` give ``role`` to a person (or take it away)?
GRANTS: dict[Role, dict[Role, bool]] = {
    AD: dict.fromkeys(Role, True),
    AA: AGENCY_ROLES,
    OF: NOTHING,
    S: NOTHING,
    D: NOTHING,
    W: NOTHING,
    AU: NOTHING,
}


def test_the_table_has_a_row_and_a_column_for_every_role() -> None:
    """A new role fails here until someone decides who may grant it."""
    assert set(GRANTS) == set(Role)
    assert [granter for granter, row in GRANTS.items() if set(row) != set(Role)] == []


def _base(role: Role) -> Role:
    """The role a person already holds when ``role`` is added to or taken from them."""
    return S if role is OF else OF


def test_every_role_granted_and_removed_by_every_role(world: World, http: httpx.Client) -> None:
    agency = world.agency("local", name="City PD")
    unexpected: list[str] = []
    for granter, row in GRANTS.items():
        who = world.admin if granter is AD else world.person(agency, granter.value)
        token = world.token(who)
        for role, allowed in row.items():
            for how, status, stored in (
                ("create", *_create(world, http, token, agency, role)),
                ("grant", *_patch(world, http, token, agency, [_base(role)], [_base(role), role])),
                ("remove", *_patch(world, http, token, agency, [_base(role), role], [_base(role)])),
            ):
                want = {"create": 201, "grant": 200, "remove": 200}[how] if allowed else 403
                if status != want or stored is not allowed:
                    unexpected.append(f"{granter} {how} {role}: {status} (stored: {stored}), expected {want}")
    assert unexpected == []


def _create(world: World, http: httpx.Client, token: str, agency: Agency, role: Role) -> tuple[int, bool]:
    username = f"grant-{uuid.uuid4().hex[:10]}"
    body = {"agency_id": agency.id, "username": username, "display_name": "Granted", "roles": [role.value]}
    r = http.post("/api/v1/users", json=body, headers=bearer(token))
    with world.services.store.read() as tx:
        found = tx.people.by_username(username)
    return r.status_code, found is not None and found[0].roles == {role}


def _patch(
    world: World, http: httpx.Client, token: str, agency: Agency, before: list[Role], after: list[Role]
) -> tuple[int, bool]:
    target = world.person(agency, *(r.value for r in before))
    body: dict[str, Any] = {"roles": [r.value for r in after]}
    r = http.patch(f"/api/v1/users/{target.user.id}", json=body, headers=bearer(token))
    with world.services.store.read() as tx:
        stored = tx.people.get(target.user.id)
    assert stored is not None
    return r.status_code, stored.roles == set(after)

"""Refusals an attacker with a valid account meets over HTTP: role grants, input limits, look-up limits."""

from __future__ import annotations

import httpx

from tests.conftest import World, bearer

API = "/api/v1"


def test_an_agency_admin_cannot_grant_installation_roles_over_http(http: httpx.Client, world: World) -> None:
    """The measured attack: a federal agency admin grants itself ``watch`` or ``auditor``; 403, nothing stored."""
    agency = world.agency("federal")
    token = world.token(world.person(agency, "agency_admin"))
    for role in ("watch", "auditor", "admin"):
        body = {"agency_id": agency.id, "username": f"mole-{role}", "display_name": "Mole", "roles": [role]}
        answer = http.post(f"{API}/users", headers=bearer(token), json=body)
        assert answer.status_code == 403, answer.text
        with world.services.store.read() as tx:
            assert tx.people.by_username(f"mole-{role}") is None
    answer = http.post(
        f"{API}/users",
        headers=bearer(token),
        json={"agency_id": agency.id, "username": "new-dispatcher", "display_name": "D", "roles": ["dispatcher"]},
    )
    assert answer.status_code in (200, 201), answer.text

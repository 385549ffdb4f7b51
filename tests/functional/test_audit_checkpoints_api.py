"""``GET /api/v1/audit/checkpoints`` over real HTTP: who may read it, paging, and what the chain field says."""

from __future__ import annotations

import json
import secrets

import httpx

from commonground.bootstrap import signature_check
from commonground.edge.cookies import COOKIE
from commonground.service.accounts import hash_token
from commonground.service.audit_proof import held_checkpoints
from commonground.service.signin_ports import SessionRecord
from tests.conftest import World, bearer


def test_auditors_and_the_admin_list_signed_checkpoints_newest_first(world: World, http: httpx.Client) -> None:
    services = world.services
    agency = world.agency()
    auditor, officer = world.person(agency, "auditor"), world.person(agency, "officer")
    services.audit.checkpoint(force=True)
    world.person(agency, "dispatcher")  # more records
    services.audit.checkpoint(force=True)
    for who in (world.token(auditor), world.token(world.admin)):
        r = http.get("/api/v1/audit/checkpoints", params={"limit": 1}, headers=bearer(who))
        assert r.status_code == 200, r.text
        first = r.json()
        assert len(first["items"]) == 1 and first["next"] is not None
        rest = http.get("/api/v1/audit/checkpoints", params={"cursor": first["next"]}, headers=bearer(who)).json()
        sizes = [c["tree_size"] for c in first["items"] + rest["items"]]
        assert sizes == sorted(sizes, reverse=True) and len(sizes) == 2
        for held in held_checkpoints(json.dumps(first["items"] + rest["items"])):
            assert held.signature_checks(signature_check())
    denied = http.get("/api/v1/audit/checkpoints", headers=bearer(world.token(officer)))
    assert denied.status_code == 403
    bad = http.get("/api/v1/audit/checkpoints", params={"cursor": "x"}, headers=bearer(world.token(auditor)))
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "cursor"


def test_the_audit_read_still_reports_the_chain(world: World, http: httpx.Client) -> None:
    """The v1 ``chain`` field keeps its shape; after a checkpoint it vouches for every kept record."""
    auditor = world.person(world.agency(), "auditor")
    world.services.audit.checkpoint(force=True)
    r = http.get("/api/v1/audit", headers=bearer(world.token(auditor)))
    assert r.status_code == 200
    chain = r.json()["chain"]
    with world.services.store.read() as tx:
        bounds = tx.audit.bounds()
    assert chain["intact"] is True and bounds is not None and chain["checked"] == bounds[1]


def test_the_auditor_page_names_the_checkpoint_it_checked_from(world: World, http: httpx.Client) -> None:
    """The console page says which signed checkpoint its verdict starts from, or that there is none yet."""
    auditor = world.person(world.agency(), "auditor")
    cookie, now = secrets.token_urlsafe(32), world.services.clock.now()
    with world.services.store.write() as tx:
        tx.signin.add_session(SessionRecord(hash_token(cookie), auditor.user.id, "active", "csrf", now, now))
    http.cookies.set(COOKIE, cookie)
    before = http.get("/auditor")
    assert before.status_code == 200 and "No signed checkpoint yet" in before.text
    made = world.services.audit.checkpoint(force=True)
    assert made is not None
    after = http.get("/auditor")
    assert f"Latest signed checkpoint: {made.tree_size} records" in after.text and made.root_hash[:16] in after.text
    assert "Chain intact" in after.text

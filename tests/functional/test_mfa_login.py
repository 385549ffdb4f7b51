"""API password sign-in needs a second factor for everyone (COMMONGROUND_REQUIRE_MFA), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyotp
import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from tests.conftest import LiveServer, World
from tests.unit.service.helpers import audit_of

PASSWORD = "correct horse battery staple"
LOGIN = "/api/v1/auth/login"


def serve(url: str, **settings: object) -> Iterator[tuple[World, httpx.Client]]:
    services = build_services(Settings(database_url=url, **settings))  # type: ignore[arg-type]
    try:
        with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            yield World(services), client
    finally:
        services.close()


@pytest.fixture
def site(sqlite_url: str) -> Iterator[tuple[World, httpx.Client]]:
    yield from serve(sqlite_url)


def api_logins(services: Services) -> list[tuple[str, object]]:
    """The API sign-ins' audit outcomes and reasons, oldest first."""
    found = [e for e in audit_of(services, Action.AUTH_LOGIN) if (e.details or {}).get("via") == "api"]
    return [(e.outcome, (e.details or {}).get("reason")) for e in found]


def test_an_unenrolled_person_is_sent_to_the_console_to_enrol(site: tuple[World, httpx.Client]) -> None:
    world, http = site
    officer = world.person(world.agency(), "officer", password=PASSWORD)
    r = http.post(LOGIN, json={"username": officer.user.username, "password": PASSWORD})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "mfa_enrolment_required"
    # A wrong password still says only "wrong": enrolment state is never shown to a guesser.
    r = http.post(LOGIN, json={"username": officer.user.username, "password": "not it"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    assert api_logins(world.services) == [("denied", "mfa_enrolment_required"), ("failure", "password")]


def test_an_enrolled_person_needs_a_valid_code(site: tuple[World, httpx.Client]) -> None:
    world, http = site
    officer = world.person(world.agency(), "officer", password=PASSWORD)
    totp = pyotp.TOTP(world.enrol(officer))
    login = {"username": officer.user.username, "password": PASSWORD}
    assert http.post(LOGIN, json=login).status_code == 401
    wrong = str((int(totp.now()) + 1) % 1_000_000).zfill(6)
    assert http.post(LOGIN, json={**login, "otp": wrong}).status_code == 401
    r = http.post(LOGIN, json={**login, "otp": totp.now()})
    assert r.status_code == 200 and r.json()["token"].startswith("cg_")
    token = r.json()["token"]
    assert http.get("/api/v1/operations", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_require_mfa_false_restores_password_only_sign_in(sqlite_url: str) -> None:
    for world, http in serve(sqlite_url, require_mfa=False):
        officer = world.person(world.agency(), "officer", password=PASSWORD)
        r = http.post(LOGIN, json={"username": officer.user.username, "password": PASSWORD})
        assert r.status_code == 200 and r.json()["token"].startswith("cg_")
        totp = pyotp.TOTP(world.enrol(officer))  # once enrolled, the code is asked for all the same
        assert http.post(LOGIN, json={"username": officer.user.username, "password": PASSWORD}).status_code == 401
        login = {"username": officer.user.username, "password": PASSWORD, "otp": totp.now()}
        assert http.post(LOGIN, json=login).status_code == 200

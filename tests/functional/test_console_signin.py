"""Console sign-in rules over HTTP: banner first, hold-back and attempt limit, OTP on the API, idle limit."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.scopes import Scope
from commonground.http.app import create_app
from commonground.service.clock import ManualClock
from commonground.service.signin import WRONG
from tests.conftest import World

PASSWORD = "correct horse battery staple"


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def start(client: TestClient) -> str:
    client.post("/login/accept", data={"csrf": csrf(client.get("/login").text)})
    return csrf(client.get("/login").text)


def test_credentials_need_the_banner_then_five_failures_hold_the_source_back(sqlite_url: str) -> None:
    """After five failures the right password is refused from that source, with the same answer, until the wait ends."""
    clock = ManualClock(datetime.now(UTC))
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False), clock=clock)
    world = World(services)
    victim = world.person(world.agency(), "officer", password=PASSWORD)
    client = TestClient(create_app(services=services), base_url="http://127.0.0.1")
    assert (
        client.post(
            "/login", data={"username": victim.user.username, "password": PASSWORD}, follow_redirects=False
        ).headers["location"]
        == "/login"
    )
    token = start(client)
    for _ in range(5):
        r = client.post("/login", data={"csrf": token, "username": victim.user.username, "password": "wrong"})
        assert r.status_code == 401 and WRONG in r.text
    r = client.post("/login", data={"csrf": token, "username": victim.user.username, "password": PASSWORD})
    assert r.status_code == 401 and WRONG in r.text and "locked" not in r.text
    api_login = {"username": victim.user.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=api_login).status_code == 401

    clock.advance(timedelta(seconds=1))
    r = client.post(
        "/login", data={"csrf": token, "username": victim.user.username, "password": PASSWORD}, follow_redirects=False
    )
    assert r.headers["location"] == "/enrol"
    services.close()


def test_the_console_answers_429_past_the_attempt_limit(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, console_cookie_secure=False, signin_attempts_per_minute=2)
    services = build_services(settings)
    client = TestClient(create_app(services=services), base_url="http://127.0.0.1")
    token = start(client)
    for status in (401, 401, 429):
        r = client.post("/login", data={"csrf": token, "username": "nobody-by-this-name", "password": "x"})
        assert r.status_code == status
    assert int(r.headers["retry-after"]) >= 1 and "too many sign-in attempts" in r.text
    services.close()


def test_enrolled_people_give_their_code_to_the_api_and_idle_sessions_end(sqlite_url: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False), clock=clock)
    world = World(services)
    who = world.person(world.agency(), "supervisor", password=PASSWORD)
    client = TestClient(create_app(services=services), base_url="http://127.0.0.1")
    client.post("/login", data={"csrf": start(client), "username": who.user.username, "password": PASSWORD})
    page = client.get("/enrol").text
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page)
    assert secret
    totp = pyotp.TOTP(secret.group(1))
    r = client.post("/enrol", data={"csrf": csrf(page), "otp": totp.at(clock.now())}, follow_redirects=False)
    assert r.headers["location"] == "/"
    assert client.get("/operations").status_code == 200

    login: dict[str, Any] = {"username": who.user.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 401
    later = clock.now() + timedelta(seconds=30)
    assert client.post("/api/v1/auth/login", json={**login, "otp": totp.at(later)}).status_code == 200

    clock.advance(timedelta(minutes=31))
    assert client.get("/operations", follow_redirects=False).headers["location"] == "/login"
    services.close()


def test_the_console_offers_an_agency_admin_agency_roles_only(sqlite_url: str) -> None:
    """The people form of an agency admin has no watch, auditor or admin box (the API refuses them too)."""
    clock = ManualClock(datetime.now(UTC))
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False), clock=clock)
    world = World(services)
    who = world.person(world.agency("federal"), "agency_admin", password=PASSWORD)
    client = TestClient(create_app(services=services), base_url="http://127.0.0.1")
    client.post("/login", data={"csrf": start(client), "username": who.user.username, "password": PASSWORD})
    page = client.get("/enrol").text
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page)
    assert secret
    otp = pyotp.TOTP(secret.group(1)).at(clock.now())
    client.post("/enrol", data={"csrf": csrf(page), "otp": otp}, follow_redirects=False)
    admin_page = client.get("/admin")
    assert admin_page.status_code == 200
    offered = re.findall(r'name="roles" value="([a-z_]+)"', admin_page.text)
    assert offered == ["officer", "supervisor", "dispatcher", "agency_admin"]
    services.close()


def test_an_agency_admin_makes_a_scoped_token_in_the_console(sqlite_url: str) -> None:
    """The console's token form takes scopes; the list shows them, and a bad one is refused, naming it."""
    clock = ManualClock(datetime.now(UTC))
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False), clock=clock)
    world = World(services)
    agency = world.agency()
    who = world.person(agency, "agency_admin", password=PASSWORD)
    dispatcher = world.person(agency, "dispatcher")
    client = TestClient(create_app(services=services), base_url="http://127.0.0.1")
    client.post("/login", data={"csrf": start(client), "username": who.user.username, "password": PASSWORD})
    page = client.get("/enrol").text
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page)
    assert secret
    client.post("/enrol", data={"csrf": csrf(page), "otp": pyotp.TOTP(secret.group(1)).at(clock.now())})
    form = {"csrf": csrf(client.get("/admin").text), "user_id": dispatcher.user.id, "name": "CAD"}
    made = client.post("/admin/tokens", data={**form, "scopes": "lookup, notices"})
    assert made.status_code == 200
    token = re.search(r'id="new-token" class="token">(cg_[^<]+)<', made.text)
    assert token and '<td class="scopes">lookup, notices</td>' in made.text
    with services.store.read() as tx:
        found = tx.tokens.principal(hashlib.sha256(token.group(1).encode()).hexdigest())
    assert found is not None and found[0].scopes == frozenset({Scope.LOOKUP, Scope.NOTICES})
    refused = client.post("/admin/tokens", data={**form, "scopes": "operations"})
    assert refused.status_code == 422 and "scopes: the user&#39;s roles give nothing under operations" in refused.text
    services.close()

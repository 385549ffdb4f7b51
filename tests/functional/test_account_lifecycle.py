"""An account's life over HTTP: list, change, disable (token and console session 401 at once), enable, resets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.http.app import create_app
from commonground.service.clock import ManualClock
from commonground.service.principal import Principal
from tests.conftest import World, bearer

PASSWORD = "correct horse battery staple"


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def setup(sqlite_url: str) -> Iterator[tuple[Services, World, TestClient]]:
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False))
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        yield services, World(services), client
    services.close()


def console_sign_in(client: TestClient, username: str, password: str = PASSWORD, secret: str | None = None) -> str:
    """Banner, password, enrolment (or code): return the authenticator secret; the client holds the cookie."""
    client.cookies.clear()
    client.post("/login/accept", data={"csrf": csrf(client.get("/login").text)})
    form = {"csrf": csrf(client.get("/login").text), "username": username, "password": password}
    if secret:
        form["otp"] = pyotp.TOTP(secret).now()
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    if secret:
        return secret
    assert r.headers["location"] == "/enrol"
    page = client.get("/enrol").text
    found = re.search(r'id="secret">([A-Z2-7]+)<', page)
    assert found
    r = client.post(
        "/enrol", data={"csrf": csrf(page), "otp": pyotp.TOTP(found.group(1)).now()}, follow_redirects=False
    )
    assert r.headers["location"] == "/"
    return found.group(1)


def actions(services: Services, world: World, user_id: str) -> list[str]:
    with services.store.read() as tx:
        found = [r.entry.action for r in tx.audit.all() if r.entry.object_id == user_id]
    return [a for a in found if a.startswith(("admin:user:", "auth:password:"))]


def people(world: World) -> tuple[Any, Principal, Principal, Principal]:
    city, other = world.agency(name="St. Paul Police"), world.agency(name="Ramsey County")
    admin = world.person(city, "agency_admin", password=PASSWORD)
    officer = world.person(city, "officer", password=PASSWORD)
    stranger = world.person(other, "officer", password=PASSWORD)
    return city, admin, officer, stranger


def test_disabling_ends_the_token_and_the_console_session_at_once(setup: tuple[Services, World, TestClient]) -> None:
    services, world, client = setup
    _, admin, officer, _ = people(world)
    boss, token = bearer(world.token(admin)), bearer(world.token(officer))
    console_sign_in(client, officer.user.username)
    assert client.get("/api/v1/operations", headers=token).status_code == 200
    assert client.get("/api/v1/operations").status_code == 200  # the console's cookie
    assert client.get("/operations").status_code == 200

    r = client.post(f"/api/v1/users/{officer.user.id}/disable", headers=boss)
    assert r.status_code == 200 and r.json()["disabled"] is True

    assert client.get("/api/v1/operations", headers=token).status_code == 401
    assert client.get("/api/v1/operations").status_code == 401  # the session ended too
    assert client.get("/operations", follow_redirects=False).headers["location"] == "/login"
    assert (
        client.post("/api/v1/auth/login", json={"username": officer.user.username, "password": PASSWORD}).status_code
        == 401
    )

    assert client.post(f"/api/v1/users/{officer.user.id}/enable", headers=boss).json()["disabled"] is False
    assert client.get("/api/v1/operations", headers=token).status_code == 401  # old tokens stay revoked
    assert client.post(f"/api/v1/users/{admin.user.id}/disable", headers=boss).status_code == 409  # not oneself
    assert actions(services, world, officer.user.id)[-2:] == ["admin:user:disable", "admin:user:enable"]


def test_another_agencys_user_is_missing_and_not_listed(setup: tuple[Services, World, TestClient]) -> None:
    services, world, client = setup
    _, admin, officer, stranger = people(world)
    boss = bearer(world.token(admin))
    listed = client.get("/api/v1/users", headers=boss).json()
    assert {u["username"] for u in listed["items"]} == {admin.user.username, officer.user.username}
    assert client.get("/api/v1/users", headers=boss, params={"agency_id": stranger.agency.id}).json()["items"] == []
    for verb, path, body in (
        ("PATCH", "", {"display_name": "X"}),
        ("POST", "/disable", None),
        ("POST", "/enable", None),
        ("POST", "/reset-password", None),
        ("POST", "/reset-mfa", None),
    ):
        r = client.request(verb, f"/api/v1/users/{stranger.user.id}{path}", headers=boss, json=body)
        assert r.status_code == 404, (verb, path, r.text)
        assert client.request(verb, f"/api/v1/users/no-such-user{path}", headers=boss, json=body).status_code == 404
    assert actions(services, world, stranger.user.id) == ["admin:user:create"]
    # The installation admin sees and manages everyone.
    root = bearer(world.token(world.admin))
    everyone = client.get("/api/v1/users", headers=root, params={"role": "officer"}).json()["items"]
    assert {u["username"] for u in everyone} == {officer.user.username, stranger.user.username}
    assert client.post(f"/api/v1/users/{stranger.user.id}/disable", headers=root).status_code == 200
    assert (
        client.get("/api/v1/users", headers=root, params={"disabled": True}).json()["items"][0]["id"]
        == stranger.user.id
    )
    # An officer manages no one.
    assert client.get("/api/v1/users", headers=bearer(world.token(officer))).status_code == 403


def test_agency_admins_change_agency_roles_only(setup: tuple[Services, World, TestClient]) -> None:
    services, world, client = setup
    _, admin, officer, _ = people(world)
    boss, root = bearer(world.token(admin)), bearer(world.token(world.admin))
    url = f"/api/v1/users/{officer.user.id}"
    r = client.patch(
        url,
        headers=boss,
        json={"display_name": "Ofc. Lee", "phone": "+1 651 555 0101", "roles": ["officer", "dispatcher"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "Ofc. Lee" and r.json()["roles"] == ["dispatcher", "officer"]
    for installation_role in ("watch", "auditor", "admin"):
        refused = client.patch(url, headers=boss, json={"roles": ["officer", installation_role]})
        assert refused.status_code == 403, installation_role
    assert client.patch(url, headers=root, json={"roles": ["officer", "auditor"]}).status_code == 200
    assert client.patch(url, headers=boss, json={"roles": ["officer"]}).status_code == 403  # nor take one away
    assert client.patch(url, headers=boss, json={"roles": ["sheriff"]}).status_code == 422
    with services.store.read() as tx:
        updates = [r.entry for r in tx.audit.all() if r.entry.action == "admin:user:update"]
    assert len(updates) == 2 and updates[0].details == {
        "fields": ["display_name", "phone", "roles"],
        "old_roles": ["officer"],
        "new_roles": ["dispatcher", "officer"],
    }


def test_a_set_password_token_works_once_and_the_console_page_uses_it(
    setup: tuple[Services, World, TestClient],
) -> None:
    services, world, client = setup
    _, admin, officer, _ = people(world)
    boss = bearer(world.token(admin))
    reset = client.post(f"/api/v1/users/{officer.user.id}/reset-password", headers=boss)
    assert reset.status_code == 201
    body = reset.json()
    assert body["token"].startswith("cg_") and body["set_password_url"] == "/set-password"
    assert client.get(f"/set-password?token={body['token']}").status_code == 200
    page = client.get("/set-password").text
    new = "a much longer new passphrase"
    r = client.post(
        "/set-password", data={"csrf": csrf(page), "token": body["token"], "password": new}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/login"
    again = client.post("/api/v1/auth/set-password", json={"token": body["token"], "password": new})
    assert again.status_code == 422  # used up
    assert client.post("/api/v1/auth/set-password", json={"token": "cg_nope", "password": new}).status_code == 422
    console_sign_in(client, officer.user.username, new)
    assert client.get("/operations").status_code == 200
    second = client.post(f"/api/v1/users/{officer.user.id}/reset-password", headers=boss).json()["token"]
    assert client.post("/api/v1/auth/set-password", json={"token": second, "password": "short"}).status_code == 422
    assert client.post("/api/v1/auth/set-password", json={"token": second, "password": PASSWORD}).status_code == 204
    assert actions(services, world, officer.user.id)[-4:] == [
        "admin:user:reset-password",
        "auth:password:set",
        "admin:user:reset-password",
        "auth:password:set",
    ]


def test_an_authenticator_reset_ends_the_session_and_enrols_anew(setup: tuple[Services, World, TestClient]) -> None:
    services, world, client = setup
    _, admin, officer, _ = people(world)
    console_sign_in(client, officer.user.username)
    assert client.get("/api/v1/operations").status_code == 200
    r = client.post(f"/api/v1/users/{officer.user.id}/reset-mfa", headers=bearer(world.token(admin)))
    assert r.status_code == 200
    assert client.get("/api/v1/operations").status_code == 401
    console_sign_in(client, officer.user.username)  # asks to enrol again
    assert actions(services, world, officer.user.id)[-1] == "admin:user:reset-mfa"


def test_temporary_accounts_expire_and_the_sweep_disables_them_and_unused_ones(sqlite_url: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False), clock=clock)
    world = World(services)
    _, admin, officer, stranger = people(world)
    helper = world.person(admin.agency, "officer", password=PASSWORD)
    boss, token = bearer(world.token(admin)), bearer(world.token(helper))
    with TestClient(create_app(services=services), base_url="http://127.0.0.1") as client:
        url = f"/api/v1/users/{helper.user.id}"
        too_late = (clock.now() + timedelta(hours=73)).isoformat()
        assert client.patch(url, headers=boss, json={"expires_at": too_late}).status_code == 422
        soon = (clock.now() + timedelta(hours=8)).replace(microsecond=0)
        r = client.patch(url, headers=boss, json={"expires_at": soon.isoformat()})
        assert r.status_code == 200 and r.json()["expires_at"].startswith(soon.strftime("%Y-%m-%dT%H:%M:%S"))
        assert client.get("/api/v1/operations", headers=token).status_code == 200
        clock.advance(timedelta(hours=9))
        assert client.get("/api/v1/operations", headers=token).status_code == 401  # at once, before any sweep
        login = {"username": helper.user.username, "password": PASSWORD}
        assert client.post("/api/v1/auth/login", json=login).status_code == 401
        assert services.lifecycle.expire() == 1
        listed = client.get("/api/v1/users", headers=boss, params={"disabled": True}).json()["items"]
        assert [u["username"] for u in listed] == [helper.user.username]

        # 91 days on, the officer never signed in and holds no token: disabled. The admin's token is live.
        clock.advance(timedelta(days=91))
        boss = bearer(world.token(admin))  # the first one expired after 90 days: that would count as unused
        world.token(world.admin)
        assert services.lifecycle.expire() == 2  # the officer here and the one of the other agency
        assert client.get("/api/v1/users", headers=boss, params={"disabled": False}).json()["items"] == [
            client.get(f"/api/v1/users?username={admin.user.username}", headers=boss).json()["items"][0]
        ]
    with services.store.read() as tx:
        sweeps = [r.entry for r in tx.audit.all() if r.entry.action == "admin:user:disable"]
    assert [(e.object_id, (e.details or {})["reason"]) for e in sweeps] == [
        (helper.user.id, "expired"),
        *sorted([(officer.user.id, "inactive"), (stranger.user.id, "inactive")], key=lambda p: p[0] != officer.user.id),
    ]
    services.close()


def test_the_admin_console_page_disables_resets_and_enables(setup: tuple[Services, World, TestClient]) -> None:
    services, world, client = setup
    _, admin, officer, stranger = people(world)
    token = bearer(world.token(officer))
    console_sign_in(client, admin.user.username)
    page = client.get("/admin").text
    assert f'data-account="disable {officer.user.username}"' in page
    form = {"csrf": csrf(page), "user_id": officer.user.id}
    r = client.post("/admin/account", data={**form, "action": "disable"})
    assert r.status_code == 200 and "Account disabled" in r.text
    assert client.get("/api/v1/operations", headers=token).status_code == 401
    assert f'data-account="enable {officer.user.username}"' in r.text
    r = client.post("/admin/account", data={**form, "action": "reset-password"})
    found = re.search(r'id="reset-token" class="token">(cg_[A-Za-z0-9_-]+)<', r.text)
    assert found
    assert (
        client.post("/api/v1/auth/set-password", json={"token": found.group(1), "password": PASSWORD + "!"}).status_code
        == 204
    )
    assert "Authenticator removed" in client.post("/admin/account", data={**form, "action": "reset-mfa"}).text
    assert "Account enabled" in client.post("/admin/account", data={**form, "action": "enable"}).text
    refused = client.post("/admin/account", data={**form, "user_id": stranger.user.id, "action": "disable"})
    assert refused.status_code == 404
    assert client.post("/admin/account", data={**form, "action": "explode"}).status_code == 422
    assert client.post("/admin/account", data={**form, "csrf": "wrong", "action": "disable"}).status_code == 403
    assert actions(services, world, officer.user.id)[-5:] == [
        "admin:user:disable",
        "admin:user:reset-password",
        "auth:password:set",
        "admin:user:reset-mfa",
        "admin:user:enable",
    ]

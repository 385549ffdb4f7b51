"""Sign-in that cannot be gamed, over HTTP against a real server: sources apart, one answer, limits, tokens end.

Each client binds its own loopback address (127.0.0.2, 127.0.0.3, …), so the server sees real,
different sources without trusting any forwarded header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.service import passwords
from commonground.service.clock import ManualClock
from tests.conftest import LiveServer, World, bearer

PASSWORD = "correct horse battery staple"
WRONG = "wrong username, password or code"


@contextmanager
def serving(sqlite_url: str, **settings: Any) -> Iterator[tuple[Services, World, LiveServer]]:
    """A real server on a fixed clock, so a hold-back does not run out while the test types.

    The second factor is not what these tests are about (tests/functional/test_mfa_login.py is), so
    password sign-in alone is allowed here unless a test asks otherwise.
    """
    settings = {"require_mfa": False, **settings}
    services = build_services(Settings(database_url=sqlite_url, **settings), clock=ManualClock(datetime.now(UTC)))
    try:
        with LiveServer(services) as live:
            yield services, World(services), live
    finally:
        services.close()


def client_from(live: LiveServer, address: str) -> httpx.Client:
    """An HTTP client whose connections leave from ``address`` (a loopback address of its own)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=live.url, timeout=20, transport=transport)


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_a_strangers_bad_passwords_do_not_stop_the_owner_signing_in_from_elsewhere(sqlite_url: str) -> None:
    with serving(sqlite_url) as (_services, world, live):
        owner = world.person(world.agency(), "officer", password=PASSWORD)
        with client_from(live, "127.0.0.2") as stranger, client_from(live, "127.0.0.3") as own:
            for _ in range(6):
                assert login(stranger, owner.user.username, "guessing").status_code == 401
            assert login(stranger, owner.user.username, PASSWORD).status_code == 401  # held back there
            signed_in = login(own, owner.user.username, PASSWORD)
            assert signed_in.status_code == 200, signed_in.text
            assert own.get("/api/v1/agencies", headers=bearer(signed_in.json()["token"])).status_code == 200


def test_one_answer_for_unknown_user_bad_password_and_held_back_account(sqlite_url: str) -> None:
    """Unknown, wrong, held back, disabled: the same status and message, and each spends one argon2 check."""
    with serving(sqlite_url) as (services, world, live):
        agency = world.person(world.agency(), "agency_admin")
        who = world.person(agency.agency, "officer", password=PASSWORD)
        gone = world.person(agency.agency, "officer", password=PASSWORD)
        services.lifecycle.disable(agency, gone.user.id)
        with client_from(live, "127.0.0.4") as client:
            answers = []

            def refused(username: str, password: str) -> None:
                before = passwords.Verifications.count
                r = login(client, username, password)
                assert passwords.Verifications.count - before == 1, username
                answers.append((r.status_code, r.json()["error"]["code"], r.json()["error"]["message"]))

            refused("nobody-by-this-name", PASSWORD)
            for _ in range(5):
                refused(who.user.username, "wrong password")
            refused(who.user.username, PASSWORD)  # the right one, but held back from this source
            refused(gone.user.username, PASSWORD)
        assert set(answers) == {(401, "not_authenticated", WRONG)}, answers


def test_sign_in_attempts_from_one_source_are_limited(sqlite_url: str) -> None:
    with serving(sqlite_url, signin_attempts_per_minute=3) as (_services, world, live):
        who = world.person(world.agency(), "officer", password=PASSWORD)
        with client_from(live, "127.0.0.5") as busy, client_from(live, "127.0.0.6") as other:
            for _ in range(3):
                assert login(busy, "nobody-by-this-name", "x").status_code == 401
            limited = login(busy, who.user.username, PASSWORD)
            assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
            assert limited.json()["error"]["code"] == "rate_limited"
            assert login(other, who.user.username, PASSWORD).status_code == 200


def test_bad_bearer_tokens_from_one_source_are_limited(sqlite_url: str) -> None:
    with serving(sqlite_url, bad_tokens_per_minute=4) as (_services, world, live):
        token = world.token(world.person(world.agency(), "officer"))
        with client_from(live, "127.0.0.7") as guesser, client_from(live, "127.0.0.8") as other:
            for n in range(4):
                assert guesser.get("/api/v1/agencies", headers=bearer(f"cg_guess{n}")).status_code == 401
            limited = guesser.get("/api/v1/agencies", headers=bearer("cg_guess-again"))
            assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
            assert guesser.get("/api/v1/agencies", headers=bearer(token)).status_code == 429  # no more tries from here
            assert other.get("/api/v1/agencies", headers=bearer(token)).status_code == 200


def test_a_locked_or_disabled_persons_token_ends_at_once(sqlite_url: str) -> None:
    with serving(sqlite_url, signin_account_lock_after=5) as (_services, world, live):
        admin = world.person(world.agency(), "agency_admin")
        locked = world.person(admin.agency, "officer", password=PASSWORD)
        disabled = world.person(admin.agency, "officer", password=PASSWORD)
        with client_from(live, "127.0.0.9") as client:
            locked_token = login(client, locked.user.username, PASSWORD).json()["token"]
            disabled_token = login(client, disabled.user.username, PASSWORD).json()["token"]
            for token in (locked_token, disabled_token):
                assert client.get("/api/v1/agencies", headers=bearer(token)).status_code == 200
            for n in range(5):
                with client_from(live, f"127.0.1.{n + 1}") as stranger:
                    assert login(stranger, locked.user.username, "guessing").status_code == 401
            assert client.get("/api/v1/agencies", headers=bearer(locked_token)).status_code == 401
            disable = f"/api/v1/users/{disabled.user.id}/disable"
            assert client.post(disable, headers=bearer(world.token(admin))).is_success
            assert client.get("/api/v1/agencies", headers=bearer(disabled_token)).status_code == 401


def test_a_forwarded_address_counts_only_from_the_trusted_proxy(sqlite_url: str) -> None:
    """From 127.0.0.1 (uvicorn's default forwarded-allow-ips) X-Forwarded-For names the source; from others not."""
    with serving(sqlite_url) as (_services, world, live):
        who = world.person(world.agency(), "officer", password=PASSWORD)
        with client_from(live, "127.0.0.10") as spoofer, client_from(live, "127.0.0.1") as proxy:

            def as_(client: httpx.Client, forwarded: str, password: str) -> int:
                body = {"username": who.user.username, "password": password}
                r = client.post("/api/v1/auth/login", json=body, headers={"X-Forwarded-For": forwarded})
                return r.status_code

            for n in range(5):
                assert as_(spoofer, f"203.0.113.{n}", "guessing") == 401
            assert as_(spoofer, "203.0.113.99", PASSWORD) == 401  # still held: the header was not believed
            for _ in range(5):
                assert as_(proxy, "198.51.100.1", "guessing") == 401
            assert as_(proxy, "198.51.100.1", PASSWORD) == 401  # that client is held back
            assert as_(proxy, "198.51.100.2", PASSWORD) == 200  # another client behind the same proxy is not

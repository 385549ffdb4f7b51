"""One shared fixture set for every tier: real SQLite files, real PostgreSQL, real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commonground.bootstrap import Services, build_services
from commonground.config import Settings, normalise_url
from commonground.domain.model import Agency
from commonground.http.app import create_app
from commonground.service.principal import Principal
from commonground.service.signin_ports import Credential

PG_ENV = "COMMONGROUND_TEST_POSTGRES_URL"
PG_SKIP = f"PostgreSQL tests need {PG_ENV} (set by .ci/run)"


def fresh_postgres_database() -> Iterator[str]:
    """Create a throw-away database on the test server; drop it afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    name = f"cg_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def default_database_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``create_app()`` with no settings opens the default ``./commonground.db``: not the checkout's, in tests."""
    if "COMMONGROUND_DATABASE_URL" in os.environ:
        yield
        return
    os.environ["COMMONGROUND_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('default') / 'commonground.db'}"
    yield
    del os.environ["COMMONGROUND_DATABASE_URL"]


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'commonground.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_database()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """Each store-backed test runs against both stores."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'commonground.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture
def services(store_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=store_url))
    yield built
    built.close()


@pytest.fixture
def sqlite_services(sqlite_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=sqlite_url))
    yield built
    built.close()


SOON = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)


def under_way(hours: float = 4) -> dict[str, Any]:
    """The start and length of an operation already under way: begun five minutes ago, within the
    15 minutes an entry may lag its start without an exigent reason (domain/entry.py)."""
    return {"starts": datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5), "hours": hours}


def operation_data(
    lat: float = 44.9778,
    lon: float = -93.2650,
    *,
    radius_m: float = 100,
    starts: datetime = SOON,
    hours: float = 3,
    **extra: Any,
) -> dict[str, Any]:
    """A valid submission; tests change only what they are about."""
    data: dict[str, Any] = {
        "type": "search_warrant",
        "purpose": "criminal",
        "title": "Warrant service, 4th floor",
        "case_number": f"CASE-{uuid.uuid4().hex[:8]}",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=hours)).isoformat(),
        "location": {"lat": lat, "lon": lon, "radius_m": radius_m, "address": "1 Test Plaza"},
        "contact": {"name": "Sgt. Test", "phone": "+1 612 555 0100", "radio": "TAC 2"},
        "team": {"personnel": 6, "attire": "plain_clothes", "vehicles": "2 grey SUVs"},
        "risk": "high",
        "notes": "entry at 06:05",
    }
    data.update(extra)
    return data


class World:
    """Builds agencies, people and tokens through the real use-cases."""

    def __init__(self, services: Services) -> None:
        self.services = services
        user, _ = services.accounts.bootstrap_admin("root")
        self.admin = self.principal(user.username)
        self._n = 0

    def principal(self, username: str) -> Principal:
        with self.services.store.read() as tx:
            found = tx.people.by_username(username)
            assert found is not None
            agency = tx.agencies.get(found[0].agency_id)
            assert agency is not None
        return Principal(found[0], agency)

    def agency(self, level: str = "local", *, name: str | None = None, **extra: Any) -> Agency:
        self._n += 1
        ori = f"T{uuid.uuid4().hex[:8].upper()}"
        data = {
            "ori": ori,
            "name": name or f"Agency {self._n}",
            "level": level,
            "duty_phone": "+1 555 000 0000",
            "timezone": "America/Chicago",
            **extra,
        }
        return self.services.accounts.create_agency(self.admin, data)

    def person(self, agency: Agency, *roles: str, password: str | None = None) -> Principal:
        self._n += 1
        user = self.services.accounts.create_user(
            self.admin,
            {
                "agency_id": agency.id,
                "username": f"user{self._n}-{uuid.uuid4().hex[:4]}",
                "display_name": f"User {self._n}",
                "roles": list(roles or ("supervisor",)),
                "password": password,
            },
        )
        return self.principal(user.username)

    def token(self, who: Principal, *scopes: str) -> str:
        """A bearer token for ``who``; given ``scopes``, limited to them (none: all their roles allow)."""
        token, _ = self.services.accounts.create_token(None, who.user.id, "test", scopes=list(scopes) or None)
        return token

    def enrol(self, who: Principal) -> str:
        """Enrol an authenticator for ``who`` as the console would; return its TOTP secret."""
        secret = pyotp.random_base32()
        with self.services.store.write() as tx:
            tx.signin.put_credential(Credential(who.user.id, totp_secret=secret, enrolled_at=self.services.clock.now()))
        return secret


@pytest.fixture
def world(services: Services) -> World:
    return World(services)


@pytest.fixture
def sqlite_world(sqlite_services: Services) -> World:
    return World(sqlite_services)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn server on loopback, in a thread of the test process."""

    def __init__(self, services: Services) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(services=services),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def server_process(
    database_url: str,
    *,
    port: int | None = None,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 60.0,
    output: Path | None = None,
    access_log: bool = False,
    extra_args: list[str] | None = None,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``commonground serve`` as a real process on loopback until the block ends.

    Yields the process (tests may kill -9 it) and its base URL; stops it if still running.
    ``output``: a file that gets the process's stdout and stderr both (a test reads its log).
    """
    port = port or free_port()
    # A file, not a pipe: a chatty server never blocks writing to it.
    with open(output, "w+b") if output else tempfile.TemporaryFile() as errors:
        command = [
            sys.executable,
            "-m",
            "commonground.cli",
            "serve",
            "--database-url",
            database_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--access-log" if access_log else "--no-access-log",
            *(extra_args or []),
        ]
        proc = subprocess.Popen(
            command, env={**os.environ, **(env or {})}, stdout=errors if output else subprocess.DEVNULL, stderr=errors
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError(f"server did not start: {errors.read()[-2000:]!r}")
                time.sleep(0.1)
            yield proc, base
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture
def live(services: Services) -> Iterator[LiveServer]:
    with LiveServer(services) as server:
        yield server


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    # Tests check behaviour, not speed: a loaded CI machine once took over 10 s for one answer.
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wire(value: Any) -> Any:
    """Return a use-case's answer in its wire form (the views' ``to_dict``), as the API sends it.

    A page keeps its shape; a conflict read with its deliveries becomes one object, as on the wire.
    """
    from commonground.domain.views import ConflictView, WatchConflictView
    from commonground.service.ports import Page

    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Page):
        return Page([wire(v) for v in value.items], value.next)
    if isinstance(value, tuple) and isinstance(value[0], ConflictView | WatchConflictView):
        view, deliveries = value
        return {**view.to_dict(), "deliveries": [d.to_dict() for d in deliveries]}
    if isinstance(value, tuple | list):
        return type(value)(wire(v) for v in value)
    return value

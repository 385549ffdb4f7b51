"""PostgreSQL-only fixtures: an owner/app role split, and a throw-away cluster to stop.

Imported explicitly by the PostgreSQL test modules (pytest does not load it by name).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commonground.config import normalise_url
from commonground.store import migrate
from tests.conftest import PG_ENV, PG_SKIP, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    return normalise_url(url)


@dataclass(frozen=True)
class RoleDatabase:
    """A database whose schema belongs to ``owner_url``'s role; the app connects as ``app_url``."""

    name: str
    owner_url: str
    app_url: str
    admin_url: str


def _run(engine_url: str, *statements: str) -> None:
    engine = create_engine(engine_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def role_database() -> Iterator[RoleDatabase]:
    """Create owner and app roles and a migrated database; drop all three afterwards.

    The superuser only creates the roles, the database and the extensions (PostGIS is not
    a trusted extension); the owner role runs the migrations and owns every table; the app
    role may read and write rows but owns nothing, cannot change the schema and may only
    append to the audit log. This is what docs/postgres.md tells operators to do.
    """
    admin = base_url()
    tag = uuid.uuid4().hex[:10]
    name, owner, app = f"cg_r_{tag}", f"cg_owner_{tag}", f"cg_app_{tag}"
    _run(
        admin,
        f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
        f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
        f"CREATE DATABASE {name} OWNER {owner}",
    )
    db_admin = make_url(admin).set(database=name).render_as_string(hide_password=False)
    owner_url = make_url(admin).set(database=name, username=owner).render_as_string(hide_password=False)
    app_url = make_url(admin).set(database=name, username=app).render_as_string(hide_password=False)
    try:
        _run(
            db_admin,
            "CREATE EXTENSION IF NOT EXISTS postgis",
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            f"REVOKE ALL ON DATABASE {name} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {name} TO {owner}, {app}",
        )
        engine = create_engine(owner_url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        _run(
            owner_url,
            f"GRANT USAGE ON SCHEMA public TO {app}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
            f"REVOKE UPDATE, DELETE ON audit_log FROM {app}",
            f"REVOKE UPDATE, DELETE ON audit_checkpoints FROM {app}",
            f"REVOKE UPDATE, DELETE ON audit_keys FROM {app}",
            f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {app}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        )
        yield RoleDatabase(name, owner_url, app_url, db_admin)
    finally:
        _run(
            admin,
            f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {app}",
            f"DROP ROLE IF EXISTS {owner}",
        )


@pytest.fixture
def roles_db() -> Iterator[RoleDatabase]:
    yield from role_database()


class Cluster:
    """A private PostgreSQL cluster on its own loopback port, run as the postgres user."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
            pytest.skip("a throw-away cluster needs PostgreSQL 15 binaries and runuser")
        self.dir = Path(tempfile.mkdtemp(prefix="cg_cluster_"))
        self.data = self.dir / "data"
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=check,
            capture_output=True,
            timeout=60,
        )

    def init(self) -> None:
        self._pg(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self._pg(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.dir / "log"),
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def wait_down(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while (self.data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    base_url()  # the same switch as every PostgreSQL test
    made = Cluster()
    made.init()
    made.start()
    try:
        yield made
    finally:
        made.remove()

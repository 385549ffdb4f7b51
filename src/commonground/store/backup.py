"""Online backup and restore of either store, with the audit chain head recorded beside the copy.

SQLite: the ``sqlite3`` backup API copies every page in one step under one read snapshot, so
writers go on (WAL) and the copy is one consistent moment. PostgreSQL: ``pg_dump`` in custom format
under a snapshot exported by a repeatable-read transaction, which is also where the head is read;
the head therefore describes exactly what the dump holds. ``restore`` refuses a database that
already holds an audit record unless forced."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url


@dataclass(frozen=True, slots=True)
class Head:
    """The audit chain's last record in a copy: its number and hash (0 and empty for an empty chain)."""

    seq: int
    hash: str
    store: str
    taken_at: str


class NotEmpty(Exception):
    """The restore target holds audit records; restoring over it needs ``--force``."""


def head_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".head.json")


def _head(conn: Connection, store: str) -> Head:
    taken = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    if not inspect(conn).has_table("audit_log"):
        return Head(0, "", store, taken)
    row = conn.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).first()
    return Head(int(row[0]), str(row[1]), store, taken) if row else Head(0, "", store, taken)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path("/usr/lib/postgresql/15/bin") / name)
    if not Path(found).exists():
        raise FileNotFoundError(f"{name} is not installed (Debian: postgresql-client-15)")
    return found


def backup(engine: Engine, dest: Path) -> Head:
    """Copy the database behind ``engine`` to ``dest`` while writers run; write the head beside it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(str(engine.url.database))
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target, pages=-1)  # every page in one step: one snapshot
        finally:
            source.close()
            target.close()
        copy = create_engine(f"sqlite:///{dest}")
        try:
            with copy.connect() as conn:
                head = _head(conn, "sqlite")
        finally:
            copy.dispose()
    else:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
                head = _head(conn, "postgresql")
                subprocess.run(  # noqa: S603 - a fixed tool and our own arguments
                    [
                        _tool("pg_dump"),
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={dest}",
                        _libpq(str(engine.url.render_as_string(hide_password=False))),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=3600,
                )
    os.chmod(dest, 0o600)
    head_path(dest).write_text(json.dumps(asdict(head), indent=1) + "\n")
    os.chmod(head_path(dest), 0o600)
    return head


def holds_records(engine: Engine) -> bool:
    """Say whether the database already holds audit records (restoring over it would lose them)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("audit_log"):
            return False
        return conn.execute(text("SELECT 1 FROM audit_log LIMIT 1")).first() is not None


def restore(engine: Engine, source: Path, *, force: bool = False) -> Head | None:
    """Restore ``source`` into the database behind ``engine``; return the head recorded beside it."""
    if holds_records(engine) and not force:
        raise NotEmpty("the database already holds audit records; restore with --force to replace them")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        src = sqlite3.connect(str(source))
        target = sqlite3.connect(str(engine.url.database))
        try:
            src.backup(target, pages=-1)
        finally:
            src.close()
            target.close()
    else:
        engine.dispose()
        subprocess.run(  # noqa: S603 - a fixed tool and our own arguments
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_libpq(engine.url.render_as_string(hide_password=False))}",
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=3600,
        )
    recorded = head_path(source)
    return Head(**json.loads(recorded.read_text())) if recorded.exists() else None

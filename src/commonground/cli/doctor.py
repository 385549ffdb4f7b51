"""``commonground doctor``: check an installation, one line per check (ok, warn or fail) with the fix.

Exits 1 when any check fails, so a deployment script or a timer can stop on it."""

from __future__ import annotations

import shutil
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import typer

from commonground import bootstrap
from commonground.cli.common import DatabaseUrl, settings_for
from commonground.config import Settings

MIN_FREE_BYTES = 1 << 30  # below 1 GiB free next to the database: warn
MAX_CLOCK_OFFSET_S = 2.0  # times in the audit log and on operations must agree with the database's


@dataclass(frozen=True, slots=True)
class Finding:
    name: str
    level: str  # ok | warn | fail
    said: str
    fix: str = ""

    def line(self) -> str:
        return f"{self.level:<4} {self.name}: {self.said}" + (
            f" -> {self.fix}" if self.fix and self.level != "ok" else ""
        )


def files(settings: Settings) -> Iterator[Finding]:
    for name, path in (
        ("audit key file", settings.audit_key_file),
        ("federation key file", settings.federation_key_file),
    ):
        if not path:
            yield Finding(name, "ok", "not set: kept in the database")
            continue
        p = Path(path)
        if not p.exists():
            yield Finding(name, "warn", f"{path} does not exist yet", "it is made on first start; back it up then")
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & 0o077:
            yield Finding(name, "fail", f"{path} is readable by others (mode {mode:o})", f"chmod 600 {path}")
        else:
            yield Finding(name, "ok", f"{path} (mode {mode:o})")


def cookies(settings: Settings) -> Finding:
    scheme = urlsplit(settings.public_url).scheme if settings.public_url else ""
    if not scheme:
        return Finding(
            "cookies", "warn", "COMMONGROUND_PUBLIC_URL is not set", "set it to the https:// address users reach"
        )
    if scheme == "https" and not settings.console_cookie_secure:
        return Finding(
            "cookies",
            "fail",
            "public URL is https but cookies are not Secure",
            "COMMONGROUND_CONSOLE_COOKIE_SECURE=true",
        )
    if scheme == "http" and settings.console_cookie_secure:
        return Finding(
            "cookies",
            "fail",
            "Secure cookies over an http:// public URL: the console cannot sign in",
            "serve behind TLS (docs/deploy.md) and set an https:// COMMONGROUND_PUBLIC_URL",
        )
    if scheme == "http":
        return Finding("cookies", "warn", "the console is served without TLS", "serve behind TLS (docs/deploy.md)")
    return Finding("cookies", "ok", "https public URL, Secure cookies")


def smtp(settings: Settings) -> Finding:
    if settings.email_sender != "smtp" or not settings.smtp_host:
        return Finding("smtp", "ok", "not configured (e-mail channels wait)")
    try:
        with socket.create_connection((settings.smtp_host, settings.smtp_port), timeout=5):
            return Finding("smtp", "ok", f"{settings.smtp_host}:{settings.smtp_port} answers")
    except OSError as exc:
        return Finding(
            "smtp",
            "fail",
            f"{settings.smtp_host}:{settings.smtp_port}: {type(exc).__name__}",
            "check COMMONGROUND_SMTP_HOST/PORT and the firewall",
        )


def disk(settings: Settings) -> Finding:
    url = settings.database_url
    where = Path(url.split("///", 1)[1]).resolve().parent if url.startswith("sqlite") and "///" in url else Path.cwd()
    free = shutil.disk_usage(where).free
    level = "ok" if free >= MIN_FREE_BYTES else "warn"
    return Finding("disk", level, f"{free / (1 << 30):.1f} GiB free at {where}", "free space or move the database")


def database(settings: Settings) -> Iterator[Finding]:
    """Reach the database (without migrating it), then read it through the services."""
    try:
        bootstrap.open_store(settings.database_url, upgrade=False, settings=settings).close()
    except Exception as exc:
        yield Finding("database", "fail", f"cannot open: {type(exc).__name__}", "check COMMONGROUND_DATABASE_URL")
        return
    yield from _with_services(settings)


def _with_services(settings: Settings) -> Iterator[Finding]:
    try:
        services = bootstrap.build_services(settings)
    except Exception as exc:
        yield Finding(
            "database",
            "fail",
            f"unreachable or not migrated: {type(exc).__name__}",
            "check COMMONGROUND_DATABASE_URL, that the server runs, then `commonground db upgrade`",
        )
        return
    try:
        for check in services.readiness.checks():
            if check.name != "worker":
                yield Finding(check.name, "ok" if check.ok else "fail", check.detail, "commonground db upgrade")
        facts = bootstrap.database_facts(services)
        if facts.get("dialect") == "postgresql":
            yield Finding("postgis", "ok", facts.get("postgis", "?"))
            db_now = datetime.fromisoformat(facts["now"]).replace(tzinfo=UTC)
            offset = abs((datetime.now(UTC) - db_now).total_seconds())
            level = "ok" if offset <= MAX_CLOCK_OFFSET_S else "fail"
            yield Finding(
                "clock", level, f"{offset:.2f} s from the database server", "run chrony or systemd-timesyncd on both"
            )
        else:
            yield Finding("clock", "ok", "embedded database: one clock (keep it synchronised: systemd-timesyncd)")
        verdict = services.audit.verdict()
        level = "ok" if verdict.intact else "fail"
        said = f"{verdict.checked} records verified, head {verdict.last_hash[:16]}"
        yield Finding("audit chain", level, said if verdict.intact else f"broken: {verdict.problem}", "docs/audit.md")
    finally:
        services.close()


def doctor(database_url: DatabaseUrl = None) -> None:
    """Check the installation: database, migrations, PostGIS, key files, cookies, SMTP, clock, disk, audit chain."""
    settings = settings_for(database_url)
    found = [*database(settings), *files(settings), cookies(settings), smtp(settings), disk(settings)]
    for f in found:
        typer.echo(f.line())
    failed = [f for f in found if f.level == "fail"]
    typer.echo(f"doctor: {len(found)} checks, {len(failed)} failed, {sum(f.level == 'warn' for f in found)} warnings")
    if failed:
        raise typer.Exit(1)

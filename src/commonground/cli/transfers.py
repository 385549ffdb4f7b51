"""``commonground import operations`` and ``commonground export``: CSV in and out for an agency.

A row enters the way ``POST /api/v1/operations`` does (``services.intake``), under a named person of
the agency, so it is validated, checked for conflicts here and at the peers, and audited alike. A
refused row stores nothing and is reported with its line number. An export reads the API's own
lists as that person (``services.exports``), so it holds what they could read and no more.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from commonground.bootstrap import Services
from commonground.cli.common import DatabaseUrl, open_services
from commonground.domain.errors import CommonGroundError, InvalidInput
from commonground.domain.operation_csv import check_header, flat, submission
from commonground.domain.timewindow import parse_instant
from commonground.service.exports import ExportKind
from commonground.service.principal import Principal

import_app = typer.Typer(help="Bring records in from files.", no_args_is_help=True)
Ori = Annotated[str, typer.Option("--agency", help="The agency's ORI; the rows are its operations.")]
Username = Annotated[str, typer.Option("--user", help="The agency member the rows are entered (or read) as.")]


@dataclass
class ImportReport:
    """What an import did: rows accepted, the conflicts they found, and each refused line with why."""

    accepted: int = 0
    conflicts: int = 0
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, reason)


def _refuse(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def acting(services: Services, ori: str, username: str) -> Principal:
    """The named person, who must belong to the agency ``ori``: rows are entered under a real account."""
    with services.store.read() as tx:
        agency = tx.agencies.by_ori(ori.strip().upper())
        found = tx.people.by_username(username.strip().lower())
    if agency is None:
        raise _refuse(f"--agency: no agency with ORI {ori!r}")
    if found is None or found[0].agency_id != agency.id:
        raise _refuse(f"--user: {username!r} is not a member of {agency.name}")
    if not found[0].usable(services.clock.now()):
        raise _refuse(f"--user: {username!r} is disabled or expired")
    return Principal(found[0], agency)


def _reason(exc: CommonGroundError) -> tuple[str, str]:
    if isinstance(exc, InvalidInput) and exc.details:
        first = exc.details[0]
        return str(first.get("field", exc.field)), str(first.get("message", exc))
    return getattr(exc, "field", None) or "row", str(exc)


def import_rows(
    services: Services, who: Principal, fh: TextIO, progress: Progress | None = None, total: int | None = None
) -> ImportReport:
    """Enter every row of ``fh``; each row is its own unit, so a refused one leaves nothing behind."""
    reader = csv.DictReader(fh)
    check_header(reader.fieldnames)
    report = ImportReport()
    task = None if progress is None else progress.add_task("importing", total=total)
    for row in reader:
        line = reader.line_num
        try:
            if None in row:  # more cells than the header names
                raise InvalidInput("row", "has more cells than the header has columns")
            entered = services.intake.submit(who, submission(row))
        except CommonGroundError as exc:
            report.refused.append((line, *_reason(exc)))
        else:
            report.accepted += 1
            report.conflicts += len(entered.conflicts) + len(entered.remote)
        if progress is not None and task is not None:
            progress.advance(task)
    return report


@contextmanager
def _bar() -> Iterator[Progress]:
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield progress


@import_app.command("operations")
def import_operations(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file (docs/operations.md).")
    ],
    agency: Ori,
    user: Username,
    database_url: DatabaseUrl = None,
) -> None:
    """Enter operations from a CSV file, one per row; refused rows are listed with their line and reason."""
    services = open_services(database_url)
    try:
        who = acting(services, agency, user)
        with file.open(newline="", encoding="utf-8-sig") as fh:
            total = max(sum(1 for _ in fh) - 1, 0)
            fh.seek(0)
            with _bar() as progress:
                report = import_rows(services, who, fh, progress, total)
    except InvalidInput as exc:
        raise _refuse(f"{file}: {_reason(exc)[0]}: {_reason(exc)[1]}") from None
    finally:
        services.close()
    for line, name, why in report.refused:
        typer.echo(f"line {line}: refused: {name}: {why}", err=True)
    typer.echo(
        f"{report.accepted} accepted, {len(report.refused)} refused, "
        f"{report.conflicts} conflicts found; nothing was stored from a refused row"
    )
    if report.refused:
        raise typer.Exit(1)


def _instant(value: str, name: str) -> datetime:
    try:
        return parse_instant(value, name)
    except InvalidInput as exc:
        raise _refuse(f"{name}: {_reason(exc)[1]}") from None


def export(
    kind: Annotated[ExportKind, typer.Argument(help="operations, conflicts or audit.")],
    agency: Ori,
    user: Username,
    start: Annotated[str, typer.Option("--from", help="Start, with its offset: 2026-12-01T00:00:00-06:00.")],
    end: Annotated[str, typer.Option("--to", help="End (not included), with its offset.")],
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help="File to write (default: stdout).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the agency's operations, conflicts or audit records of a period as CSV, as the person may read them."""
    first, last = _instant(start, "--from"), _instant(end, "--to")
    if last <= first:
        raise _refuse("--to: must be after --from")
    services = open_services(database_url)
    try:
        who = acting(services, agency, user)
        try:
            rows = [flat(item) for item in services.exports.rows(who, kind, first, last)]
        except CommonGroundError as exc:
            raise _refuse(f"--user: {exc}") from None
    finally:
        services.close()
    columns = list(dict.fromkeys(name for row in rows for name in row))
    if out is None:
        _write(sys.stdout, columns, rows)
    else:
        part = out.with_name(out.name + ".part")  # no half-written file if interrupted
        with part.open("w", newline="", encoding="utf-8") as fh:
            _write(fh, columns, rows)
        part.replace(out)
        typer.echo(f"{len(rows)} {kind.value} rows written to {out}", err=True)


def _write(fh: TextIO, columns: list[str], rows: list[dict[str, str]]) -> None:
    writer = csv.DictWriter(fh, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)

"""``commonground blind``: encode subjects locally with a secret the server never holds."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from commonground.domain.blinding import MIN_SECRET_BYTES, blind_record
from commonground.domain.errors import InvalidInput

SECRET_ENV = "COMMONGROUND_BLIND_SECRET"  # noqa: S105 - a variable name, not a secret
PROGRESS_FROM = 1000  # rows; smaller files finish before a bar would help
REF_COLUMN = "ref"  # the agency's own row reference, passed through so results can be joined
OUT_COLUMNS = (REF_COLUMN, "kind", "scheme", "value")


def read_secret(secret_file: Path | None) -> bytes:
    """Return the secret from the file, else the environment; never echo it."""
    if secret_file is not None:
        secret = secret_file.read_bytes().strip()
        source = str(secret_file)
    else:
        secret = os.environ.get(SECRET_ENV, "").strip().encode()
        source = SECRET_ENV
    if not secret:
        raise typer.BadParameter(f"no secret: pass --secret-file or set {SECRET_ENV}")
    if len(secret) < MIN_SECRET_BYTES:
        raise typer.BadParameter(f"the secret in {source} is shorter than {MIN_SECRET_BYTES} bytes")
    return secret


def read_records(path: Path) -> list[dict[str, Any]]:
    """Return subject dicts from a JSON list or a CSV file with a ``kind`` column."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if "kind" not in (reader.fieldnames or []):
                raise typer.BadParameter(f"{path} has no 'kind' column")
            return [_csv_row(row) for row in reader]
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise typer.BadParameter(f"{path} must hold a JSON list of subject objects")
    return data


def _csv_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Drop empty cells; ``aliases`` is a ';'-separated list in CSV."""
    out: dict[str, Any] = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
    if "aliases" in out:
        out["aliases"] = [a.strip() for a in out["aliases"].split(";") if a.strip()]
    return out


def encode_all(records: list[dict[str, Any]], secret: bytes) -> Iterator[dict[str, Any]]:
    """Yield the blinded dict of each record, keeping only its ``ref``."""
    for i, record in enumerate(records):
        out = blind_record(record, secret, field=f"records.{i}")
        if REF_COLUMN in record:
            out = {REF_COLUMN: record[REF_COLUMN], **out}
        yield out


def write_output(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write JSON or CSV (by suffix) through a temporary file so no partial file remains."""
    tmp = path.with_name(path.name + ".part")
    if path.suffix.lower() == ".csv":
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=OUT_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    else:
        tmp.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def blind(
    input: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Subjects as a JSON list or CSV with 'kind'."),
    ],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="Encodings: .csv, otherwise a JSON list.")],
    secret_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-file", exists=True, dir_okay=False, help=f"File holding the agency secret (else ${SECRET_ENV})."
        ),
    ] = None,
) -> None:
    """Blind subjects with the agency secret so only clk-v1 encodings leave the agency."""
    secret = read_secret(secret_file)
    records = read_records(input)
    rows: list[dict[str, Any]] = []
    try:
        if len(records) >= PROGRESS_FROM:
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=True,
            ) as progress:
                task = progress.add_task("blinding", total=len(records))
                for row in encode_all(records, secret):
                    rows.append(row)
                    progress.advance(task)
        else:
            rows = list(encode_all(records, secret))
    except InvalidInput as exc:
        typer.echo(f"refused {exc.field}: {exc.details[0]['message']}", err=True)
        raise typer.Exit(2) from None
    write_output(output, rows)
    typer.echo(f"blinded {len(rows)} subjects into {output}")


def register(app: typer.Typer) -> None:
    """Add the ``blind`` command to ``app``."""
    app.command("blind")(blind)

"""``commonground audit …``: verify the log, sign and export checkpoints, prove a record is in it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from commonground.bootstrap import Services, signature_check
from commonground.cli.common import DatabaseUrl, open_services
from commonground.domain.errors import CommonGroundError
from commonground.service.audit_proof import check_proof_offline, held_checkpoints

T = TypeVar("T")
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

Against = Annotated[
    Path | None,
    typer.Option("--against", help="An exported checkpoint (or a JSON list of them) an outside party holds."),
]


def _refuse(exc: CommonGroundError) -> typer.Exit:
    typer.echo(f"refused: {exc.message}", err=True)
    return typer.Exit(2)


def _call(database_url: str | None, use: Callable[[Services], T]) -> T:
    """Run one use-case on freshly opened services; a refusal exits 2 with its message."""
    services = open_services(database_url)
    try:
        return use(services)
    except CommonGroundError as exc:
        raise _refuse(exc) from None
    finally:
        services.close()


def _emit(document: dict[str, Any], path: Path | None, what: str) -> None:
    """Write the JSON document to ``path`` and say so, or print it."""
    text = json.dumps(document, indent=2)
    if path:
        path.write_text(text + "\n")
        typer.echo(f"{what}, written to {path}")
    else:
        typer.echo(text)


@audit_app.command("verify")
def verify(
    database_url: DatabaseUrl = None,
    against: Against = None,
    quick: Annotated[bool, typer.Option("--quick", help="Only what came after the latest signed checkpoint.")] = False,
) -> None:
    """Exit 0 only when every record is present, in order, unaltered and consistent with every checkpoint.

    A full walk re-hashes every kept record and checks the tree head at each stored checkpoint
    and each one in ``--against``; when it passes, it signs a checkpoint of what it verified.
    """
    try:
        held = held_checkpoints(against.read_text()) if against else []
    except CommonGroundError as exc:
        raise _refuse(exc) from None
    services = open_services(database_url)
    started = time.perf_counter()
    try:
        verdict = services.audit.verdict() if quick else services.audit.verify(held)
    finally:
        services.close()
    took = time.perf_counter() - started
    if verdict.intact:
        against_text = f", consistent with {len(held)} held checkpoint(s)" if held else ""
        typer.echo(f"audit chain intact: {verdict.checked} records{against_text} ({took:.2f} s)")
        return
    typer.echo(f"audit chain BROKEN after {verdict.checked} good records: {verdict.problem}", err=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint(
    database_url: DatabaseUrl = None,
    export: Annotated[Path | None, typer.Option("--export", help="Write the signed checkpoint here (JSON).")] = None,
) -> None:
    """Sign a checkpoint of the log now (unless nothing is new) and print or export it."""
    made = _call(database_url, lambda services: services.audit.checkpoint(force=True))
    assert made is not None  # forced
    _emit(made.exported(), export, f"checkpoint of {made.tree_size} records, root {made.root_hash}")


@audit_app.command("prove")
def prove(
    seq: int,
    database_url: DatabaseUrl = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the proof here (JSON).")] = None,
) -> None:
    """Print an inclusion proof that record SEQ is in the latest signed checkpoint."""
    proof = _call(database_url, lambda services: services.audit.prove(seq))
    _emit(proof, output, f"proof of record {seq} in the log of {proof['tree_size']} records")


@audit_app.command("consistency")
def consistency(
    held_file: Path,
    database_url: DatabaseUrl = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the proof here (JSON).")] = None,
) -> None:
    """Print a proof that the latest checkpoint's log extends the held one in HELD_FILE (nothing earlier changed)."""
    try:
        held = held_checkpoints(held_file.read_text())[-1]
    except CommonGroundError as exc:
        raise _refuse(exc) from None
    proof = _call(database_url, lambda services: services.audit.consistency(held))
    _emit(proof, output, f"proof that {proof['new']['tree_size']} records extend {held.tree_size}")


@audit_app.command("verify-proof")
def verify_proof(proof_file: Path, against: Against = None) -> None:
    """Check a printed inclusion or consistency proof offline (no database): seals, paths, signatures."""
    try:
        held = held_checkpoints(against.read_text()) if against else []
        doc = json.loads(proof_file.read_text())
        verdict = check_proof_offline(doc, signature_check(), held[-1] if held else None)
    except json.JSONDecodeError as exc:
        typer.echo(f"refused: the proof is not JSON ({exc.msg})", err=True)
        raise typer.Exit(2) from None
    except CommonGroundError as exc:
        raise _refuse(exc) from None
    if verdict.valid:
        typer.echo(f"proof verifies: {verdict.message}")
        return
    typer.echo(f"proof REFUSED: {verdict.message}", err=True)
    raise typer.Exit(1)

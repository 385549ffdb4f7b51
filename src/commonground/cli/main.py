"""The ``commonground`` command."""

from __future__ import annotations

import typer

from commonground.cli import admin, audit, db, serve
from commonground.cli import sweep as sweep_cli

app = typer.Typer(help="Common Ground: officer-safety deconfliction.", no_args_is_help=True)
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("sweep")(sweep_cli.sweep)
app.add_typer(admin.admin_app, name="admin")
app.add_typer(admin.token_app, name="token")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(db.db_app, name="db")

try:
    from commonground.cli import blind
except ImportError:  # pragma: no cover - the blinding tool is optional until it lands
    blind = None  # type: ignore[assignment]
if blind is not None:
    blind.register(app)

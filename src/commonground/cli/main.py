"""The ``commonground`` command."""

from __future__ import annotations

import typer

from commonground.cli import admin, audit, backup, blind, db, doctor, federation, purge, serve, transfers, worker
from commonground.cli import sweep as sweep_cli

app = typer.Typer(help="Common Ground: officer-safety deconfliction.", no_args_is_help=True)
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("sweep")(sweep_cli.sweep)
app.command("worker")(worker.worker)
app.command("doctor")(doctor.doctor)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("purge")(purge.purge)
app.command("export")(transfers.export)
app.add_typer(transfers.import_app, name="import")
app.add_typer(admin.admin_app, name="admin")
app.add_typer(admin.token_app, name="token")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(db.db_app, name="db")
app.add_typer(federation.federation_app, name="federation")
blind.register(app)

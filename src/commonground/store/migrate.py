"""Bring a database up to date with the one Alembic history inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied; a no-op on an up-to-date database."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(cg_write=True)
        with conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def check(engine: Engine) -> None:
    """Raise when the tables in code and the migrations disagree (``alembic check``)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.check(config)


class MigrationProbe:
    """Which migration the database is at, against the head of the package's history."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
        self.head = str(script.get_current_head())

    def revision(self) -> str | None:
        """Read ``alembic_version`` (raise when the database does not answer)."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

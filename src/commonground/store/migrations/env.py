"""Alembic environment: one history for SQLite and PostgreSQL, run from code."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from commonground.store.schema import metadata

config = context.config

# Index structures that live beside the tables (R*Tree shadow tables) are not in metadata.
IGNORED_PREFIXES = ("operations_rtree", "spatial_ref_sys")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(IGNORED_PREFIXES)
    return True


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _migrate(conn)
        engine.dispose()
    else:
        _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        include_name=include_name,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()

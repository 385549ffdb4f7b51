"""Alembic environment: one history for SQLite and PostgreSQL, run from code."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy import create_engine

from commonground.store.schema import metadata

config = context.config

# Index structures that live beside the tables (R*Tree shadow tables) are not in metadata.
IGNORED_PREFIXES = ("operations_rtree", "spatial_ref_sys")


# PostgreSQL keeps its candidate index in extra columns of ``operations`` (migration 0002);
# SQLite has no such types, so they are not in schema.py and ``alembic check`` must not
# report them as "removed". Only reflected objects missing from the metadata are skipped.
PG_ONLY_COLUMNS = frozenset({"area_geog", "radius_m", "op_window", "area_box"})
PG_ONLY_INDEXES = frozenset({"ix_operations_geog_window", "ix_operations_box", "ix_operations_radius"})


# Reflection does not know PostGIS types; the columns are skipped anyway.
warnings.filterwarnings("ignore", message=r"Did not recognize type '(geography|geometry)'")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(IGNORED_PREFIXES)
    return True


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    if reflected and compare_to is None:
        if type_ == "column" and name in PG_ONLY_COLUMNS:
            return False
        if type_ == "index" and name in PG_ONLY_INDEXES:
            return False
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
        include_object=include_object,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()

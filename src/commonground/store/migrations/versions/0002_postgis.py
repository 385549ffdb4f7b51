"""PostGIS candidate index (PostgreSQL only)

The spatial-temporal index lives beside the shared tables: SQLite keeps it in its
R*Tree (created in 0001), PostgreSQL in these columns of ``operations``. They are not
in ``schema.py`` because SQLite has no such types; ``migrations/env.py`` tells
``alembic check`` to ignore them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Names env.py ignores when comparing PostgreSQL with the metadata.
PG_ONLY_COLUMNS = ("area_geog", "radius_m", "op_window", "area_box")
PG_ONLY_INDEXES = ("ix_operations_geog_window", "ix_operations_box", "ix_operations_radius")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Needs a superuser (or a pre-created extension): see docs/postgres.md.
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        "ALTER TABLE operations "
        "ADD COLUMN area_geog geography(Geometry, 4326), "
        "ADD COLUMN radius_m double precision NOT NULL DEFAULT 0, "
        "ADD COLUMN op_window tstzrange, "
        "ADD COLUMN area_box geometry(MultiPolygon, 4326)"
    )
    # One GiST over place and time answers the candidate search in a single index scan.
    op.execute("CREATE INDEX ix_operations_geog_window ON operations USING gist (area_geog, op_window)")
    op.execute("CREATE INDEX ix_operations_box ON operations USING gist (area_box)")
    # max(radius_m) widens the constant search distance; the btree answers it at once.
    op.execute("CREATE INDEX ix_operations_radius ON operations (radius_m)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in PG_ONLY_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute(
        "ALTER TABLE operations DROP COLUMN area_geog, DROP COLUMN radius_m, "
        "DROP COLUMN op_window, DROP COLUMN area_box"
    )

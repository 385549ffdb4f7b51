"""R*Tree time axis in days, not seconds (a query read ten times fewer nodes)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SECONDS_PER_DAY = 86_400.0


def _rescale(factor: float) -> None:
    """Rebuild the index with the time axis scaled; a rebuild, not an UPDATE, so the tree is new."""
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's index is PostGIS geography + tstzrange, untouched
    op.execute("CREATE TEMP TABLE rtree_copy AS SELECT * FROM operations_rtree")
    op.execute("DELETE FROM operations_rtree")
    op.get_bind().execute(
        sa.text(
            "INSERT INTO operations_rtree (id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) "
            "SELECT id, min_lon, max_lon, min_lat, max_lat, min_t * :f, max_t * :f FROM rtree_copy ORDER BY id"
        ),
        {"f": factor},
    )
    op.execute("DROP TABLE rtree_copy")


def upgrade() -> None:
    _rescale(1.0 / SECONDS_PER_DAY)


def downgrade() -> None:
    _rescale(SECONDS_PER_DAY)

"""lookup_cells: the grid cells each user and agency looked up, and when last, for the sweep rule

Revision ID: 0039
Revises: 0038
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Starts empty: the rule sees the cells of look-ups from the upgrade on (its window is minutes).
    op.create_table(
        "lookup_cells",
        sa.Column("scope", sa.String(60), primary_key=True),
        sa.Column("cell", sa.String(40), primary_key=True),
        sa.Column("last_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_lookup_cells_scope_at", "lookup_cells", ["scope", "last_at"])


def downgrade() -> None:
    op.drop_index("ix_lookup_cells_scope_at", "lookup_cells")
    op.drop_table("lookup_cells")

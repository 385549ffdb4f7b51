"""Agencies carry the missions the installation admin records for them

Revision ID: 0014_missions
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_missions"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agencies", sa.Column("missions", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of ``agencies`` would break the keys that point at it.
    op.drop_column("agencies", "missions")

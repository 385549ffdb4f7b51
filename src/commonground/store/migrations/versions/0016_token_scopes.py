"""Bearer tokens carry the scopes they are limited to (null: everything the user's roles allow)

Revision ID: 0016
Revises: 0014_missions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tokens", sa.Column("scopes", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), as 0014 does: nothing points at the column.
    op.drop_column("tokens", "scopes")

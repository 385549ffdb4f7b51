"""token look-up quota: a bearer token's own hourly look-up limit (a CAD link for a whole 911 centre)

Revision ID: 0035
Revises: 0033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tokens", sa.Column("lookup_limit_per_hour", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("tokens", "lookup_limit_per_hour")

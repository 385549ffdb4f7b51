"""after-action: how an operation ended and whom it met, given when it is completed

Revision ID: 0030
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("operations", sa.Column("after_action", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("operations", "after_action")

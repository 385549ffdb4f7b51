"""Sign-in failures remember the source they came from, so a hold-back is per account and source

Revision ID: 0017
Revises: 0014_missions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014_missions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("signin_failures", sa.Column("source", sa.String(64), nullable=False, server_default=""))
    op.create_index("ix_signin_failures_user_source_at", "signin_failures", ["user_id", "source", "at"])


def downgrade() -> None:
    op.drop_index("ix_signin_failures_user_source_at", table_name="signin_failures")
    op.drop_column("signin_failures", "source")

"""Sign-in failures remember the source they came from, so a hold-back is per account and source;
accounts already locked lose the tokens the old lock left working

Revision ID: 0017
Revises: 0014_missions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("signin_failures", sa.Column("source", sa.String(64), nullable=False, server_default=""))
    op.create_index("ix_signin_failures_user_source_at", "signin_failures", ["user_id", "source", "at"])
    # A lock now ends the person's tokens; one made before this revision did not, so end them here,
    # stamped with the lock's own time (the same stored form on either database).
    op.execute(
        "UPDATE tokens SET revoked_at ="
        " (SELECT c.locked_at FROM console_credentials c WHERE c.user_id = tokens.user_id)"
        " WHERE revoked_at IS NULL"
        " AND user_id IN (SELECT user_id FROM console_credentials WHERE locked_at IS NOT NULL)"
    )


def downgrade() -> None:
    # Tokens revoked on the way up stay revoked: a revocation is never undone.
    op.drop_index("ix_signin_failures_user_source_at", table_name="signin_failures")
    op.drop_column("signin_failures", "source")

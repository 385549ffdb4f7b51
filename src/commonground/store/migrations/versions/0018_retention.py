"""retention: operations keep a purged_at when their details are purged; the installation's audit key

Revision ID: 0018
Revises: 0014_missions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("operations", sa.Column("purged_at", UTCDateTime(), nullable=True))
    op.create_index("ix_operations_ends_at", "operations", ["ends_at"], unique=False)
    op.create_table(
        "audit_keys",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_keys")),
    )


def downgrade() -> None:
    op.drop_table("audit_keys")
    op.drop_index("ix_operations_ends_at", table_name="operations")
    # A plain DROP COLUMN (SQLite 3.35+), as 0014 does: a batch copy would break the keys that point at the table.
    op.drop_column("operations", "purged_at")

"""watch center: exigent and phone-in entry, conflict ownership, outcomes and contact attempts

Revision ID: 0025
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0025"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("operations", sa.Column("exigent_reason", sa.Text(), nullable=True))
    op.add_column("operations", sa.Column("phone_in", sa.JSON(), nullable=True))
    op.add_column("conflicts", sa.Column("owner_user_id", sa.String(length=36), nullable=True))
    op.add_column("conflicts", sa.Column("owner_name", sa.String(length=200), nullable=True))
    op.add_column("conflicts", sa.Column("owner_at", UTCDateTime(), nullable=True))
    op.add_column("conflicts", sa.Column("outcome", sa.String(length=20), nullable=True))
    op.create_table(
        "conflict_contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("conflict_id", sa.String(length=36), nullable=False),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by_user_id", sa.String(length=36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_contacts")),
    )
    op.create_index("ix_conflict_contacts_conflict", "conflict_contacts", ["conflict_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_conflict_contacts_conflict", table_name="conflict_contacts")
    op.drop_table("conflict_contacts")
    # Plain DROP COLUMN (SQLite 3.35+), as 0018 does: a batch copy would break the keys that point at the table.
    for table, column in (
        ("conflicts", "outcome"),
        ("conflicts", "owner_at"),
        ("conflicts", "owner_name"),
        ("conflicts", "owner_user_id"),
        ("operations", "phone_in"),
        ("operations", "exigent_reason"),
    ):
        op.drop_column(table, column)

"""remote workflow: when the peer's side acknowledged a remote conflict; notices owed to peers

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0023"
down_revision = "0022"  # the lead re-chains at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_conflicts") as batch:
        batch.add_column(sa.Column("their_ack_at", UTCDateTime(), nullable=True))
    op.create_table(
        "notice_owed",
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("leaving", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("operation_id", "peer_id", name=op.f("pk_notice_owed")),
    )
    op.create_index(op.f("ix_notice_owed_next_at"), "notice_owed", ["next_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notice_owed_next_at"), table_name="notice_owed")
    op.drop_table("notice_owed")
    with op.batch_alter_table("remote_conflicts") as batch:
        batch.drop_column("their_ack_at")

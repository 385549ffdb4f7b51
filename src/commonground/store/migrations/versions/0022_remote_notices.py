"""remote notices: jurisdiction notices of peers' operations, and the peers told of ours

Revision ID: 0022
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("installation", sa.String(length=100), nullable=False),
        sa.Column("remote_operation_id", sa.String(length=100), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("operation", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_notices")),
    )
    op.create_index("ix_remote_notices_operation", "remote_notices", ["peer_id", "remote_operation_id"])
    op.create_index("ix_remote_notices_agency_status", "remote_notices", ["agency_id", "status"])
    op.create_index("ix_remote_notices_status_due", "remote_notices", ["status", "due_at"])
    op.create_table(
        "notice_peers",
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("told_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("operation_id", "peer_id", name=op.f("pk_notice_peers")),
    )


def downgrade() -> None:
    op.drop_table("notice_peers")
    op.drop_index("ix_remote_notices_status_due", table_name="remote_notices")
    op.drop_index("ix_remote_notices_agency_status", table_name="remote_notices")
    op.drop_index("ix_remote_notices_operation", table_name="remote_notices")
    op.drop_table("remote_notices")

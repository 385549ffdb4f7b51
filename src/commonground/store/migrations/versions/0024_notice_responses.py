"""notice responses: a host agency's answer to a jurisdiction notice

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_responses",
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("response", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("responded_by", sa.String(length=36), nullable=False),
        sa.Column("responded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("operation_id", "agency_id", name=op.f("pk_notice_responses")),
    )


def downgrade() -> None:
    op.drop_table("notice_responses")

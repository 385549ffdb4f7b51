"""targets: case targets, whose subjects are matched until they expire; a conflict side may be one

Revision ID: 0037
Revises: 0031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0037"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("agency_id", sa.String(36), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("case_number", sa.String(60), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_targets_agency", "targets", ["agency_id", "seq"])
    with op.batch_alter_table("conflicts") as batch:
        batch.add_column(sa.Column("target_a", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("target_b", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM conflicts WHERE target_a OR target_b")
    with op.batch_alter_table("conflicts") as batch:
        batch.drop_column("target_b")
        batch.drop_column("target_a")
    op.drop_index("ix_targets_agency", "targets")
    op.drop_table("targets")

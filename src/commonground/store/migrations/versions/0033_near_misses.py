"""near-misses: teams that met without knowing, and the operations each names

Revision ID: 0033
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0033"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "near_misses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=36), nullable=False),
        sa.Column("reported_by_agency", sa.String(length=36), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_near_misses")),
    )
    op.create_index(op.f("ix_near_misses_at"), "near_misses", ["at"])
    op.create_table(
        "near_miss_operations",
        sa.Column("near_miss_id", sa.String(length=36), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("near_miss_id", "operation_id", name=op.f("pk_near_miss_operations")),
    )
    op.create_index(op.f("ix_near_miss_operations_agency_id"), "near_miss_operations", ["agency_id"])


def downgrade() -> None:
    op.drop_table("near_miss_operations")
    op.drop_table("near_misses")

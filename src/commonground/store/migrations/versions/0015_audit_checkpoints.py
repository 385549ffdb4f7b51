"""Signed checkpoints of the audit log (tree size, root hash, time, signature, frontier)

Revision ID: 0015
Revises: 0014_missions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0015"
down_revision = "0014_missions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("tree_size", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")

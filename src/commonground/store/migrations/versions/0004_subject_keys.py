"""subject keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 04:47:46.608195
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
    )
    with op.batch_alter_table("subject_keys", schema=None) as batch_op:
        batch_op.create_index("ix_subject_keys_key", ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_keys_operation_id"), ["operation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subject_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_keys_operation_id"))
        batch_op.drop_index("ix_subject_keys_key")

    op.drop_table("subject_keys")

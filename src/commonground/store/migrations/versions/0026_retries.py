"""retries: idempotency keys with the first request's answer; jurisdiction holes; webhook secret rollover

Revision ID: 0026
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0026"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agencies", sa.Column("jurisdiction_holes", sa.JSON(), nullable=True))
    op.add_column("channels", sa.Column("previous_secret", sa.String(length=128), nullable=True))
    op.add_column("channels", sa.Column("previous_until", UTCDateTime(), nullable=True))
    op.create_table(
        "retries",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_retries")),
    )
    op.create_index("ix_retries_claimed_at", "retries", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_retries_claimed_at", table_name="retries")
    op.drop_table("retries")
    op.drop_column("agencies", "jurisdiction_holes")
    op.drop_column("channels", "previous_until")
    op.drop_column("channels", "previous_secret")

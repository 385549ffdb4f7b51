"""safe retries (kept first answers to Idempotency-Key requests) and jurisdiction holes

Revision ID: 0026
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0026"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replays",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key", name=op.f("pk_replays")),
    )
    # A plain ADD COLUMN: batch mode would copy and drop ``agencies``, which SQLite refuses while users point at it.
    op.add_column("agencies", sa.Column("jurisdiction_holes", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("agencies", "jurisdiction_holes")  # plain, for the reason upgrade gives
    op.drop_table("replays")

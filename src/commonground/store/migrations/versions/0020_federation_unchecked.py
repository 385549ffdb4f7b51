"""federation unchecked: operations a peer has not yet answered a probe about, re-probed until it does

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_unchecked",
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("operation_id", "peer_id", name=op.f("pk_federation_unchecked")),
    )
    op.create_index(op.f("ix_federation_unchecked_next_at"), "federation_unchecked", ["next_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_federation_unchecked_next_at"), table_name="federation_unchecked")
    op.drop_table("federation_unchecked")

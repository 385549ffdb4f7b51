"""remote workflow: when the peer's side acknowledged a remote conflict

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0023"
down_revision = "0022"  # the lead re-chains at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_conflicts") as batch:
        batch.add_column(sa.Column("their_ack_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("remote_conflicts") as batch:
        batch.drop_column("their_ack_at")

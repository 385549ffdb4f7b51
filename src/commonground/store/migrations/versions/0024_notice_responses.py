"""notice responses: a host agency's answer to a jurisdiction notice

Revision ID: 0024
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("response", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("response_note", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("responded_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("responded_at")
        batch.drop_column("response_note")
        batch.drop_column("response")

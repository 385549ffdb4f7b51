"""delivery failing: when a failing delivery was raised as delivery.failing, and when it was redelivered

Revision ID: 0027
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0027"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("failing_at", UTCDateTime(), nullable=True))
    op.add_column("deliveries", sa.Column("retry_from", UTCDateTime(), nullable=True))
    op.create_index("ix_deliveries_agency_status", "deliveries", ["agency_id", "status", "seq"])
    op.create_index("ix_deliveries_failing", "deliveries", ["failing_at", "status"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_failing", table_name="deliveries")
    op.drop_index("ix_deliveries_agency_status", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("retry_from")
        batch.drop_column("failing_at")

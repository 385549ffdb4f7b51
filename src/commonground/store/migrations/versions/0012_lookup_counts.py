"""Look-ups counted per agency and per installation, not only per person

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lookups_agency_at", "lookups", ["agency_id", "at"])
    op.create_index("ix_lookups_at", "lookups", ["at"])


def downgrade() -> None:
    op.drop_index("ix_lookups_at", table_name="lookups")
    op.drop_index("ix_lookups_agency_at", table_name="lookups")

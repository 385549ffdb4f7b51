"""ix_operations_agency_id: an agency's operations in id order, so a page does not sort them all

Revision ID: 0040
Revises: 0039
"""

from __future__ import annotations

from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_operations_agency_id", "operations", ["agency_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_operations_agency_id", "operations")

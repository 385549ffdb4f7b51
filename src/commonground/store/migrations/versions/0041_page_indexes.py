"""page indexes: an agency's notices and conflicts in id order, so a page does not sort them all

Each new index replaces one whose columns lead it.

Revision ID: 0041
Revises: 0040
"""

from __future__ import annotations

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

REPLACED = (
    ("notices", "ix_notices_agency_status", ["agency_id", "status"], "ix_notices_agency_status_id", ["id"]),
    ("conflicts", "ix_conflicts_agency_a", ["agency_a"], "ix_conflicts_agency_a_id", ["id"]),
    ("conflicts", "ix_conflicts_agency_b", ["agency_b"], "ix_conflicts_agency_b_id", ["id"]),
)


def upgrade() -> None:
    for table, old, columns, new, more in REPLACED:
        op.create_index(new, table, [*columns, *more])
        op.drop_index(old, table)


def downgrade() -> None:
    for table, old, columns, new, _ in REPLACED:
        op.create_index(old, table, columns)
        op.drop_index(new, table)

"""verification: the plates each operation's team declared, for GET /verify/plate; a look-up without a place

Revision ID: 0031
Revises: 0036
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_plates",
        sa.Column("operation_id", sa.String(36), sa.ForeignKey("operations.id"), nullable=False),
        sa.Column("plate", sa.String(8), nullable=False),
        sa.Column("state", sa.String(2), nullable=True),
    )
    op.create_index("ix_team_plates_plate", "team_plates", ["plate"])
    op.create_index("ix_team_plates_operation", "team_plates", ["operation_id"])
    # A plate verification counts against the look-up limits but asks about no place.
    with op.batch_alter_table("lookups") as batch:
        batch.alter_column("lat", existing_type=sa.Float(), nullable=True)
        batch.alter_column("lon", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM lookups WHERE lat IS NULL OR lon IS NULL")
    with op.batch_alter_table("lookups") as batch:
        batch.alter_column("lat", existing_type=sa.Float(), nullable=False)
        batch.alter_column("lon", existing_type=sa.Float(), nullable=False)
    op.drop_index("ix_team_plates_operation", "team_plates")
    op.drop_index("ix_team_plates_plate", "team_plates")
    op.drop_table("team_plates")

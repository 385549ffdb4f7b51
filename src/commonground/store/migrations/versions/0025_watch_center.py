"""watch center: exigent and phone-in entry, conflict ownership, outcomes, contact attempts, sensitive places

Revision ID: 0025
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0025"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("operations", sa.Column("exigent_reason", sa.Text(), nullable=True))
    op.add_column("operations", sa.Column("phone_in", sa.JSON(), nullable=True))
    op.add_column("conflicts", sa.Column("owner_user_id", sa.String(length=36), nullable=True))
    op.add_column("conflicts", sa.Column("owner_name", sa.String(length=200), nullable=True))
    op.add_column("conflicts", sa.Column("owner_at", UTCDateTime(), nullable=True))
    op.add_column("conflicts", sa.Column("outcome", sa.String(length=20), nullable=True))
    op.create_table(
        "conflict_contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("conflict_id", sa.String(length=36), nullable=False),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by_user_id", sa.String(length=36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_contacts")),
    )
    op.create_index("ix_conflict_contacts_conflict", "conflict_contacts", ["conflict_id", "at"])
    op.create_table(
        "sensitive_places",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=True),
        sa.Column("window_end", UTCDateTime(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("lat_cell", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitive_places")),
    )
    op.create_index("ix_sensitive_places_cell", "sensitive_places", ["lat_cell", "min_lon"])
    op.create_index("ix_sensitive_places_agency", "sensitive_places", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_sensitive_places_agency", table_name="sensitive_places")
    op.drop_index("ix_sensitive_places_cell", table_name="sensitive_places")
    op.drop_table("sensitive_places")
    op.drop_index("ix_conflict_contacts_conflict", table_name="conflict_contacts")
    op.drop_table("conflict_contacts")
    # Plain DROP COLUMN (SQLite 3.35+), as 0018 does: a batch copy would break the keys that point at the table.
    for table, column in (
        ("conflicts", "outcome"),
        ("conflicts", "owner_at"),
        ("conflicts", "owner_name"),
        ("conflicts", "owner_user_id"),
        ("operations", "phone_in"),
        ("operations", "exigent_reason"),
    ):
        op.drop_column(table, column)

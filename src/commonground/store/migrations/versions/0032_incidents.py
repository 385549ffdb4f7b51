"""incidents: critical incidents of operations and the agencies told of each

Revision ID: 0032
Revises: 0035
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0032"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("assistance_requested", sa.Boolean(), nullable=False),
        sa.Column("reported_by", sa.String(length=36), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=36), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_operation_id", "incidents", ["operation_id"])
    op.create_index("ix_incidents_agency_id", "incidents", ["agency_id"])
    op.create_index("ix_incidents_unacknowledged", "incidents", ["acknowledged_at", "escalated_at", "reported_at"])
    op.create_table(
        "incident_recipients",
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "agency_id", name=op.f("pk_incident_recipients")),
    )
    op.create_index("ix_incident_recipients_agency_id", "incident_recipients", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_recipients_agency_id", table_name="incident_recipients")
    op.drop_table("incident_recipients")
    op.drop_index("ix_incidents_unacknowledged", table_name="incidents")
    op.drop_index("ix_incidents_agency_id", table_name="incidents")
    op.drop_index("ix_incidents_operation_id", table_name="incidents")
    op.drop_table("incidents")

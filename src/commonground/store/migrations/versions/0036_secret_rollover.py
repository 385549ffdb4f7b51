"""secret rollover: a rotated-out webhook or CAD secret keeps signing beside the new one for a day

Revision ID: 0036
Revises: 0032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0036"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("channels", sa.Column("previous_secret", sa.String(length=128), nullable=True))
    op.add_column("channels", sa.Column("previous_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("channels", "previous_until")
    op.drop_column("channels", "previous_secret")

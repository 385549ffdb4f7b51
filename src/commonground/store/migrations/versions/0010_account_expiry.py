"""accounts: expires_at for temporary accounts, last_active_at for the inactivity rule

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch rebuild of ``users``
# would drop the table under the tokens' and sessions' foreign keys.
def upgrade() -> None:
    op.add_column("users", sa.Column("expires_at", UTCDateTime(), nullable=True))
    op.add_column("users", sa.Column("last_active_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "last_active_at")
    op.drop_column("users", "expires_at")

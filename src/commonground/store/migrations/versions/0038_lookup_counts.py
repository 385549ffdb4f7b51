"""lookup_counts: look-ups per scope and minute, so the hourly limits do not count an hour of rows

Revision ID: 0038
Revises: 0037
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

MINUTE = {
    "sqlite": "CAST(strftime('%s', at) AS INTEGER) / 60",
    "postgresql": "CAST(floor(extract(epoch FROM at) / 60) AS INTEGER)",
}


def upgrade() -> None:
    op.create_table(
        "lookup_counts",
        sa.Column("scope", sa.String(40), primary_key=True),
        sa.Column("minute", sa.Integer(), primary_key=True),
        sa.Column("shard", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    # The look-ups already kept are counted too, so an upgrade does not reset anyone's hour.
    minute = MINUTE[op.get_bind().dialect.name]
    # Only the constant expressions above are put into the statement: nothing comes from outside.
    for scope, by in (("'u:' || user_id", "user_id, "), ("'a:' || agency_id", "agency_id, "), ("'*'", "")):
        op.execute(
            f"INSERT INTO lookup_counts (scope, minute, shard, n) "  # noqa: S608
            f"SELECT {scope}, {minute}, 0, count(*) FROM lookups GROUP BY {by}{minute}"
        )


def downgrade() -> None:
    op.drop_table("lookup_counts")

"""federation subjects: a remote pair has a kind (proximity or subject) and may have no shared time

Revision ID: 0021
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

PAIR = ["operation_id", "peer_id", "remote_operation_id"]


def upgrade() -> None:
    # batch: SQLite cannot alter a constraint in place; the table is copied once (it is small).
    with op.batch_alter_table("remote_conflicts") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=12), nullable=False, server_default="proximity"))
        batch.add_column(sa.Column("matched", sa.String(length=40), nullable=True))
        batch.alter_column("overlap_starts_at", existing_type=UTCDateTime(), nullable=True)
        batch.alter_column("overlap_ends_at", existing_type=UTCDateTime(), nullable=True)
        batch.drop_constraint("uq_remote_conflicts_pair", type_="unique")
        batch.create_unique_constraint("uq_remote_conflicts_pair", [*PAIR, "kind"])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM remote_conflicts WHERE kind <> 'proximity' OR overlap_starts_at IS NULL"))
    with op.batch_alter_table("remote_conflicts") as batch:
        batch.drop_constraint("uq_remote_conflicts_pair", type_="unique")
        batch.create_unique_constraint("uq_remote_conflicts_pair", PAIR)
        batch.alter_column("overlap_ends_at", existing_type=UTCDateTime(), nullable=False)
        batch.alter_column("overlap_starts_at", existing_type=UTCDateTime(), nullable=False)
        batch.drop_column("matched")
        batch.drop_column("kind")

"""remote notice retention: when the peer's operation ends, and when its details here were purged

Read from the JSON the peer sent, so the purge finds what is due by an index instead of reading
every notice's JSON on every sweep (~70 ms with 20,000 of them, inside SQLite's one writer).
The pairs of operations purged before the purge reduced peers' operations too are reduced here.

Revision ID: 0042
Revises: 0041
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from commonground.domain.remote_notices import disclosed_end
from commonground.domain.retention import is_shell, purged_disclosure
from commonground.store.schema import UTCDateTime

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def _stored(value: object) -> dict[str, Any]:
    """A JSON column's value as a driver hands it back: already decoded, or the text."""
    return dict(value) if isinstance(value, dict) else json.loads(str(value))


def upgrade() -> None:
    with op.batch_alter_table("remote_notices") as batch:
        batch.add_column(sa.Column("ends_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("purged_at", UTCDateTime(), nullable=True))
    table = sa.table(
        "remote_notices",
        sa.column("id", sa.String()),
        sa.column("operation", sa.JSON()),
        sa.column("created_at", UTCDateTime()),
        sa.column("ends_at", UTCDateTime()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.operation, table.c.created_at)).all()
    for notice_id, operation, created_at in rows:
        ends = disclosed_end(_stored(operation)) or created_at  # unreadable: counted from when it arrived
        bind.execute(sa.update(table).where(table.c.id == notice_id).values(ends_at=ends))
    op.create_index("ix_remote_notices_retention", "remote_notices", ["purged_at", "ends_at"])
    _reduce_pairs_of_purged_operations(bind)


def _reduce_pairs_of_purged_operations(bind: sa.Connection) -> None:
    """Pairs whose operation here was purged before this release kept the peer's operation whole."""
    pairs = sa.table("remote_conflicts", sa.column("id", sa.String()), sa.column("operation_id", sa.String()),
                     sa.column("counterpart", sa.JSON()), sa.column("note", sa.Text()))  # fmt: skip
    operations = sa.table("operations", sa.column("id", sa.String()), sa.column("purged_at", UTCDateTime()))
    query = sa.select(pairs.c.id, pairs.c.counterpart, operations.c.purged_at).join(
        operations, operations.c.id == pairs.c.operation_id
    )
    for pair_id, counterpart, purged_at in bind.execute(query.where(operations.c.purged_at.is_not(None))).all():
        view = _stored(counterpart)
        if not is_shell(view):
            shell = purged_disclosure(view, purged_at if isinstance(purged_at, datetime) else datetime.now(UTC))
            bind.execute(sa.update(pairs).where(pairs.c.id == pair_id).values(counterpart=shell, note=None))


def downgrade() -> None:
    op.drop_index("ix_remote_notices_retention", "remote_notices")
    with op.batch_alter_table("remote_notices") as batch:
        batch.drop_column("purged_at")
        batch.drop_column("ends_at")

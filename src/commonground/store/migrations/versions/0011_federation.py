"""federation: the installation's key, its peers, and the nonces of accepted requests

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commonground.store.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_keys",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("private_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_federation_keys")),
    )
    op.create_table(
        "federation_peers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_contact_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_peers")),
        sa.UniqueConstraint("name", name=op.f("uq_federation_peers_name")),
        sa.UniqueConstraint("public_key", name=op.f("uq_federation_peers_public_key")),
    )
    op.create_table(
        "federation_nonces",
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_federation_nonces")),
    )
    op.create_index(op.f("ix_federation_nonces_at"), "federation_nonces", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_federation_nonces_at"), table_name="federation_nonces")
    op.drop_table("federation_nonces")
    op.drop_table("federation_peers")
    op.drop_table("federation_keys")

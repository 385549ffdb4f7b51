"""subject name terms and their counts (term-frequency matching); re-index subject keys

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_terms",
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("operation_id", "term", name=op.f("pk_subject_terms")),
    )
    op.create_table(
        "subject_term_counts",
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "shard", name=op.f("pk_subject_term_counts")),
    )
    _reindex_stored_subjects()


def _reindex_stored_subjects() -> None:
    """Count the terms of every stored operation and refresh its blocking keys.

    Persons without a DOB gained keys in this revision (every birth year), and counts must
    cover what is already stored. Blinded subjects keep the keys their agency computed.
    """
    from commonground.domain.matching import blocking_keys, frequency_terms
    from commonground.domain.subjects import parse_subject
    from commonground.store.subjects import term_shard

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, subjects FROM operations")).all()
    counts: dict[tuple[str, int], int] = {}
    for row in rows:
        op_id, raw = str(row[0]), row[1]
        stored: list[dict[str, object]] = (json.loads(raw) if isinstance(raw, str) else raw) or []
        parsed = [parse_subject(s, f"subjects.{i}") for i, s in enumerate(stored)]
        keys = sorted({k for s in parsed for k in blocking_keys(s)})
        conn.execute(sa.text("DELETE FROM subject_keys WHERE operation_id = :id"), {"id": op_id})
        if keys:
            conn.execute(
                sa.text("INSERT INTO subject_keys (key, operation_id) VALUES (:key, :id)"),
                [{"key": k, "id": op_id} for k in keys],
            )
        terms: dict[str, int] = {}
        for subject in parsed:
            for term in frequency_terms(subject):
                terms[term] = terms.get(term, 0) + 1
        if terms:
            conn.execute(
                sa.text("INSERT INTO subject_terms (operation_id, term, n) VALUES (:id, :term, :n)"),
                [{"id": op_id, "term": t, "n": n} for t, n in sorted(terms.items())],
            )
        for term, n in terms.items():
            shard_key = (term, term_shard(op_id))
            counts[shard_key] = counts.get(shard_key, 0) + n
    if counts:
        conn.execute(
            sa.text("INSERT INTO subject_term_counts (term, shard, n) VALUES (:term, :shard, :n)"),
            [{"term": t, "shard": sh, "n": n} for (t, sh), n in sorted(counts.items())],
        )


def downgrade() -> None:
    op.drop_table("subject_term_counts")
    op.drop_table("subject_terms")

"""Case targets: a case's subjects, kept for matching until they expire or are deleted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update

from commonground.domain.model import Contact
from commonground.domain.policy import Purpose
from commonground.domain.targets import Target
from commonground.service.ports import Page
from commonground.store.repository import Repository, page
from commonground.store.schema import subject_keys, targets

T = targets.c


def _target(row: Mapping[Any, Any]) -> Target:
    return Target(
        id=row["id"],
        agency_id=row["agency_id"],
        case_number=row["case_number"],
        purpose=Purpose(row["purpose"]),
        subjects=tuple(row["subjects"] or ()),
        contact=Contact.from_dict(row["contact"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        deleted_at=row["deleted_at"],
        purged_at=row["purged_at"],
    )


class SqlTargets(Repository):
    def add(self, target: Target) -> None:
        self.conn.execute(
            insert(targets),
            {
                "id": target.id,
                "agency_id": target.agency_id,
                "case_number": target.case_number,
                "purpose": target.purpose.value,
                "subjects": [dict(s) for s in target.subjects],
                "contact": target.contact.to_dict(),
                "created_by": target.created_by,
                "created_at": target.created_at,
                "expires_at": target.expires_at,
                "deleted_at": target.deleted_at,
                "purged_at": target.purged_at,
            },
        )

    def get(self, target_id: str) -> Target | None:
        row = self.conn.execute(select(targets).where(T.id == target_id)).mappings().first()
        return None if row is None else _target(row)

    def page(self, agency_id: str, limit: int, after: str | None) -> Page[Target]:
        query = select(targets).where(T.agency_id == agency_id, T.deleted_at.is_(None))
        if after:
            query = query.where(T.seq < select(T.seq).where(T.id == after).scalar_subquery())
        rows = list(self.conn.execute(query.order_by(T.seq.desc()).limit(limit + 1)).mappings())
        items = [_target(r) for r in rows[:limit]]
        return Page(items, items[-1].id if len(rows) > limit else None)

    def delete(self, target_id: str, at: datetime) -> None:
        self.conn.execute(update(targets).where(T.id == target_id, T.deleted_at.is_(None)).values(deleted_at=at))

    def retention_due(self, ended_before: datetime, limit: int, after: str | None) -> Page[Target]:
        query = select(targets).where(
            T.purged_at.is_(None), or_(T.expires_at < ended_before, T.deleted_at < ended_before)
        )
        if after:
            query = query.where(T.id > after)
        return page([_target(r) for r in self.conn.execute(query.order_by(T.id).limit(limit + 1)).mappings()], limit)

    def purge(self, target: Target) -> None:
        values = {
            "case_number": target.case_number,
            "subjects": [dict(s) for s in target.subjects],
            "contact": target.contact.to_dict(),
            "purged_at": target.purged_at,
        }
        self.conn.execute(update(targets).where(T.id == target.id).values(values))

    def with_keys(self, keys: Iterable[str], now: datetime, exclude: str) -> list[Target]:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        ids = select(subject_keys.c.operation_id).where(subject_keys.c.key.in_(wanted))
        query = select(targets).where(T.id.in_(ids), T.id != exclude, T.deleted_at.is_(None), T.expires_at > now)
        return [_target(r) for r in self.conn.execute(query.order_by(T.seq)).mappings()]

"""Conflicts between two operations, one row per pair and kind."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam, insert, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from commonground.domain.model import Conflict, ContactAttempt
from commonground.service.ports import ConflictFilter, Page
from commonground.store import records
from commonground.store.repository import Repository, bound, by_key, page, update_by_id
from commonground.store.schema import conflict_contacts, conflicts, operations, targets

CONFLICT_BY_ID = by_key(conflicts, "id")
CONFLICTS_OF = select(conflicts).where(
    (conflicts.c.operation_a == bindparam("key")) | (conflicts.c.operation_b == bindparam("key"))
)
CONFLICT_PAIR = select(conflicts.c.id).where(
    conflicts.c.kind == bindparam("kind"),
    conflicts.c.operation_a == bindparam("a"),
    conflicts.c.operation_b == bindparam("b"),
)
UPDATE_CONFLICT = update_by_id(conflicts)
CONTACTS_OF = (
    select(conflict_contacts)
    .where(conflict_contacts.c.conflict_id == bindparam("key"))
    .order_by(conflict_contacts.c.at, conflict_contacts.c.id)
)
INSERT_CONFLICT = insert(conflicts)


class SqlConflicts(Repository):
    def add(self, conflict: Conflict) -> bool:
        pair = {"kind": conflict.kind.value, "a": conflict.operation_a, "b": conflict.operation_b}
        if self.conn.execute(CONFLICT_PAIR, pair).first() is not None:
            return False
        self.conn.execute(INSERT_CONFLICT, records.conflict_row(conflict))
        return True

    def add_new(self, found: Sequence[Conflict]) -> None:
        """One statement for every conflict of an operation new in this transaction: no pair can
        exist, and one insert a row cost a 50-conflict submission a tenth of its time."""
        if found:
            self.conn.execute(INSERT_CONFLICT, [records.conflict_row(c) for c in found])

    def update(self, conflict: Conflict) -> None:
        self.conn.execute(UPDATE_CONFLICT, bound(records.conflict_row(conflict)))

    def get(self, conflict_id: str) -> Conflict | None:
        row = self.conn.execute(CONFLICT_BY_ID, {"key": conflict_id}).mappings().first()
        return records.conflict_from(row) if row else None

    def of_operation(self, operation_id: str) -> list[Conflict]:
        return [records.conflict_from(r) for r in self.conn.execute(CONFLICTS_OF, {"key": operation_id}).mappings()]

    def page(self, where: ConflictFilter, limit: int, after: str | None) -> Page[Conflict]:
        clauses: list[ColumnElement[bool]] = []
        if where.operation_created_by:
            mine = (
                select(operations.c.id)
                .where(operations.c.created_by == where.operation_created_by)
                .union_all(
                    select(targets.c.id).where(targets.c.created_by == where.operation_created_by)  # an officer's cases
                )
            )
            clauses.append(conflicts.c.operation_a.in_(mine) | conflicts.c.operation_b.in_(mine))
        if where.status:
            clauses.append(conflicts.c.status == where.status.value)
        if after:
            clauses.append(conflicts.c.id > after)
        if where.agency_id is None:
            query = select(conflicts).where(and_(True, *clauses)).order_by(conflicts.c.id).limit(limit + 1)
        else:
            # The agency may be either side. Each side's conflicts come in id order from its own
            # index, at most a page of each; the page is the first of both. An OR of the two sides
            # gathered and sorted every conflict the agency had, for every page.
            c, agency = conflicts.c, where.agency_id
            sides = [
                select(conflicts).where(side, *clauses).order_by(c.id).limit(limit + 1).subquery()
                for side in (c.agency_a == agency, and_(c.agency_b == agency, c.agency_a != agency))
            ]
            both = union_all(*(select(side) for side in sides)).subquery()
            query = select(both).order_by(both.c.id).limit(limit + 1)
        return page([records.conflict_from(r) for r in self.conn.execute(query).mappings()], limit)

    def add_contact(self, contact: ContactAttempt) -> None:
        self.conn.execute(insert(conflict_contacts), records.contact_row(contact))

    def contacts(self, conflict_id: str) -> list[ContactAttempt]:
        return [records.contact_from(r) for r in self.conn.execute(CONTACTS_OF, {"key": conflict_id}).mappings()]

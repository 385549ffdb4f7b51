"""What every table family's SQL repository shares: the unit's connection, held writes and memo."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from commonground.service.ports import Page
from commonground.store.held import HeldWrites


class Repository:
    """One table family's queries; every repository of a unit runs on the unit's one connection."""

    def __init__(self, unit: HeldWrites) -> None:
        self.unit = unit
        self.conn = unit.conn
        self.memo = unit.memo

    def insert_ignore(self, table: Table) -> Any:
        """An INSERT that leaves a row whose key is already there as it is."""
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()


def by_key(table: Table, column: str) -> Select[Any]:
    """A prebuilt SELECT on one key column: compiled once, bound per call."""
    return select(table).where(table.c[column] == bindparam("key"))


def update_by_id(table: Table, skip: tuple[str, ...] = ()) -> Update:
    """A prebuilt UPDATE of every column but the keys, bound per call (``b_id`` is the row's id)."""
    cols = [c.name for c in table.columns if c.name not in ("id", "seq", *skip)]
    return update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(c) for c in cols})


def bound(row: dict[str, Any]) -> dict[str, Any]:
    """Values for ``update_by_id``: the id under its bind name."""
    return {("b_id" if k == "id" else k): v for k, v in row.items()}


def page(items: list[Any], limit: int, key: str = "id") -> Page[Any]:
    """Cut a ``limit + 1`` read to a page whose cursor is the last item's ``key``."""
    if len(items) > limit:
        items = items[:limit]
        return Page(items, str(getattr(items[-1], key)))
    return Page(items, None)

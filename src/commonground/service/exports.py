"""Exports for an agency's records and reports: the same views the API lists, page after page, audited once.

Nothing here decides what may be seen: each kind reads through the use-case the API uses (the
operations, conflicts and audit lists, each through the disclosure function), so an export holds
only what its caller could read over HTTP, and its audit record names how many rows left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from commonground.audit.tags import Action
from commonground.domain.timewindow import isoformat, parse_instant
from commonground.service.audit import AuditLog
from commonground.service.conflicts import Conflicts
from commonground.service.operations import Operations
from commonground.service.ports import AuditFilter, Clock, OperationFilter, Page, Store
from commonground.service.principal import Principal

PAGE = 500


class ExportKind(StrEnum):
    OPERATIONS = "operations"
    CONFLICTS = "conflicts"
    AUDIT = "audit"


@dataclass(frozen=True, slots=True)
class Exports:
    store: Store
    clock: Clock
    operations: Operations
    conflicts: Conflicts
    audit: AuditLog

    def rows(self, who: Principal, kind: ExportKind, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Every view of ``kind`` the caller may read whose time falls in [start, end); the export is audited.

        Read as leaving the installation (``outside``): a file keeps no recognition signal."""
        pages, when = self._source(replace(who, outside=True), kind, start)
        rows: list[dict[str, Any]] = []
        for item in _all(pages):
            first, last = when(item)
            if first < end and last >= start:
                rows.append(item)
        with self.store.write() as tx:
            tx.audit.append(
                who.entry(
                    Action.DATA_EXPORT,
                    object_type=kind.value,
                    period=[isoformat(start), isoformat(end)],
                    rows=len(rows),
                ),
                self.clock.now(),
            )
        return rows

    def _source(
        self, who: Principal, kind: ExportKind, start: datetime
    ) -> tuple[Callable[[str | None], Page[dict[str, Any]]], Callable[[dict[str, Any]], tuple[datetime, datetime]]]:
        if kind is ExportKind.OPERATIONS:

            def operations(after: str | None) -> Page[dict[str, Any]]:
                page = self.operations.list(who, OperationFilter(agency_id=who.agency.id), PAGE, after)
                return Page([v.to_dict() for v in page.items], page.next)

            return operations, lambda item: _span(item["window"]["starts_at"], item["window"]["ends_at"])
        if kind is ExportKind.CONFLICTS:

            def conflicts(after: str | None) -> Page[dict[str, Any]]:
                page = self.conflicts.list(who, None, PAGE, after)
                return Page([v.to_dict() for v in page.items], page.next)

            return conflicts, lambda item: _span(item["detected_at"], item["detected_at"])

        def audit(after: str | None) -> Page[dict[str, Any]]:
            return self.audit.search(who, AuditFilter(since=start), PAGE, None if after is None else int(after))

        return audit, lambda item: _span(item["at"], item["at"])


def _all(pages: Callable[[str | None], Page[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    after: str | None = None
    while True:
        page = pages(after)
        yield from page.items
        if page.next is None:
            return
        after = str(page.next)


def _span(first: str, last: str) -> tuple[datetime, datetime]:
    return parse_instant(first, "at"), parse_instant(last, "at")

"""Participation reports: per agency and period, for oversight inside the installation and for the public."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.tags import Action
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted
from commonground.domain.model import Role
from commonground.domain.participation import (
    AgencyFigures,
    ConflictFact,
    EntryFact,
    figures,
    hide_small,
    public_figures,
    timeline,
)
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import isoformat, parse_instant
from commonground.service.ports import AuditFilter, Clock, Store, Transaction
from commonground.service.principal import Principal

# The longest period one report covers: the work of a report grows with it.
MAX_PERIOD = timedelta(days=400)


def parse_period(since: object, until: object) -> tuple[datetime, datetime]:
    """Return the period ``from``-``to``; each an instant with a zone, ``to`` after ``from``, at most 400 days."""
    start, end = parse_instant(since, "from"), parse_instant(until, "to")
    if end <= start:
        raise InvalidInput("to", "must be after from")
    if end - start > MAX_PERIOD:
        raise InvalidInput("to", f"a report covers at most {MAX_PERIOD.days} days")
    return start, end


def _suppressed(tx: Transaction, since: datetime, until: datetime) -> dict[str, int]:
    """Count subject matches each restricting agency's policy held back in the period (from the audit log)."""
    counts: dict[str, int] = {}
    after: int | None = None
    while True:
        page = tx.audit.records(AuditFilter(since=since, action=Action.SUBJECT_MATCH_SUPPRESSED), 1000, after)
        for record in page.items:
            details: Mapping[str, Any] = record.entry.details or {}
            if record.at < until:
                key = str(details.get("restricting_agency"))
                counts[key] = counts.get(key, 0) + int(details.get("count", 1))
        if page.next is None:
            return counts
        after = int(page.next)


@dataclass
class Participation:
    store: Store
    clock: Clock
    public_enabled: bool = True

    def _read(
        self, tx: Transaction, since: datetime, until: datetime
    ) -> tuple[list[AgencyFigures], list[EntryFact], list[ConflictFact]]:
        """Every agency's figures, and the facts the timeline counts (read once for both)."""
        names = {a.id: a.name for a in tx.agencies.page(100_000, None).items}
        entries = tx.participation.entries(since, until)
        conflicts = tx.participation.conflicts(since, until)
        found = figures(
            names,
            entries,
            conflicts,
            tx.participation.lookups(since, until),
            _suppressed(tx, since, until),
            tx.participation.host_responses(since, until),
            tx.participation.near_misses(since, until),
            tx.participation.incidents(since, until),
        )
        return found, entries, conflicts

    def report(self, who: Principal, since: object, until: object) -> dict[str, Any]:
        """Every agency's figures for the auditor and the watch; an agency administrator's own agency only."""
        if not who.may(Permission.REPORTS):
            raise NotPermitted("auditors, the watch center and agency administrators read participation reports")
        start, end = parse_period(since, until)
        everyone = who.has(Role.AUDITOR, Role.WATCH)
        with self.store.write() as tx:
            found, entries, conflicts = self._read(tx, start, end)
            tx.audit.append(
                who.entry(
                    Action.REPORT_READ,
                    object_type="report",
                    report="participation",
                    period=[isoformat(start), isoformat(end)],
                ),
                self.clock.now(),
            )
        shown = found if everyone else [f for f in found if f.agency_id == who.agency.id]
        interval, points = timeline(start, end, entries, conflicts, None if everyone else who.agency.id)
        return {
            "starts_at": isoformat(start),
            "ends_at": isoformat(end),
            "agencies": [f.to_dict() for f in shown],
            "interval": interval,
            "timeline": [p.to_dict() for p in points],
        }

    def public(self, since: object, until: object) -> dict[str, Any]:
        """The same figures for anyone, every count below 10 shown as "<10"; 404 when switched off."""
        if not self.public_enabled:
            raise NotFound("the public report is switched off on this installation")
        start, end = parse_period(since, until)
        with self.store.read() as tx:
            found, entries, conflicts = self._read(tx, start, end)
        interval, points = timeline(start, end, entries, conflicts)
        return {
            "starts_at": isoformat(start),
            "ends_at": isoformat(end),
            "agencies": [public_figures(f) for f in found],
            "interval": interval,
            "timeline": [hide_small(p.to_dict()) for p in points],
        }

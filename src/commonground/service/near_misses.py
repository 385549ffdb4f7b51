"""Near-misses: a team reports that it met another without knowing; the agencies involved and the watch see it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from commonground.audit.tags import Action
from commonground.domain.disclosure import disclose_near_miss
from commonground.domain.errors import InvalidInput, NotPermitted
from commonground.domain.model import Role
from commonground.domain.near_misses import Involved, NearMiss, NearMissView, parse_near_miss
from commonground.domain.permissions import Permission
from commonground.service.clock import new_id
from commonground.service.ports import Clock, Page, Store, Transaction
from commonground.service.principal import Principal


def _names(tx: Transaction, agency_ids: Iterable[str]) -> dict[str, str]:
    found = {}
    for agency_id in set(agency_ids):
        agency = tx.agencies.get(agency_id)
        if agency is not None:
            found[agency_id] = agency.name
    return found


@dataclass
class NearMisses:
    store: Store
    clock: Clock

    def report(self, who: Principal, raw: object) -> NearMissView:
        """Record a near-miss naming at least one of the caller's operations (the watch may name any)."""
        if not who.may(Permission.CONFLICTS):
            raise NotPermitted("officers, supervisors and the watch center report near-misses")
        if not isinstance(raw, Mapping):
            raise InvalidInput("body", "must be an object")
        now = self.clock.now()
        report = parse_near_miss(raw, now)
        with self.store.write() as tx:
            involved = []
            for i, operation_id in enumerate(report.operation_ids):
                op = tx.operations.get(operation_id)
                if op is None:
                    raise InvalidInput(f"operation_ids.{i}", "no such operation")
                involved.append(Involved(op.id, op.agency_id))
            if not who.has(Role.WATCH) and all(i.agency_id != who.agency.id for i in involved):
                raise InvalidInput("operation_ids", "must name at least one of your agency's operations")
            miss = NearMiss(new_id(), report.at, report.description, tuple(involved), who.user.id, who.agency.id, now)
            tx.near_misses.add(miss)
            tx.audit.append(
                who.entry(
                    Action.NEAR_MISS_REPORT,
                    object_type="near_miss",
                    object_id=miss.id,
                    operations=list(report.operation_ids),
                    agencies=sorted(miss.agency_ids),
                ),
                now,
            )
            view = disclose_near_miss(miss, _names(tx, [*miss.agency_ids, who.agency.id]), who.viewer)
        assert view is not None  # the reporter's agency is involved, or the reporter is the watch
        return view

    def list(self, who: Principal, limit: int, after: str | None) -> Page[NearMissView]:
        """Near-misses the caller's agency is involved in (the watch: all), newest first.

        Reading another agency's report is a disclosure, so a page that shows one is audited."""
        if not who.may(Permission.CONFLICTS):
            raise NotPermitted("officers, supervisors and the watch center read near-misses")
        with self.store.write() as tx:
            page = tx.near_misses.page(None if who.has(Role.WATCH) else who.agency.id, limit, after)
            names = _names(tx, [a for m in page.items for a in (*m.agency_ids, m.reported_by_agency)])
            views = [v for m in page.items if (v := disclose_near_miss(m, names, who.viewer)) is not None]
            others = [m.id for m in page.items if m.reported_by_agency != who.agency.id]
            if others:
                tx.audit.append(who.entry(Action.NEAR_MISS_READ, object_type="near_miss", ids=others), self.clock.now())
        return Page(views, page.next)

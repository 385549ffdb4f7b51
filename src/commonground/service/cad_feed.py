"""The CAD premise-alert feed: what a 911 centre's CAD polls to flag the places where teams are out.

It lists, at the ``safety`` level, every operation active now or starting within two hours inside
the caller agency's service area (its jurisdiction, holes cut out). A centre with no jurisdiction
set has no service area, so it gets no feed: a whole installation's operations are not a premise
file. Each read is audited with the alerts it carried.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from commonground.audit.tags import Action
from commonground.domain.cad_alerts import ALERT_LEAD, PremiseAlert, alert_status
from commonground.domain.disclosure import Context, disclose_operation
from commonground.domain.errors import NotPermitted
from commonground.domain.geometry import Box
from commonground.domain.jurisdictions import serves, service_boxes
from commonground.domain.model import Operation
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import isoformat
from commonground.service.deconfliction import AgencyCache
from commonground.service.ports import Clock, OperationFilter, Store, Transaction
from commonground.service.principal import Principal
from commonground.service.sensitive_places import DEFAULT_WITHIN_M, places_near

PAGE = 500
# A feed answer holds at most this many alerts; more says `complete: false` (narrow it with a bbox).
MAX_ALERTS = 2000


@dataclass(frozen=True, slots=True)
class CadFeed:
    """One answer of the feed: the alerts, when they were made, and whether every due alert is in it."""

    alerts: tuple[PremiseAlert, ...]
    generated_at: datetime
    complete: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "generated_at": isoformat(self.generated_at),
            "complete": self.complete,
            "alerts": [a.to_dict() for a in self.alerts],
        }


def _overlap(a: Box, b: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    """The part of box ``a`` (never across the antimeridian) inside ``b`` (maybe across it), as a bbox."""
    min_lon, min_lat, max_lon, max_lat = b
    lat_lo, lat_hi = max(a.min_lat, min_lat), min(a.max_lat, max_lat)
    spans = [(min_lon, max_lon)] if min_lon <= max_lon else [(min_lon, 180.0), (-180.0, max_lon)]
    for lo, hi in spans:
        lon_lo, lon_hi = max(a.min_lon, lo), min(a.max_lon, hi)
        if lon_lo <= lon_hi and lat_lo <= lat_hi:
            return (lon_lo, lat_lo, lon_hi, lat_hi)
    return None


def _live_in(tx: Transaction, box: tuple[float, float, float, float], now: datetime) -> tuple[list[Operation], bool]:
    """Live operations in ``box`` due within ALERT_LEAD; and whether all were read (False past MAX_ALERTS)."""
    found: list[Operation] = []
    after: str | None = None
    where = OperationFilter(agency_id=None, bbox=box, live_between=(now, now + ALERT_LEAD))
    while len(found) <= MAX_ALERTS:
        page = tx.operations.page(where, PAGE, after)
        found.extend(page.items)
        if page.next is None:
            return found, True
        after = page.next
    return found, False


@dataclass
class CadAlerts:
    store: Store
    clock: Clock
    sender: str  # the installation's name, EIDO's sending system
    sensitive_place_m: float = DEFAULT_WITHIN_M  # COMMONGROUND_SENSITIVE_PLACE_M: an alert names the places this near

    def feed(self, who: Principal, bbox: tuple[float, float, float, float] | None) -> CadFeed:
        """Every alert due inside the caller's service area (and ``bbox``, when given), soonest first."""
        if not who.may(Permission.LOOKUP):
            raise NotPermitted("the CAD feed is for dispatchers")
        if who.agency.jurisdiction is None:
            raise NotPermitted(
                f"{who.agency.name} has no service area: its jurisdiction must be set before its CAD gets a feed"
            )
        now = self.clock.now()
        wanted = [
            part
            for box in service_boxes(who.agency)
            if (part := _overlap(box, bbox or (-180.0, -90.0, 180.0, 90.0))) is not None
        ]
        with self.store.write() as tx:
            seen: dict[str, Operation] = {}
            complete = True
            for part in wanted:
                found, whole = _live_in(tx, part, now)
                complete = complete and whole
                for op in found:
                    seen.setdefault(op.id, op)
            agencies = AgencyCache(tx)
            alerts = []
            for op in sorted(seen.values(), key=lambda o: (o.window.starts_at, o.id)):
                if not serves(who.agency, op.area):
                    continue
                view = disclose_operation(op, agencies(op.agency_id), who.viewer, Context.LOOKUP)
                view = replace(view, sensitive_places=tuple(places_near(tx, op, self.sensitive_place_m)))
                status = alert_status(view, now)
                if status is not None:
                    alerts.append(PremiseAlert(view, status, self.sender, now, who.agency.timezone))
            complete = complete and len(alerts) <= MAX_ALERTS
            shown = tuple(alerts[:MAX_ALERTS])
            tx.audit.append(
                who.entry(
                    Action.CAD_FEED,
                    object_type="cad_feed",
                    alerts=[a.operation.id for a in shown],
                    bbox=list(bbox) if bbox else None,
                ),
                now,
            )
        return CadFeed(shown, now, complete)

"""The dispatcher's question: who is operating near this place right now?"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action
from commonground.domain.conflicts import SearchReach
from commonground.domain.disclosure import disclose_lookup_hit
from commonground.domain.errors import CommonGroundError, InvalidInput, NotPermitted, RateLimited
from commonground.domain.geometry import Area, edge_distance_m, point_area
from commonground.domain.jurisdictions import serves
from commonground.domain.model import Operation
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import TimeWindow
from commonground.domain.views import LookupHit, LookupResult
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache
from commonground.service.events import EventKind, emit
from commonground.service.lookup_sweeps import SweepRule, watch_for_sweep
from commonground.service.ports import Clock, LookupRecord, Store, Transaction
from commonground.service.principal import Principal

DEFAULT_RADIUS_M = 300.0
MAX_RADIUS_M = 5000.0
WINDOW = timedelta(hours=1)


def operations_near(tx: Transaction, place: Area, when: datetime, radius_m: float) -> list[tuple[Operation, float]]:
    """Return the operations live at ``when`` within ``radius_m`` of ``place``, with their distances."""
    near = tx.operations.candidates(
        place, TimeWindow(when, when + timedelta(seconds=1)), SearchReach(radius_m, timedelta(0)), None
    )
    found = [(op, edge_distance_m(op.area, place)) for op in near]
    return [(op, distance) for op, distance in found if distance <= radius_m and op.window.contains(when)]


def tell_team(
    tx: Transaction, op: Operation, now: datetime, distance: float, lat: float, lon: float, **by: str
) -> None:
    """Tell ``op``'s agency that local units are coming (``by``: who asked, for the message)."""
    details: dict[str, object] = {**by, "distance_m": round(distance, 1), "lat": lat, "lon": lon}
    emit(tx, EventKind.LOOKUP_NEARBY, op.id, now, agency_id=op.agency_id, details=details)


def outside_service_area(who: Principal, place: Area, what: str) -> tuple[CommonGroundError, str] | None:
    """Refuse a question about a place outside the caller agency's jurisdiction (when it has one).

    A 911 centre's look-ups, and its CAD's, serve its own area: a look-up elsewhere is a sweep of
    other agencies' work, not a call for service. Returns the error and the audited reason."""
    if serves(who.agency, place):
        return None
    why = f"the place is outside {who.agency.name}'s service area (its jurisdiction); {what} are answered inside it"
    return NotPermitted(why), "outside the service area"


@dataclass
class Lookups:
    store: Store
    clock: Clock
    limit_per_hour: int = 600
    agency_limit_per_hour: int = 3000
    installation_limit_per_hour: int = 20_000
    at_window: timedelta = timedelta(hours=2)
    sweeps: SweepRule = field(default_factory=SweepRule)

    def _refusal(
        self, tx: Transaction, who: Principal, now: datetime, when: datetime
    ) -> tuple[CommonGroundError, str] | None:
        """Say why this look-up may not run (the error and the audited reason), or None.

        It may not when ``at`` is too far from now, or when an hour's limit is reached.

        Limits count the user, the user's agency and the whole installation, so minting more
        dispatchers does not buy more look-ups.
        """
        if abs(when - now) > self.at_window:
            minutes = round(self.at_window.total_seconds() / 60)
            return InvalidInput("at", f"must be within {minutes} minutes of now"), "at outside the window"
        # A token with its own quota (a CAD link for a whole centre) replaces the per-user limit and
        # raises the agency's to match; the installation's limit holds for everyone.
        own = who.lookup_limit or self.limit_per_hour
        agency = max(self.agency_limit_per_hour, who.lookup_limit or 0)
        for scope, limit, (count, oldest) in (
            ("", own, tx.lookups.since(who.user.id, now - WINDOW)),
            ("agency ", agency, tx.lookups.since_for_agency(who.agency.id, now - WINDOW)),
            ("installation ", self.installation_limit_per_hour, tx.lookups.since_overall(now - WINDOW)),
        ):
            if count >= limit:
                wait = ceil(((oldest or now) + WINDOW - now).total_seconds()) if oldest else 60
                whose = f" for the {scope.strip()}" if scope else ""
                return RateLimited(f"at most {limit} look-ups an hour{whose}", max(1, wait)), f"{scope}rate limit"
        return None

    def lookup(
        self, who: Principal, lat: float, lon: float, radius_m: float | None, at: datetime | None
    ) -> LookupResult:
        """Answer at the safety level; tell each operation's agency that local units are coming."""
        if not who.may(Permission.LOOKUP):
            raise NotPermitted("look-ups are for dispatchers")
        radius = DEFAULT_RADIUS_M if radius_m is None else radius_m
        if not 0 < radius <= MAX_RADIUS_M:
            raise InvalidInput("radius_m", f"must be more than 0 and at most {MAX_RADIUS_M:.0f} metres")
        place = point_area(lat, lon, 0.0, "lookup")
        now = self.clock.now()
        when = at or now
        results: list[LookupHit] = []
        with self.store.write() as tx:
            refusal = outside_service_area(who, place, "look-ups") or self._refusal(tx, who, now, when)
            if refusal is not None:
                # Raised only after the commit: raising in here would roll the denied record back.
                tx.audit.append(who.entry(Action.LOOKUP, outcome="denied", reason=refusal[1]), now)
            else:
                agencies = AgencyCache(tx)
                for op, distance in operations_near(tx, place, when, radius):
                    results.append(disclose_lookup_hit(op, agencies(op.agency_id), who.viewer, distance))
                    tell_team(tx, op, now, distance, lat, lon, by_agency=who.agency.name, by_ori=who.agency.ori)
                record = LookupRecord(new_id(), who.user.id, who.agency.id, now, lat, lon, radius, len(results))
                watch_for_sweep(tx, who, self.sweeps, record, self.at_window, now)
                tx.lookups.add(record)
                tx.audit.append(
                    who.entry(
                        Action.LOOKUP,
                        object_type="lookup",
                        place=Keyed(f"{lat:.5f},{lon:.5f}"),  # matchable across records, never kept
                        radius_m=radius,
                        results=[r.operation.id for r in results],
                    ),
                    now,
                )
        if refusal is not None:
            raise refusal[0]
        results.sort(key=lambda r: r.distance_m)
        return LookupResult(tuple(results), when)

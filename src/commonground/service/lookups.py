"""The dispatcher's question: who is operating near this place right now?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
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


def operations_near(
    tx: Transaction, place: Area, when: datetime, radius_m: float, ahead: timedelta = timedelta(0)
) -> list[tuple[Operation, float]]:
    """Return the operations live at ``when`` (or starting within ``ahead`` of it) within ``radius_m`` of ``place``.

    Each comes with its distance; a verification looks ``ahead`` (a team forming up), a look-up does not."""
    near = tx.operations.candidates(
        place, TimeWindow(when, when + ahead + timedelta(seconds=1)), SearchReach(radius_m, timedelta(0)), None
    )
    found = [(op, edge_distance_m(op.area, place)) for op in near]
    return [
        (op, distance)
        for op, distance in found
        if distance <= radius_m and op.window.ends_at > when and op.window.starts_at <= when + ahead
    ]


def tell_team(
    tx: Transaction,
    op: Operation,
    now: datetime,
    details: dict[str, object],
    kind: EventKind = EventKind.LOOKUP_NEARBY,
) -> None:
    """Tell ``op``'s agency at once that local units are coming or verifying it (``details``: who, how near)."""
    emit(tx, kind, op.id, now, agency_id=op.agency_id, details=details)


def near_details(distance: float, lat: float, lon: float, **by: str) -> dict[str, object]:
    """What the team is told of a look-up at a place: who asked (``by``), how near, where."""
    return {**by, "distance_m": round(distance, 1), "lat": lat, "lon": lon}


Find = Callable[[Transaction], list[LookupHit]]


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

    def refusal(
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
        mine, agency_s, everyone = tx.lookups.hourly(who.user.id, who.agency.id, now - WINDOW)
        for scope, limit, (count, oldest) in (
            ("", own, mine),
            ("agency ", agency, agency_s),
            ("installation ", self.installation_limit_per_hour, everyone),
        ):
            if count >= limit:
                wait = ceil(((oldest or now) + WINDOW - now).total_seconds()) if oldest else 60
                whose = f" for the {scope.strip()}" if scope else ""
                return RateLimited(f"at most {limit} look-ups an hour{whose}", max(1, wait)), f"{scope}rate limit"
        return None

    def answer(
        self,
        who: Principal,
        action: Action,
        query: LookupRecord,
        find: Find,
        audited: dict[str, object],
        *,
        when: datetime | None = None,
        barred: tuple[CommonGroundError, str] | None = None,
    ) -> list[LookupHit]:
        """Run ``find`` inside the limits, keep ``query`` for them, audit ``action``; raise the refusal, if any.

        The one guarded path every question about who is operating where takes (look-ups,
        verifications), so they share one hourly budget, one sweep rule and one audit shape.
        ``barred``: a refusal the caller found before asking (a place outside its jurisdiction)."""
        now = query.at
        hits: list[LookupHit] = []
        with self.store.write() as tx:
            refusal = barred or self.refusal(tx, who, now, when or now)
            if refusal is not None:
                # Raised only after the commit: raising in here would roll the denied record back.
                tx.audit.append(who.entry(action, outcome="denied", reason=refusal[1]), now)
            else:
                hits = find(tx)
                record = replace(query, results=len(hits))
                watch_for_sweep(tx, who, self.sweeps, record, self.at_window, now)
                tx.lookups.add(record)
                tx.audit.append(
                    who.entry(action, "success", "lookup", None, **audited, results=[h.operation.id for h in hits]), now
                )
        if refusal is not None:
            raise refusal[0]
        return sorted(hits, key=lambda h: h.distance_m)

    def lookup(
        self, who: Principal, lat: float, lon: float, radius_m: float | None, at: datetime | None
    ) -> LookupResult:
        """Answer at the safety level; tell each operation's agency that local units are coming."""
        if not who.may(Permission.LOOKUP):
            raise NotPermitted("look-ups are for dispatchers")
        radius = checked_radius(radius_m, DEFAULT_RADIUS_M, MAX_RADIUS_M)
        place = point_area(lat, lon, 0.0, "lookup")
        now = self.clock.now()
        when = at or now

        def find(tx: Transaction) -> list[LookupHit]:
            agencies = AgencyCache(tx)
            found = []
            for op, distance in operations_near(tx, place, when, radius):
                found.append(disclose_lookup_hit(op, agencies(op.agency_id), who.viewer, distance))
                by = {"by_agency": who.agency.name, "by_ori": who.agency.ori}
                tell_team(tx, op, now, near_details(distance, lat, lon, **by))
            return found

        query = LookupRecord(new_id(), who.user.id, who.agency.id, now, lat, lon, radius, 0)
        barred = outside_service_area(who, place, "look-ups")
        hits = self.answer(who, Action.LOOKUP, query, find, place_audit(lat, lon, radius), when=when, barred=barred)
        return LookupResult(tuple(hits), when)


def checked_radius(radius_m: float | None, default: float, most: float) -> float:
    """Return the radius asked for (``default`` when none), or refuse one outside (0, ``most``] naming it."""
    radius = default if radius_m is None else radius_m
    if not 0 < radius <= most:
        raise InvalidInput("radius_m", f"must be more than 0 and at most {most:.0f} metres")
    return radius


def place_audit(lat: float, lon: float, radius: float) -> dict[str, object]:
    """How a look-up's place is audited: matchable across records as a keyed hash, never kept itself."""
    return {"place": Keyed(f"{lat:.5f},{lon:.5f}"), "radius_m": radius}

"""The dispatcher's question: who is operating near this place right now?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from commonground.audit.tags import Action
from commonground.domain.conflicts import SearchReach
from commonground.domain.disclosure import disclose_lookup_hit
from commonground.domain.errors import InvalidInput, NotPermitted, RateLimited
from commonground.domain.geometry import edge_distance_m, point_area
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import TimeWindow
from commonground.domain.views import LookupHit, LookupResult
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache
from commonground.service.events import EventKind, emit
from commonground.service.ports import Clock, LookupRecord, Store
from commonground.service.principal import Principal

DEFAULT_RADIUS_M = 300.0
MAX_RADIUS_M = 5000.0
WINDOW = timedelta(hours=1)


@dataclass
class Lookups:
    store: Store
    clock: Clock
    limit_per_hour: int = 600

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
        refusal: RateLimited | None = None
        with self.store.write() as tx:
            count, oldest = tx.lookups.since(who.user.id, now - WINDOW)
            if count >= self.limit_per_hour:
                wait = ceil(((oldest or now) + WINDOW - now).total_seconds()) if oldest else 60
                # Raised only after the commit: raising in here would roll the denied record back.
                tx.audit.append(who.entry(Action.LOOKUP, outcome="denied", reason="rate limit"), now)
                refusal = RateLimited(f"at most {self.limit_per_hour} look-ups an hour", retry_after=max(1, wait))
            else:
                agencies = AgencyCache(tx)
                near = tx.operations.candidates(
                    place, TimeWindow(when, when + timedelta(seconds=1)), SearchReach(radius, timedelta(0)), None
                )
                for op in near:
                    distance = edge_distance_m(op.area, place)
                    if distance > radius or not op.window.contains(when):
                        continue
                    results.append(disclose_lookup_hit(op, agencies(op.agency_id), who.viewer, distance))
                    emit(
                        tx,
                        EventKind.LOOKUP_NEARBY,
                        op.id,
                        now,
                        agency_id=op.agency_id,
                        details={
                            "by_agency": who.agency.name,
                            "by_ori": who.agency.ori,
                            "distance_m": round(distance, 1),
                            "lat": lat,
                            "lon": lon,
                        },
                    )
                tx.lookups.add(LookupRecord(new_id(), who.user.id, who.agency.id, now, lat, lon, radius, len(results)))
                tx.audit.append(
                    who.entry(
                        Action.LOOKUP,
                        object_type="lookup",
                        lat=round(lat, 5),
                        lon=round(lon, 5),
                        radius_m=radius,
                        results=[r.operation.id for r in results],
                    ),
                    now,
                )
        if refusal is not None:
            raise refusal
        results.sort(key=lambda r: r.distance_m)
        return LookupResult(tuple(results), when)

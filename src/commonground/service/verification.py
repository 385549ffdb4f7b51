"""The patrol officer's question on scene: is there a registered team here, who is it, how do I reach it?

A caller reports armed people in plain clothes; the officer asks before walking up. The answer
goes through the look-up's guarded path (``Lookups.answer``: one hourly budget, one audit shape)
and its disclosure (``disclose_lookup_hit``, in the ``verify`` context that alone adds the
recognition signal), and the team is told at once (``verify.nearby``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action
from commonground.domain.disclosure import Context, disclose_lookup_hit
from commonground.domain.errors import NotPermitted
from commonground.domain.geometry import point_area
from commonground.domain.jurisdictions import serves
from commonground.domain.permissions import Permission
from commonground.domain.subjects import normalise_plate, normalise_plate_state
from commonground.domain.views import LookupHit, PlateVerification, Verification
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache
from commonground.service.events import EventKind
from commonground.service.lookups import (
    Lookups,
    checked_radius,
    near_details,
    operations_near,
    outside_service_area,
    place_audit,
    tell_team,
)
from commonground.service.ports import LookupRecord, Transaction
from commonground.service.principal import Principal

DEFAULT_RADIUS_M = 200.0
MAX_RADIUS_M = 1000.0
AHEAD = timedelta(hours=2)  # a team forming up for a 06:00 entry is on the street before it


def verifying(who: Principal, details: dict[str, object], how: str) -> dict[str, object]:
    """What the team is told: who is verifying it and how, in the words its console and e-mail show."""
    message = f"a local officer of {who.agency.name} is verifying your team {how}"
    return {"by_agency": who.agency.name, "by_ori": who.agency.ori, **details, "message": message}


@dataclass
class Verifications:
    """On-scene verification by officers, supervisors, dispatchers and the watch."""

    lookups: Lookups

    def near(self, who: Principal, lat: float, lon: float, radius_m: float | None) -> Verification:
        """Return the teams active or starting within 2 h near the point, each with its declared identity."""
        if not who.may(Permission.VERIFY):
            raise NotPermitted("verification is for officers, supervisors, dispatchers and the watch")
        radius = checked_radius(radius_m, DEFAULT_RADIUS_M, MAX_RADIUS_M)
        place = point_area(lat, lon, 0.0, "verify")
        now = self.lookups.clock.now()

        def find(tx: Transaction) -> list[LookupHit]:
            agencies = AgencyCache(tx)
            found = []
            for op, distance in operations_near(tx, place, now, radius, AHEAD):
                found.append(disclose_lookup_hit(op, agencies(op.agency_id), who.viewer, distance, Context.VERIFY))
                told = verifying(who, near_details(distance, lat, lon), f"at {lat:.5f}, {lon:.5f}")
                tell_team(tx, op, now, told, EventKind.VERIFY_NEARBY)
            return found

        query = LookupRecord(new_id(), who.user.id, who.agency.id, now, lat, lon, radius, 0)
        barred = outside_service_area(who, place, "verifications")
        hits = self.lookups.answer(who, Action.VERIFY, query, find, place_audit(lat, lon, radius), barred=barred)
        return Verification(tuple(hits))

    def plate(self, who: Principal, plate: str, state: str | None) -> PlateVerification:
        """Say whether ``plate`` belongs to a team active now or starting within 2 h; tell that team at once.

        Only teams operating in the caller agency's service area count (all, for an agency without a
        jurisdiction): a plate look-up answers a scene, it must not track a team across the state."""
        if not who.may(Permission.VERIFY):
            raise NotPermitted("verification is for officers, supervisors, dispatchers and the watch")
        wanted = normalise_plate(plate, "plate")
        issued = None if state is None else normalise_plate_state(state, "state")
        now = self.lookups.clock.now()

        def find(tx: Transaction) -> list[LookupHit]:
            agencies = AgencyCache(tx)
            found = []
            for op in tx.operations.with_team_plate(wanted, issued, now, now + AHEAD):
                if not serves(who.agency, op.area):
                    continue  # a team elsewhere is none of this caller's scene: nothing disclosed, none told
                found.append(disclose_lookup_hit(op, agencies(op.agency_id), who.viewer, 0.0, Context.VERIFY))
                told = verifying(who, {"plate": wanted, "state": issued}, f"by the plate {wanted}")
                tell_team(tx, op, now, told, EventKind.VERIFY_NEARBY)
            return found

        query = LookupRecord(new_id(), who.user.id, who.agency.id, now, None, None, 0.0, 0)
        hits = self.lookups.answer(who, Action.VERIFY_PLATE, query, find, {"plate": Keyed(f"{wanted}/{issued or ''}")})
        return PlateVerification(hits[0].operation if hits else None)

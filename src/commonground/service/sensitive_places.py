"""Sensitive places: an agency loads its set; an operation near one of any agency's is told so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commonground.audit.tags import Action
from commonground.domain.errors import NotFound, NotPermitted
from commonground.domain.geometry import MAX_VERTICES, bounding_boxes
from commonground.domain.model import Operation, Role
from commonground.domain.sensitive import PlaceNearby, nearby, parse_places
from commonground.service.clock import new_id
from commonground.service.ports import Clock, Store, Transaction
from commonground.service.principal import Principal

DEFAULT_WITHIN_M = 300.0


def places_near(tx: Transaction, op: Operation, within_m: float) -> list[PlaceNearby]:
    """Return the sensitive places (of every agency) within ``within_m`` of ``op``, nearest first."""
    candidates = tx.sensitive_places.near(bounding_boxes(op.area, within_m))
    return nearby(op.area, op.window, candidates, within_m) if candidates else []


@dataclass
class SensitivePlaces:
    store: Store
    clock: Clock
    max_vertices: int = MAX_VERTICES

    def put(self, who: Principal, agency_id: str, body: Any) -> dict[str, Any]:
        """Replace the agency's places with a FeatureCollection; its own administrator only."""
        if not (who.has(Role.AGENCY_ADMIN) and who.agency.id == agency_id):
            raise NotPermitted("only the agency's own administrator loads its sensitive places")
        places = parse_places(body, agency_id, new_id, self.max_vertices)
        with self.store.write() as tx:
            if tx.agencies.get(agency_id) is None:
                raise NotFound("no such agency")
            tx.sensitive_places.replace(agency_id, places)
            tx.audit.append(
                who.entry(
                    Action.SENSITIVE_PLACES_UPDATE, object_type="agency", object_id=agency_id, places=len(places)
                ),
                self.clock.now(),
            )
        return {"agency_id": agency_id, "places": len(places)}

"""Sensitive places: an agency (and the watch, for the installation) loads its set; an operation near one is told so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commonground.audit.tags import Action
from commonground.domain.errors import NotFound, NotPermitted
from commonground.domain.geometry import MAX_VERTICES, bounding_boxes
from commonground.domain.model import Operation, Role
from commonground.domain.sensitive import (
    INSTALLATION,
    PlaceNearby,
    SensitivePlace,
    feature_collection,
    nearby,
    parse_places,
)
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
        self._own_admin(who, agency_id)
        places = parse_places(body, agency_id, new_id, self.max_vertices)
        with self.store.write() as tx:
            if tx.agencies.get(agency_id) is None:
                raise NotFound("no such agency")
            self._replace(tx, who, agency_id, places, Action.SENSITIVE_PLACES_UPDATE, "agency")
        return {"agency_id": agency_id, "places": len(places)}

    def get(self, who: Principal, agency_id: str) -> dict[str, Any]:
        """Return the agency's places as the FeatureCollection they were loaded as; its own administrator only."""
        self._own_admin(who, agency_id)
        with self.store.read() as tx:
            if tx.agencies.get(agency_id) is None:
                raise NotFound("no such agency")
            return feature_collection(tx.sensitive_places.of_agency(agency_id))

    def put_installation(self, who: Principal, body: Any) -> dict[str, Any]:
        """Replace the installation-wide set (the watch center's), matched like any agency's."""
        self._watch(who)
        places = parse_places(body, INSTALLATION, new_id, self.max_vertices)
        with self.store.write() as tx:
            self._replace(tx, who, INSTALLATION, places, Action.INSTALLATION_PLACES_UPDATE, "installation")
        return {"places": len(places)}

    def get_installation(self, who: Principal) -> dict[str, Any]:
        """Return the installation-wide set as a FeatureCollection; the watch center only."""
        self._watch(who)
        with self.store.read() as tx:
            return feature_collection(tx.sensitive_places.of_agency(INSTALLATION))

    @staticmethod
    def _own_admin(who: Principal, agency_id: str) -> None:
        if not (who.has(Role.AGENCY_ADMIN) and who.agency.id == agency_id):
            raise NotPermitted("only the agency's own administrator loads or reads its sensitive places")

    @staticmethod
    def _watch(who: Principal) -> None:
        if not who.has(Role.WATCH):
            raise NotPermitted("only the watch center loads or reads the installation's sensitive places")

    def _replace(
        self, tx: Transaction, who: Principal, key: str, places: list[SensitivePlace], action: Action, kind: str
    ) -> None:
        tx.sensitive_places.replace(key, places)
        tx.audit.append(who.entry(action, object_type=kind, object_id=key, places=len(places)), self.clock.now())

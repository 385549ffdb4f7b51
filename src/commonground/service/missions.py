"""What each agency is for, as the installation admin records it.

A restricting agency's policy holds every operation of an agency whose missions include a purpose
it restricts, whatever that operation declares (``domain.disclosure.restricted_by_mission``). The
agency itself cannot change its missions: only the installation admin records them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from commonground.audit.tags import Action
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted
from commonground.domain.model import Agency
from commonground.domain.permissions import Permission
from commonground.domain.policy import parse_missions
from commonground.service.ports import Clock, Store, Transaction
from commonground.service.principal import Principal


@dataclass
class Missions:
    store: Store
    clock: Clock

    def set(self, who: Principal, agency_id: str, data: Mapping[str, Any]) -> Agency:
        """Replace an agency's missions (installation admin); audited with the old and new lists."""
        if not who.may(Permission.INSTALLATION_ADMIN):
            raise NotPermitted("only the installation admin records an agency's missions")
        missions = parse_missions(data.get("missions"))
        now = self.clock.now()
        with self.store.write() as tx:
            agency = tx.agencies.get(agency_id)
            if agency is None:
                raise NotFound("no such agency")
            tx.agencies.set_missions(agency_id, missions)
            tx.audit.append(
                who.entry(
                    Action.AGENCY_MISSIONS_UPDATE,
                    object_type="agency",
                    object_id=agency_id,
                    old=sorted(m.value for m in agency.missions),
                    new=sorted(m.value for m in missions),
                ),
                now,
            )
        return replace(agency, missions=missions)


def check_exceptions(tx: Transaction, agency_id: str, submitted: Mapping[str, Any]) -> None:
    """Refuse a policy whose ``restriction_exceptions`` name the agency itself or no agency at all."""
    raw = submitted.get("restriction_exceptions", [])
    for i, other in enumerate(raw if isinstance(raw, list) else []):
        field = f"restriction_exceptions.{i}"
        if other == agency_id:
            raise InvalidInput(field, "is the agency itself")
        if tx.agencies.get(str(other)) is None:
            raise InvalidInput(field, "no such agency")

"""Premise alerts for 911 centres: a registered operation as a time-limited geofenced alert a CAD can show.

The shape follows NENA's Emergency Incident Data Object (EIDO, NENA-STA-021) JSON: one incident,
location, agency and note component each, tied by ``$ref``; docs/cad.md maps every field. What
an alert carries is the operation's ``safety`` view, nothing more: a dispatcher must know who is
there and how to reach them before sending a unit, not why they are there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from commonground.domain.local_time import shown
from commonground.domain.sensitive import places_line
from commonground.domain.timewindow import isoformat
from commonground.domain.views import OperationView

# An alert is listed from this long before the operation starts until it ends.
ALERT_LEAD = timedelta(hours=2)
INCIDENT_TYPE = "Law Enforcement Operation - Officer Safety Premise Alert"


class AlertStatus(StrEnum):
    UPCOMING = "upcoming"  # starts within ALERT_LEAD
    ACTIVE = "active"
    EXPIRED = "expired"  # ended, or cancelled or completed: the CAD removes it


# EIDO's incident status words for each alert status.
INCIDENT_STATUS = {AlertStatus.UPCOMING: "Planned", AlertStatus.ACTIVE: "Active", AlertStatus.EXPIRED: "Closed"}


def alert_status(view: OperationView, now: datetime, ended: bool = False) -> AlertStatus | None:
    """Say how the alert for ``view`` stands at ``now``; None before it is due (more than ALERT_LEAD ahead)."""
    if ended or view.window.ends_at <= now:
        return AlertStatus.EXPIRED
    if view.window.starts_at <= now:
        return AlertStatus.ACTIVE
    if view.window.starts_at - now <= ALERT_LEAD:
        return AlertStatus.UPCOMING
    return None


def safety_note(view: OperationView, zone: str | None) -> str:
    """The words a dispatcher reads on the premise: who is there, what they look like, whom to call first.

    Sensitive places near the operation (``view.sensitive_places``) come before everything else."""
    team = view.team
    looks = [
        f"{team.personnel} officers" if team.personnel else "a team",
        f"in {team.attire.value.replace('_', ' ')}" if team.attire else "",
        f"with {team.vehicles}" if team.vehicles else "",
    ]
    who = " ".join(part for part in looks if part)
    window = f"{shown(view.window.starts_at, zone)} to {shown(view.window.ends_at, zone)}"
    first = f"{places_line(p.to_dict() for p in view.sensitive_places)}. " if view.sensitive_places else ""
    return first + (
        f"Registered law-enforcement operation by {view.agency.name} ({view.agency.ori}): {who}, {window}. "
        f"Before sending a unit to this location, contact {view.contact.name} at {view.contact.phone}."
    )


@dataclass(frozen=True, slots=True)
class PremiseAlert:
    """One operation as a CAD premise alert, at the ``safety`` level, for one 911 centre (``zone``: its)."""

    operation: OperationView
    status: AlertStatus
    sender: str  # the installation's federation name
    generated_at: datetime
    zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        op, at = self.operation, isoformat(self.generated_at)
        ids = {k: f"{k}-{op.id}" for k in ("inc", "loc", "agency", "note")}
        return {
            "$id": f"urn:commonground:alert:{op.id}",
            "eidoMessageIdentifier": f"urn:commonground:alert:{op.id}",
            "sendingSystemIdentifier": self.sender,
            "lastUpdateTimeStamp": at,
            "messageKind": "Cancel" if self.status is AlertStatus.EXPIRED else "Report",
            "alert": {
                "id": op.id,
                "status": self.status.value,
                "starts_at": isoformat(op.window.starts_at),
                "expires_at": isoformat(op.window.ends_at),
            },
            "incidentComponent": [
                {
                    "componentIdentifier": ids["inc"],
                    "incidentTrackingIdentifier": f"urn:commonground:operation:{op.id}",
                    "lastUpdateTimeStamp": at,
                    "incidentTypeCommonRegistryText": INCIDENT_TYPE,
                    "incidentStatusCommonRegistryText": INCIDENT_STATUS[self.status],
                    "locationReference": {"$ref": ids["loc"]},
                    "agencyReference": {"$ref": ids["agency"]},
                    "notesReference": [{"$ref": ids["note"]}],
                }
            ],
            "locationComponent": [{"componentIdentifier": ids["loc"], "locationByValue": op.area.to_geojson()}],
            "agencyComponent": [
                {
                    "componentIdentifier": ids["agency"],
                    "agencyIdentifier": op.agency.ori,
                    "agencyName": op.agency.name,
                    "contactName": op.contact.name,
                    "contactPhone": op.contact.phone,
                    "contactRadio": op.contact.radio,
                }
            ],
            "notesComponent": [
                {"componentIdentifier": ids["note"], "noteDateTimeStamp": at, "noteText": safety_note(op, self.zone)}
            ],
            "operation": op.to_dict(),
        }

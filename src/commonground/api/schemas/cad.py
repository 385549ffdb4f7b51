"""The CAD premise-alert feed: each alert shaped after NENA's EIDO JSON (docs/cad.md maps the fields)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, described
from commonground.api.schemas.operations import OperationPublic

REF = "inc-" + ID_EXAMPLE


class RefPublic(Public):
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)  # EIDO's `$ref`, however it is dumped

    ref: str = Field(alias="$ref", description="The `componentIdentifier` of the component meant.", examples=[REF])


class AlertWindowPublic(Public):
    id: str = described("The operation's id: one alert per operation, updated in place.", ID_EXAMPLE)
    status: Literal["upcoming", "active", "expired"] = described(
        "`upcoming` (starts within 2 h), `active`, or `expired` (the CAD removes it).", "active"
    )
    starts_at: Instant = described("When the operation starts, UTC.", TIME_EXAMPLE)
    expires_at: Instant = described("When the alert expires (the operation's end), UTC.", TIME_EXAMPLE)


class IncidentComponentPublic(Public):
    componentIdentifier: str = described("This component's id.", REF)
    incidentTrackingIdentifier: str = described("The operation, as a URN.", "urn:commonground:operation:" + ID_EXAMPLE)
    lastUpdateTimeStamp: Instant = described("When the alert was made, UTC.", TIME_EXAMPLE)
    incidentTypeCommonRegistryText: str = described(
        "Always the same words: a law-enforcement operation, an officer-safety premise alert.",
        "Law Enforcement Operation - Officer Safety Premise Alert",
    )
    incidentStatusCommonRegistryText: Literal["Planned", "Active", "Closed"] = described(
        "`Planned`, `Active` or `Closed`, as the alert's status.", "Active"
    )
    locationReference: RefPublic = described("The location component.", {"$ref": "loc-" + ID_EXAMPLE})
    agencyReference: RefPublic = described("The agency component.", {"$ref": "agency-MN0271100"})
    notesReference: list[RefPublic] = described("The note components.", [{"$ref": "note-" + ID_EXAMPLE}])


class LocationComponentPublic(Public):
    componentIdentifier: str = described("This component's id.", "loc-" + ID_EXAMPLE)
    locationByValue: dict[str, object] = described(
        "The operation's area as GeoJSON (`[lon, lat]`; a Point carries `radius_m`): the geofence.",
        {"type": "Point", "coordinates": [-93.265, 44.9778], "radius_m": 150},
    )


class AgencyComponentPublic(Public):
    componentIdentifier: str = described("This component's id.", "agency-MN0271100")
    agencyIdentifier: str = described("The operating agency's ORI.", "MN0271100")
    agencyName: str = described("Its name.", "ICE ERO St. Paul")
    contactName: str = described("Whom to call before sending a unit.", "SDO Whitfield")
    contactPhone: str = described("Their phone.", "+1 612 555 0142")
    contactRadio: str | None = described("Their radio channel, if given.", "TAC 2")


class NoteComponentPublic(Public):
    componentIdentifier: str = described("This component's id.", "note-" + ID_EXAMPLE)
    noteDateTimeStamp: Instant = described("When the note was made, UTC.", TIME_EXAMPLE)
    noteText: str = described(
        "What a dispatcher reads, times in the centre's zone with the offset.",
        "Registered law-enforcement operation by ICE ERO St. Paul (MNICE0100): 6 officers in plain clothes, "
        "Tue 1 Dec 2026 06:00 CST (UTC-06:00) to Tue 1 Dec 2026 08:00 CST (UTC-06:00). Before sending a unit "
        "to this location, contact SDO Whitfield at +1 612 555 0142.",
    )


class PremiseAlertPublic(Public):
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)  # EIDO's `$id`, however it is dumped

    id: str = Field(alias="$id", description="The alert, as a URN.", examples=["urn:commonground:alert:" + ID_EXAMPLE])
    eidoMessageIdentifier: str = described("The same URN, as EIDO names it.", "urn:commonground:alert:" + ID_EXAMPLE)
    sendingSystemIdentifier: str = described("The installation's name.", "hennepin-county")
    lastUpdateTimeStamp: Instant = described("When this answer was made, UTC.", TIME_EXAMPLE)
    messageKind: Literal["Report", "Cancel"] = described(
        "`Report` for an alert to show, `Cancel` for one to remove.", "Report"
    )
    alert: AlertWindowPublic = described("The alert's life: status, start and expiry.", {"id": ID_EXAMPLE})
    incidentComponent: list[IncidentComponentPublic] = described("One incident component.", [])
    locationComponent: list[LocationComponentPublic] = described("One location: the geofence.", [])
    agencyComponent: list[AgencyComponentPublic] = described("The operating agency and its contact.", [])
    notesComponent: list[NoteComponentPublic] = described("One note in plain words.", [])
    operation: OperationPublic = described(
        "The operation at the `safety` level, exactly as a look-up shows it.", {"id": ID_EXAMPLE}
    )


class CadFeedPublic(Public):
    generated_at: Instant = described("When the feed was read, UTC.", TIME_EXAMPLE)
    complete: bool = described(
        "False when more than 2,000 alerts were due: narrow the request with `bbox` to get the rest.", True
    )
    alerts: list[PremiseAlertPublic] = described("Every alert due in the service area, soonest first.", [])

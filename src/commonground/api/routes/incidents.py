"""Critical incidents: reported by the operating agency, sent at once to host, conflicting agencies and the watch."""

from __future__ import annotations

from fastapi import APIRouter, Request

from commonground.api.deps import IncidentAcknowledger, IncidentsUser, OperationsUser, ServicesDep, page_limit
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.incidents import IncidentCreate, IncidentPublic, IncidentsPublic

router = APIRouter(tags=["incidents"], route_class=PublicRoute)


@router.post("/operations/{operation_id}/incidents", status_code=201, responses=fails(403, 404, 409, 422))
def report_incident(
    operation_id: str, body: IncidentCreate, services: ServicesDep, who: OperationsUser
) -> IncidentPublic:
    """Report a critical incident of the own agency's operation (its officer who entered it, or a supervisor).

    Within seconds, whatever the operation's notice timing (even `withheld`), the agencies whose
    jurisdiction holds the place, every agency in an open conflict with the operation and the watch
    center hear `incident.reported` (stream, webhooks, e-mail); unacknowledged after 5 minutes, the
    watch center hears `incident.escalated`."""
    view = services.incidents.report(who, operation_id, body.model_dump(mode="json", exclude_unset=True))
    return IncidentPublic.model_validate(view.to_dict())


@router.get("/operations/{operation_id}/incidents", responses=fails(404, 422))
def operation_incidents(operation_id: str, services: ServicesDep, who: IncidentsUser) -> IncidentsPublic:
    """An operation's incidents the caller's agency may see; one it may see none of is 404, as a missing one."""
    views = services.incidents.of_operation(who, operation_id)
    return IncidentsPublic.model_validate({"items": [v.to_dict() for v in views], "next": None})


@router.get("/incidents", responses=fails(422))
def list_incidents(
    request: Request, services: ServicesDep, who: IncidentsUser, limit: int | None = None, cursor: str | None = None
) -> IncidentsPublic:
    """Incidents of the agency's operations and those it was told of, newest first; the watch center sees all."""
    page = services.incidents.page(who, page_limit(request, limit), cursor)
    return IncidentsPublic.model_validate({"items": [v.to_dict() for v in page.items], "next": page.next})


@router.post("/incidents/{incident_id}/acknowledge", responses=fails(403, 404, 422))
def acknowledge_incident(incident_id: str, services: ServicesDep, who: IncidentAcknowledger) -> IncidentPublic:
    """An agency told of the incident, or the watch center, says it has it: the watch is not alerted again.

    The operating agency cannot (403); anyone else gets 404, as for a missing id."""
    return IncidentPublic.model_validate(services.incidents.acknowledge(who, incident_id).to_dict())

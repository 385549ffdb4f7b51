"""Critical incidents: reported by the operating agency, sent at once to the host agencies, the
agencies in conflict with the operation and the watch center, and chased if nobody acknowledges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action
from commonground.domain.disclosure import disclose_incident, sees_incident
from commonground.domain.errors import NotFound, NotPermitted, StateConflict
from commonground.domain.geometry import Area, LonLat, bounding_boxes
from commonground.domain.incidents import ACK_WITHIN, Incident, RecipientReason, draft_from, hosts_of, overdue
from commonground.domain.model import Operation, Role
from commonground.domain.views import IncidentView
from commonground.service.clock import new_id
from commonground.service.events import EventKind, emit
from commonground.service.ports import Clock, Page, Store, Transaction
from commonground.service.principal import Principal

BATCH = 500


def recipients(tx: Transaction, op: Operation, place: LonLat) -> dict[str, RecipientReason]:
    """The agencies told of an incident at ``place``: those whose jurisdiction holds it, and every
    agency in an open conflict with the operation (a host in conflict is told as the host)."""
    told = dict.fromkeys(_in_conflict(tx, op), RecipientReason.CONFLICT)
    nearby = tx.agencies.with_jurisdiction_in(bounding_boxes(Area("Point", (place,), 0.0)))
    told.update({a.id: RecipientReason.HOST for a in hosts_of(place, op.agency_id, nearby)})
    return told


def _in_conflict(tx: Transaction, op: Operation) -> set[str]:
    """The other agencies in a conflict with ``op`` that is not yet resolved or dismissed."""
    sides = ((c.agency_a, c.agency_b) for c in tx.conflicts.of_operation(op.id) if not c.status.is_closed)
    return {agency for pair in sides for agency in pair if agency != op.agency_id}


def escalate_overdue(store: Store, now: datetime) -> int:
    """Alert the watch center of each incident nobody acknowledged in time; once each, from any process."""
    with store.read() as tx:
        due = [i for i in tx.incidents.unacknowledged(now - ACK_WITHIN, BATCH) if overdue(i, now)]
    if not due:
        return 0
    raised = 0
    with store.write() as tx:
        for incident in due:
            if not tx.incidents.escalate(incident.id, now):
                continue
            raised += 1
            details = {
                "reason": "unacknowledged",
                "operation_id": incident.operation_id,
                "agency_id": incident.agency_id,
                "minutes": ACK_WITHIN.total_seconds() / 60,
            }
            emit(tx, EventKind.INCIDENT_ESCALATED, incident.id, now, for_watch=True, details=details)
            tx.audit.append(
                AuditEntry(
                    action=Action.INCIDENT_ESCALATE,
                    outcome="success",
                    actor_user_id=None,
                    actor_agency_id=None,
                    object_type="incident",
                    object_id=incident.id,
                    details={"operation_id": incident.operation_id},
                ),
                now,
            )
    return raised


@dataclass
class Incidents:
    store: Store
    clock: Clock

    def report(self, who: Principal, operation_id: str, body: Mapping[str, object]) -> IncidentView:
        """Record the incident and tell its recipients in the same commit, whatever the notice timing."""
        now = self.clock.now()
        with self.store.write() as tx:
            op = tx.operations.get(operation_id)
            if op is None or op.agency_id != who.agency.id:
                raise NotFound("no such operation")
            if not (who.has(Role.SUPERVISOR) or (who.has(Role.OFFICER) and op.created_by == who.user.id)):
                raise NotPermitted("officers report incidents of their own operations; supervisors of any")
            if op.purged_at is not None:
                raise StateConflict("the operation's details were purged (retention)")
            draft = draft_from(body, op, now)
            incident = Incident(
                new_id(),
                op.id,
                op.agency_id,
                draft.kind,
                draft.at,
                draft.summary,
                draft.location,
                draft.assistance_requested,
                who.user.id,
                now,
            )
            told = recipients(tx, op, incident.location)
            tx.incidents.add(incident, told)
            tx.audit.append(
                who.entry(
                    Action.INCIDENT_REPORT,
                    object_type="incident",
                    object_id=incident.id,
                    operation_id=op.id,
                    kind=incident.kind.value,
                    assistance_requested=incident.assistance_requested,
                    told=sorted(told),
                ),
                now,
            )
            details = {"operation_id": op.id, "kind": incident.kind.value}
            for agency_id in sorted(told):
                emit(tx, EventKind.INCIDENT_REPORTED, incident.id, now, agency_id=agency_id, details=details)
            emit(tx, EventKind.INCIDENT_REPORTED, incident.id, now, for_watch=True, details=details)
            return disclose_incident(incident, op, who.agency, who.viewer)

    def page(self, who: Principal, limit: int, after: str | None) -> Page[IncidentView]:
        """Newest first: the agency's own and those it was told of; the watch center every one."""
        with self.store.read() as tx:
            page = tx.incidents.page(None if who.has(Role.WATCH) else who.agency.id, limit, after)
            return Page([v for v in (self._view(tx, who, i) for i in page.items) if v is not None], page.next)

    def of_operation(self, who: Principal, operation_id: str) -> list[IncidentView]:
        """An operation's incidents the caller may see; none to see answers as a missing operation would."""
        with self.store.read() as tx:
            op = tx.operations.get(operation_id)
            found = [] if op is None else [self._view(tx, who, i) for i in tx.incidents.of_operation(op.id)]
            views = [v for v in found if v is not None]
            if op is None or not (views or op.agency_id == who.agency.id or who.has(Role.WATCH)):
                raise NotFound("no such operation")
            return views

    def acknowledge(self, who: Principal, incident_id: str) -> IncidentView:
        """An agency told of the incident (or the watch center) says it has it: no escalation follows."""
        now = self.clock.now()
        with self.store.write() as tx:
            incident = tx.incidents.get(incident_id)
            told = {} if incident is None else tx.incidents.told(incident_id)
            if incident is None or not (who.agency.id in told or who.has(Role.WATCH)):
                if incident is not None and incident.agency_id == who.agency.id:
                    raise NotPermitted("an incident is acknowledged by the agencies told of it, not by its reporter")
                raise NotFound("no such incident")
            first = tx.incidents.acknowledge(incident.id, who.agency.id, now)
            if first:  # the team learns that someone outside it has the incident in hand
                details = {"operation_id": incident.operation_id, "agency": who.agency.name, "ori": who.agency.ori}
                emit(
                    tx, EventKind.INCIDENT_ACKNOWLEDGED, incident.id, now, agency_id=incident.agency_id, details=details
                )
            tx.audit.append(
                who.entry(
                    Action.INCIDENT_ACKNOWLEDGE,
                    object_type="incident",
                    object_id=incident.id,
                    operation_id=incident.operation_id,
                    first=first,
                ),
                now,
            )
            view = self._view(tx, who, tx.incidents.get(incident.id) or incident)
        if view is None:
            raise NotFound("no such incident")
        return view

    @staticmethod
    def _view(tx: Transaction, who: Principal, incident: Incident) -> IncidentView | None:
        op = tx.operations.get(incident.operation_id)
        owner = None if op is None else tx.agencies.get(op.agency_id)
        if op is None or owner is None or not sees_incident(incident, tx.incidents.told(incident.id), who.viewer):
            return None
        return disclose_incident(incident, op, owner, who.viewer)

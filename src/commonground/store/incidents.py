"""Critical incidents and the agencies told of each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update

from commonground.domain.incidents import Incident, IncidentKind, RecipientReason
from commonground.service.ports import Page
from commonground.store.repository import Repository, page
from commonground.store.schema import incident_recipients, incidents

C = incidents.c
R = incident_recipients.c


def incident_from(row: Any) -> Incident:
    return Incident(
        row["id"],
        row["operation_id"],
        row["agency_id"],
        IncidentKind(row["kind"]),
        row["at"],
        row["summary"],
        (float(row["lon"]), float(row["lat"])),
        bool(row["assistance_requested"]),
        row["reported_by"],
        row["reported_at"],
        row["acknowledged_at"],
        row["acknowledged_by"],
        row["escalated_at"],
    )


class SqlIncidents(Repository):
    def add(self, incident: Incident, told: Mapping[str, RecipientReason]) -> None:
        self.conn.execute(
            insert(incidents),
            {
                "id": incident.id,
                "operation_id": incident.operation_id,
                "agency_id": incident.agency_id,
                "kind": incident.kind.value,
                "at": incident.at,
                "summary": incident.summary,
                "lon": incident.location[0],
                "lat": incident.location[1],
                "assistance_requested": incident.assistance_requested,
                "reported_by": incident.reported_by,
                "reported_at": incident.reported_at,
                "acknowledged_at": incident.acknowledged_at,
                "acknowledged_by": incident.acknowledged_by,
                "escalated_at": incident.escalated_at,
            },
        )
        if told:
            rows = [{"incident_id": incident.id, "agency_id": a, "reason": r.value} for a, r in sorted(told.items())]
            self.conn.execute(insert(incident_recipients), rows)

    def get(self, incident_id: str) -> Incident | None:
        row = self.conn.execute(select(incidents).where(C.id == incident_id)).mappings().first()
        return None if row is None else incident_from(row)

    def told(self, incident_id: str) -> dict[str, RecipientReason]:
        rows = self.conn.execute(select(R.agency_id, R.reason).where(R.incident_id == incident_id))
        return {r[0]: RecipientReason(r[1]) for r in rows}

    def of_operation(self, operation_id: str) -> list[Incident]:
        query = select(incidents).where(C.operation_id == operation_id).order_by(C.id)
        return [incident_from(r) for r in self.conn.execute(query).mappings()]

    def page(self, agency_id: str | None, limit: int, after: str | None) -> Page[Incident]:
        query = select(incidents)
        if agency_id is not None:
            told = select(R.incident_id).where(R.agency_id == agency_id)
            query = query.where(or_(C.agency_id == agency_id, C.id.in_(told)))
        if after:
            query = query.where(C.id < after)
        rows = self.conn.execute(query.order_by(C.id.desc()).limit(limit + 1)).mappings()
        return page([incident_from(r) for r in rows], limit)

    def acknowledge(self, incident_id: str, agency_id: str, at: datetime) -> bool:
        found = self.conn.execute(
            update(incidents)
            .where(C.id == incident_id, C.acknowledged_at.is_(None))
            .values(acknowledged_at=at, acknowledged_by=agency_id)
            .returning(C.id)
        )
        return found.first() is not None

    def unacknowledged(self, reported_before: datetime, limit: int) -> list[Incident]:
        query = (
            select(incidents)
            .where(C.acknowledged_at.is_(None), C.escalated_at.is_(None), C.reported_at <= reported_before)
            .order_by(C.reported_at)
            .limit(limit)
        )
        return [incident_from(r) for r in self.conn.execute(query).mappings()]

    def escalate(self, incident_id: str, at: datetime) -> bool:
        found = self.conn.execute(
            update(incidents)
            .where(C.id == incident_id, C.escalated_at.is_(None), C.acknowledged_at.is_(None))
            .values(escalated_at=at)
            .returning(C.id)
        )
        return found.first() is not None

    def purge_summaries(self, operation_id: str) -> int:
        cleared = self.conn.execute(
            update(incidents).where(C.operation_id == operation_id, C.summary != "").values(summary="").returning(C.id)
        )
        return len(cleared.all())

"""Render an outbox event for an agency's TAK map and CAD system: the operations it concerns, at ``safety``.

Both systems show areas to people the agency never listed, so what they get is built from
``disclose_for_push`` (domain/disclosure.py) and nothing else: a CoT event per operation
(domain/cot.py) or a premise alert (domain/cad_alerts.py). An operation that ended, was cancelled
or completed, or left the agency's jurisdiction (an exit notice) is sent as its removal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from commonground.domain.cad_alerts import AlertStatus, PremiseAlert, alert_status
from commonground.domain.cot import cot_area, cot_removal
from commonground.domain.disclosure import disclose_for_push
from commonground.domain.model import Agency, Operation
from commonground.domain.notifications import remote_notice
from commonground.notify.render import for_agency, routed
from commonground.service.ports import Event, Transaction
from commonground.service.sensitive_places import DEFAULT_WITHIN_M, places_near


@dataclass(frozen=True, slots=True)
class Concerned:
    """An operation an event concerns, its agency, and whether it is gone from the recipient's map."""

    op: Operation
    owner: Agency
    gone: bool


def _operation_ids(tx: Transaction, event: Event, agency: Agency) -> list[str]:
    details = event.details or {}
    if event.kind.startswith("conflict."):
        conflict = tx.conflicts.get(event.object_id)
        if conflict is not None:
            sides = (conflict.agency_a, conflict.agency_b)
            return [conflict.operation_a, conflict.operation_b] if agency.id in sides else []
        found = tx.remote_conflicts.get(event.object_id)  # the peer's side is the peer's to draw
        return [found.operation_id] if found is not None and found.agency_id == agency.id else []
    if event.kind == "notice.created":
        return [] if remote_notice(event.kind, details) else [str(details.get("operation_id", ""))]
    return [event.object_id]  # notice.responded, lookup.nearby, federation.*: the agency's own operation


def concerned(tx: Transaction, event: Event, agency: Agency, now: datetime) -> list[Concerned]:
    """The operations ``event`` concerns that ``agency`` hears of (nothing when the event is not its)."""
    if not routed(event, for_agency(agency)):
        return []
    left = event.kind == "notice.created" and (event.details or {}).get("kind") == "exit"
    found = []
    for op_id in _operation_ids(tx, event, agency):
        op = tx.operations.get(op_id)
        owner = tx.agencies.get(op.agency_id) if op else None
        if op is None or owner is None:
            continue
        found.append(Concerned(op, owner, left or not op.status.is_live or op.window.ends_at <= now))
    return found


@dataclass(frozen=True, slots=True)
class PushViews:
    """What an agency's TAK and CAD channels are sent; ``installation``: the sender a CAD reads."""

    installation: str
    sensitive_place_m: float = (
        DEFAULT_WITHIN_M  # COMMONGROUND_SENSITIVE_PLACE_M: a premise alert names the places this near
    )

    def tak(self, tx: Transaction, event: Event, agency: Agency, now: datetime) -> dict[str, Any] | None:
        """One CoT event per operation concerned: its area, or its removal."""
        found = concerned(tx, event, agency, now)
        if not found:
            return None
        zone = agency.timezone
        return {
            "cot": [
                cot_removal(c.op.id, now) if c.gone else cot_area(disclose_for_push(c.op, c.owner), now, zone)
                for c in found
            ]
        }

    def cad(self, tx: Transaction, event: Event, agency: Agency, now: datetime) -> dict[str, Any] | None:
        """The premise alert of the operation a jurisdiction notice is about, as it stands now."""
        found = concerned(tx, event, agency, now)
        if not found:
            return None
        c = found[0]
        view = disclose_for_push(c.op, c.owner)
        view = replace(view, sensitive_places=tuple(places_near(tx, c.op, self.sensitive_place_m)))
        # Pushed when the notice is (at submission or at the start): ahead of the feed's 2 h, it is upcoming.
        status = alert_status(view, now, ended=c.gone) or AlertStatus.UPCOMING
        return PremiseAlert(view, status, self.installation, now, agency.timezone).to_dict()

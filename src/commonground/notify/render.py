"""Render an outbox event for one recipient, only ever through the disclosure function."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from commonground.domain.disclosure import (
    Viewer,
    disclose_conflict,
    disclose_conflict_to_watch,
    disclose_host_response,
    disclose_incident,
    sees_incident,
)
from commonground.domain.model import Agency, Role
from commonground.domain.views import AnyConflictView
from commonground.service.deconfliction import side_getter
from commonground.service.notices import host_notice
from commonground.service.ports import Event, Transaction
from commonground.service.principal import Principal
from commonground.service.sensitive_places import DEFAULT_WITHIN_M


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who hears: a user on the stream, an agency's channels, or the watch center."""

    viewer: Viewer
    user_id: str | None = None  # an officer sees only the conflicts of operations they entered

    @property
    def watch(self) -> bool:
        return Role.WATCH in self.viewer.roles

    @property
    def officer_only(self) -> bool:
        roles = self.viewer.roles
        return self.user_id is not None and Role.OFFICER in roles and Role.SUPERVISOR not in roles


WATCH = Recipient(Viewer(None, None, frozenset({Role.WATCH})))


def for_agency(agency: Agency) -> Recipient:
    """An agency's own channels see what its supervisors see."""
    return Recipient(Viewer(agency.id, agency.level, frozenset({Role.SUPERVISOR}), agency.missions, outside=True))


def for_channels(
    tx: Transaction, event: Event, agency: Agency | None, within_m: float = DEFAULT_WITHIN_M
) -> dict[str, Any] | None:
    """Render for an agency's webhooks and e-mail, or the watch center's (``agency`` None)."""
    return render(tx, event, WATCH if agency is None else for_agency(agency), within_m)


@dataclass(frozen=True, slots=True)
class ChannelViews:
    """``for_channels`` with the installation's sensitive-place distance (COMMONGROUND_SENSITIVE_PLACE_M)."""

    within_m: float

    def __call__(self, tx: Transaction, event: Event, agency: Agency | None) -> dict[str, Any] | None:
        return for_channels(tx, event, agency, self.within_m)


def for_user(who: Principal) -> Recipient:
    return Recipient(who.viewer, who.user.id)


def routed(event: Event, recipient: Recipient) -> bool:
    """Say whether ``event``'s row is the one meant for ``recipient`` (each hears a conflict once)."""
    if event.kind.startswith("conflict."):
        if recipient.watch:
            return event.for_watch
        return event.agency_id is not None and event.agency_id == recipient.viewer.agency_id
    if recipient.watch and event.for_watch:
        return True  # an alert for the watch center (a suspected look-up sweep)
    return recipient.viewer.agency_id is not None and event.agency_id == recipient.viewer.agency_id


def render(
    tx: Transaction, event: Event, recipient: Recipient, within_m: float = DEFAULT_WITHIN_M
) -> dict[str, Any] | None:
    """Return the event's JSON view for ``recipient``, or None when they may not see it.

    ``within_m``: how near a sensitive place must be for a notice to name it."""
    if not routed(event, recipient):
        return None
    if event.kind.startswith("conflict."):
        return _conflict(tx, event, recipient)
    if event.kind == "notice.created" and "installation" in (event.details or {}):
        found = tx.remote_notices.get(event.object_id)  # a peer's operation: its own safety view
        if found is None or found.agency_id != recipient.viewer.agency_id:
            return None
        return {
            "id": found.id,
            "kind": found.kind.value,
            "operation": found.operation,
            "installation": {"name": found.installation},
        }
    if event.kind == "notice.created":
        notice = tx.notices.get(event.object_id)
        if notice is None or notice.agency_id != recipient.viewer.agency_id:
            return None
        view = host_notice(tx, notice, recipient.viewer, within_m)  # as the API lists it: places first
        return None if view is None else view.to_dict()
    if event.kind == "notice.responded":
        return _host_response(tx, event, recipient)
    if event.kind.startswith("incident."):
        return _incident(tx, event, recipient)
    if event.kind == "operation.purpose_changed":
        # The restricting agency's own conflict, and the purposes declared before and after.
        return {"conflict_id": event.object_id, **(event.details or {})}
    if event.kind in ("lookup.nearby", "verify.nearby"):
        # Only what the look-up stored: who asked, how near; never the asker's other data.
        return {"operation_id": event.object_id, **(event.details or {})}
    if event.kind == "lookup.sweep_suspected":
        # Who swept, how widely and where; an agency's copy names only its own operations.
        return {"id": event.object_id, **(event.details or {})}
    if event.kind == "delivery.failing":
        # Ids only: which delivery, channel kind and channel; never the target or the alert itself.
        return {"id": event.object_id, **(event.details or {})}
    if event.kind in ("federation.unchecked", "federation.checked"):
        # The agency's own operation, the peer installation's name, counts and plain words: nothing of the peer's.
        return {"operation_id": event.object_id, **(event.details or {})}
    return None


def _host_response(tx: Transaction, event: Event, recipient: Recipient) -> dict[str, Any] | None:
    """A host agency's answer, to the operating agency: the answer as it stands now, through disclosure."""
    op = tx.operations.get(event.object_id)
    host_id = str((event.details or {}).get("agency_id", ""))
    answer = tx.notice_responses.get(event.object_id, host_id)
    host = tx.agencies.get(host_id)
    if op is None or answer is None or host is None:
        return None
    view = disclose_host_response(answer, op, host, recipient.viewer)
    if view is None:
        return None
    return {"operation_id": op.id, "notice_id": answer.notice_id, **view.to_dict()}


def _incident(tx: Transaction, event: Event, recipient: Recipient) -> dict[str, Any] | None:
    """A critical incident as it stands now, to an agency told of it or the watch center, through disclosure."""
    incident = tx.incidents.get(event.object_id)
    op = None if incident is None else tx.operations.get(incident.operation_id)
    owner = None if op is None else tx.agencies.get(op.agency_id)
    if incident is None or op is None or owner is None:
        return None
    if not sees_incident(incident, tx.incidents.told(incident.id), recipient.viewer):
        return None
    data = disclose_incident(incident, op, owner, recipient.viewer).to_dict()
    if event.kind == "incident.escalated" and event.details:
        data["escalation"] = dict(event.details)
    if event.kind == "incident.acknowledged" and event.details:  # who acknowledged: the operator's to know
        data["acknowledgement"] = dict(event.details)
    return data


def _conflict(tx: Transaction, event: Event, recipient: Recipient) -> dict[str, Any] | None:
    conflict = tx.conflicts.get(event.object_id)
    if conflict is None:
        return _remote(tx, event, recipient)
    side = side_getter(tx)  # a side may be a case target
    a, b = side(conflict.operation_a), side(conflict.operation_b)
    if a is None or b is None:
        return None
    owner_a, owner_b = tx.agencies.get(a.agency_id), tx.agencies.get(b.agency_id)
    if owner_a is None or owner_b is None:
        return None
    view: AnyConflictView
    if recipient.watch:
        view = disclose_conflict_to_watch(conflict, ((a, owner_a), (b, owner_b)), recipient.viewer)
    else:
        agency_id = recipient.viewer.agency_id
        if agency_id not in (a.agency_id, b.agency_id):
            return None
        yours, theirs, theirs_owner = (a, b, owner_b) if a.agency_id == agency_id else (b, a, owner_a)
        if recipient.officer_only:
            mine = [op for op in (a, b) if op.agency_id == agency_id and op.created_by == recipient.user_id]
            if not mine:
                return None
            if mine[0] is not yours:
                yours, theirs, theirs_owner = mine[0], yours, owner_a if mine[0] is b else owner_b
        # Missions as recorded now, not when a live stream connected: the installation admin may have changed them.
        yours_owner = owner_a if yours is a else owner_b
        viewer = replace(recipient.viewer, missions=yours_owner.missions)
        view = disclose_conflict(conflict, yours, theirs, theirs_owner, viewer)
    data = view.to_dict()
    if event.details:
        data["escalation"] = dict(event.details)
    return data


def _remote(tx: Transaction, event: Event, recipient: Recipient) -> dict[str, Any] | None:
    """A conflict with a peer installation's operation: its side here sees it as the API lists it.

    The counterpart is what the peer itself disclosed (its answer, or the ``safety`` view its probe
    carried): nothing of it was ever held here at a higher level, so there is nothing to narrow."""
    found = tx.remote_conflicts.get(event.object_id)
    if found is None:
        return None
    if not recipient.watch:
        if recipient.viewer.agency_id != found.agency_id:
            return None
        if recipient.officer_only:
            op = tx.operations.get(found.operation_id)
            if op is None or op.created_by != recipient.user_id:
                return None
    return found.to_dict()

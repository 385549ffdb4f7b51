"""Use-cases for operations: submit with the check, change, cancel, complete, read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from commonground.audit.tags import Action
from commonground.domain.after_action import parse_after_action
from commonground.domain.disclosure import (
    Context,
    Viewer,
    disclose_conflict,
    disclose_operation,
    restricted_towards,
)
from commonground.domain.drafts import SubjectParser, draft_fields, merge_patch, moved, parse_draft, with_draft
from commonground.domain.entry import check_start, parse_exigent, parse_phone_in
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StaleVersion, StateConflict
from commonground.domain.geometry import MAX_AREA_KM2, MAX_VERTICES
from commonground.domain.model import Agency, Conflict, Operation, OperationStatus, PhoneIn, Role
from commonground.domain.notices import check_timing
from commonground.domain.permissions import Permission
from commonground.domain.policy import Purpose
from commonground.domain.targets import Side
from commonground.domain.views import ConflictView, OperationView
from commonground.service import deconfliction, notices, remote_conflicts
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache, side_getter
from commonground.service.events import EventKind, emit
from commonground.service.ports import Clock, OperationFilter, Page, Store, Transaction
from commonground.service.principal import Principal
from commonground.service.sensitive_places import DEFAULT_WITHIN_M, places_near
from commonground.service.subjects import normalise_subject, remember_restriction


def _entered(op: Operation) -> dict[str, Any]:
    """Return what the audit record of an entry says of how it was entered: late, phoned in, or nothing."""
    out: dict[str, Any] = {}
    if op.exigent_reason is not None:
        out["exigent"] = True
    if op.phone_in is not None:
        out["on_behalf_of"] = op.agency_id
        out["caller_name"] = op.phone_in.caller_name
    return out


def conflict_views(
    who: Principal,
    conflicts: list[Conflict],
    agency_of: Callable[[str], Agency],
    operation_of: Callable[[str], Side | None],
    now: datetime | None = None,
) -> list[ConflictView]:
    """Return each conflict as ``who``'s side sees it, through the disclosure function.

    ``operation_of`` finds a side by id: an operation or a case target (``deconfliction.side_getter``)."""
    views = []
    for conflict in conflicts:
        a, b = operation_of(conflict.operation_a), operation_of(conflict.operation_b)
        if a is None or b is None:
            continue
        yours, theirs = (a, b) if a.agency_id == who.agency.id else (b, a)
        if theirs.agency_id == who.agency.id and theirs.created_by == who.user.id:
            yours, theirs = theirs, yours  # one agency's two operations: "yours" is the one you entered
        views.append(disclose_conflict(conflict, yours, theirs, agency_of(theirs.agency_id), who.viewer, now))
    return views


@dataclass
class Operations:
    store: Store
    clock: Clock
    parse_subject: SubjectParser = normalise_subject
    max_vertices: int = MAX_VERTICES
    max_area_km2: float = MAX_AREA_KM2
    sensitive_place_m: float = DEFAULT_WITHIN_M  # COMMONGROUND_SENSITIVE_PLACE_M

    def acting_for(self, who: Principal, data: Mapping[str, Any]) -> Principal:
        """Return who enters the operation ``data`` describes: the caller, or for a phone-in its agency.

        Only the watch center enters for another agency (``on_behalf_of``); it then acts as a member of
        that agency for the check, the notices and the federation probes.
        """
        raw = data.get("on_behalf_of")
        if raw is None:
            return who
        if not who.may(Permission.WATCH_CENTER):
            raise NotPermitted("only the watch center enters an operation on behalf of another agency")
        agency_id, _ = parse_phone_in(raw if isinstance(raw, Mapping) else {}, who.user.id)
        with self.store.read() as tx:
            agency = tx.agencies.get(agency_id)
        if agency is None:
            raise InvalidInput("on_behalf_of.agency_id", "no such agency")
        return replace(who, agency=agency)

    def _entry(self, who: Principal, data: Mapping[str, Any]) -> PhoneIn | None:
        """Check that ``who`` may enter ``data``; return who phoned it in, for a watch entry."""
        raw = data.get("on_behalf_of")
        if raw is None:
            if not who.may(Permission.ENTER_OPERATIONS):
                raise NotPermitted("only officers and supervisors enter operations")
            return None
        if not who.may(Permission.WATCH_CENTER):
            raise NotPermitted("only the watch center enters an operation on behalf of another agency")
        agency_id, phone_in = parse_phone_in(raw if isinstance(raw, Mapping) else {}, who.user.id)
        if agency_id != who.agency.id:
            raise InvalidInput("on_behalf_of.agency_id", "enter it as the agency it names (Operations.acting_for)")
        return phone_in

    def submit(self, who: Principal, data: Mapping[str, Any]) -> tuple[OperationView, list[ConflictView]]:
        """Store an operation and every conflict it has, atomically; return both as views.

        For a phone-in, ``who`` is what ``acting_for`` returned: the watch user as a member of the caller's agency.
        """
        _, view, conflicts = self.enter(who, data)
        return view, conflicts

    def enter(self, who: Principal, data: Mapping[str, Any]) -> tuple[Operation, OperationView, list[ConflictView]]:
        """``submit``, with the operation as stored: the federation probe is built from it without reading it back."""
        phone_in = self._entry(who, data)
        draft = parse_draft(data, self.parse_subject, self.max_vertices, self.max_area_km2)
        exigent_reason = parse_exigent(data)
        now = self.clock.now()
        check_start(draft.window, now, exigent_reason)
        check_timing(draft.notice or who.agency.policy.default_notice, who.agency)
        op = Operation(
            **{**draft_fields(draft), "notice": draft.notice or who.agency.policy.default_notice},
            id=new_id(),
            agency_id=who.agency.id,
            status=OperationStatus.PLANNED,
            version=1,
            created_by=who.user.id,
            created_at=now,
            updated_at=now,
            exigent_reason=exigent_reason,
            phone_in=phone_in,
        )
        with self.store.write() as tx:
            agencies = AgencyCache(tx, who.agency)
            # The actor's own agency, not the one a phone-in acts for.
            actor = replace(
                who.entry(Action.OPERATION_CREATE, object_type="operation", object_id=op.id),
                actor_agency_id=who.user.agency_id,
                details=_entered(op) or None,
            )
            tx.operations.add(op)
            result = deconfliction.check(tx, op, agencies, now, actor, new=True)
            notices.track(tx, op, now, new=True)
            places = places_near(tx, op, self.sensitive_place_m)
            tx.audit.append(replace(actor, details={**(actor.details or {}), "conflicts": len(result.conflicts)}), now)
            involved = {who.agency.id} | {other.agency_id for other in result.others.values()}
            owners = {agency_id: agencies(agency_id) for agency_id in involved}
        # Views are built after the commit, outside the one-writer section: everything they
        # need is in hand, and other writers need not wait for it.
        known = {op.id: op, **result.others}
        views = conflict_views(who, result.conflicts, owners.__getitem__, known.get, now)
        own = disclose_operation(op, who.agency, who.viewer, Context.DIRECT, now=now)
        return op, replace(own, sensitive_places=tuple(places)), views

    def _owned(self, tx: Transaction, who: Principal, operation_id: str, *, edit: bool) -> Operation:
        op = tx.operations.get(operation_id)
        if op is None or op.agency_id != who.agency.id:
            raise NotFound("no such operation")
        if edit and not (who.has(Role.SUPERVISOR) or (who.has(Role.OFFICER) and op.created_by == who.user.id)):
            raise NotPermitted("officers change only their own operations; supervisors any of the agency's")
        if edit and op.purged_at is not None:
            raise StateConflict("the operation's details were purged (retention); it no longer changes")
        return op

    def update(
        self, who: Principal, operation_id: str, patch: Mapping[str, Any], if_match: int | None
    ) -> tuple[OperationView, list[ConflictView]]:
        now = self.clock.now()
        with self.store.write() as tx:
            op = self._owned(tx, who, operation_id, edit=True)
            if if_match is None or if_match != op.version:
                raise StaleVersion(
                    f"the operation is at version {op.version}; reload and try again", details={"version": op.version}
                )
            if not op.status.is_live:
                raise StateConflict(f"a {op.status.value} operation cannot be changed")
            draft = merge_patch(op, patch, self.parse_subject, self.max_vertices, self.max_area_km2)
            if draft.window.starts_at != op.window.starts_at:
                check_start(draft.window, now, op.exigent_reason)
            restricting = self._restricting(tx, op, who.agency.missions)
            op = replace(op, restricted_by=op.restricted_by | {a.id for a, _ in restricting})
            if draft.notice is not None and draft.notice != op.notice:
                check_timing(draft.notice, who.agency)
            changed = with_draft(op, draft, version=op.version + 1, updated_at=now)
            tx.operations.update(changed)
            agencies = AgencyCache(tx, who.agency)
            actor = who.entry(Action.OPERATION_UPDATE, object_type="operation", object_id=op.id)
            recheck = (op.case_number, op.subjects, op.purpose) != (
                changed.case_number,
                changed.subjects,
                changed.purpose,
            )
            if moved(op, draft) or recheck:
                result = deconfliction.check(tx, changed, agencies, now, actor)
                conflicts = result.conflicts
                notices.track(tx, changed, now)
            else:
                conflicts = [c for c in tx.conflicts.of_operation(op.id) if not c.status.is_closed]
                if (op.contact, op.team) != (changed.contact, changed.team):
                    notices.track(tx, changed, now)  # how to reach the team, or what it looks like: hosts hear it
            tx.audit.append(replace(actor, details={"fields": sorted(patch), "version": changed.version}), now)
            if changed.purpose != op.purpose:
                self._tell_purpose_change(tx, who, op, changed, restricting, now)
            live = [c for c in conflicts if not c.status.is_closed]
            views = conflict_views(who, live, agencies, side_getter(tx), now)
            own = disclose_operation(changed, who.agency, who.viewer, Context.DIRECT, now=now)
            own = replace(own, sensitive_places=tuple(places_near(tx, changed, self.sensitive_place_m)))
        return own, views

    @staticmethod
    def _restricting(tx: Transaction, op: Operation, missions: frozenset[Purpose]) -> list[tuple[Agency, Conflict]]:
        """Return each agency in open conflict with ``op`` that restricts it (with one such conflict).

        ``missions``: those of ``op``'s agency.

        Each restriction is remembered first, so a purpose change that follows releases nothing.
        """
        found: dict[str, tuple[Agency, Conflict]] = {}
        for conflict in tx.conflicts.of_operation(op.id):
            other_agency = conflict.agency_b if conflict.operation_a == op.id else conflict.agency_a
            if conflict.status.is_closed or other_agency == op.agency_id or other_agency in found:
                continue
            owner = tx.agencies.get(other_agency)
            if owner is not None and restricted_towards(owner, op, missions):
                remember_restriction(tx, op, owner, missions)
                found[owner.id] = (owner, conflict)
        return list(found.values())

    @staticmethod
    def _tell_purpose_change(
        tx: Transaction,
        who: Principal,
        before: Operation,
        after: Operation,
        restricting: list[tuple[Agency, Conflict]],
        now: datetime,
    ) -> None:
        """Audit a purpose change that a restricting agency must hear of, and tell that agency."""
        for owner, conflict in restricting:
            change = {"old": before.purpose.value, "new": after.purpose.value}
            tx.audit.append(
                who.entry(
                    Action.OPERATION_PURPOSE_CHANGE,
                    object_type="operation",
                    object_id=after.id,
                    restricting_agency=owner.id,
                    **change,
                ),
                now,
            )
            details = {**change, "operation_id": after.id, "by_agency": who.agency.name, "by_ori": who.agency.ori}
            emit(tx, EventKind.PURPOSE_CHANGED, conflict.id, now, agency_id=owner.id, details=details)

    def finish(
        self, who: Principal, operation_id: str, status: OperationStatus, after: Mapping[str, Any] | None = None
    ) -> OperationView:
        """Cancel or complete; the operation's open conflicts close with it. A completion may say how it
        went (``after``: domain/after_action.py); nothing of it is required."""
        now = self.clock.now()
        action = Action.OPERATION_CANCEL if status is OperationStatus.CANCELLED else Action.OPERATION_COMPLETE
        after_action = parse_after_action(after)
        with self.store.write() as tx:
            op = self._owned(tx, who, operation_id, edit=True)
            if not op.status.is_live:
                raise StateConflict(f"the operation is already {op.status.value}")
            for i, met in enumerate(after_action.encounters if after_action else ()):
                if met.with_agency_id is not None and tx.agencies.get(met.with_agency_id) is None:
                    raise InvalidInput(f"encounters.{i}.with_agency_id", "no such agency")
            done = replace(
                op, status=status, version=op.version + 1, updated_at=now, after_action=after_action or op.after_action
            )
            tx.operations.update(done)
            actor = who.entry(action, object_type="operation", object_id=op.id)
            if after_action is not None:  # the outcome and the kinds met, counted; never the words
                ended = {
                    "outcome_given": after_action.outcome.value,
                    "encounters": [e.kind.value for e in after_action.encounters],
                }
                actor = replace(actor, details={**(actor.details or {}), **ended})
            deconfliction.close_all(tx, done, now, actor, f"operation {status.value}")
            remote_conflicts.close_for(tx, done, now, actor, f"operation {status.value}")
            notices.track(tx, done, now)
            tx.audit.append(actor, now)
        return disclose_operation(done, who.agency, who.viewer, Context.DIRECT, now=now)

    def get(self, who: Principal, operation_id: str) -> OperationView:
        """Own agency's operation in full; another's only through a conflict, as policy allows."""
        now = self.clock.now()
        with self.store.read() as tx:
            op = tx.operations.get(operation_id)
            if op is None:
                raise NotFound("no such operation")
            if op.agency_id == who.agency.id and who.may(Permission.AGENCY_OPERATIONS):
                own = disclose_operation(op, who.agency, who.viewer, Context.DIRECT, now=now)
                return replace(own, sensitive_places=tuple(places_near(tx, op, self.sensitive_place_m)))
            view = self._through_conflict(tx, who, op, now)
        if view is None:
            raise NotFound("no such operation")
        with self.store.write() as tx:
            tx.audit.append(
                who.entry(
                    Action.OPERATION_READ_OTHER,
                    object_type="operation",
                    object_id=op.id,
                    owner_agency=op.agency_id,
                    level=view.level_disclosed.value,
                ),
                now,
            )
        return view

    def _through_conflict(self, tx: Transaction, who: Principal, op: Operation, now: datetime) -> OperationView | None:
        owner = tx.agencies.get(op.agency_id)
        if owner is None:
            return None
        conflicts = tx.conflicts.of_operation(op.id)
        if who.has(Role.WATCH) and conflicts:
            return disclose_operation(op, owner, who.viewer, Context.WATCH, now=now)
        if not who.may(Permission.ENTER_OPERATIONS):
            return None
        best: OperationView | None = None
        side = side_getter(tx)  # the caller's side may be a case target
        for conflict in conflicts:
            mine = side(conflict.other_operation(op.id))
            if mine is None or mine.agency_id != who.agency.id:
                continue
            view = disclose_operation(
                op,
                owner,
                who.viewer,
                Context.CONFLICT,
                viewer_purpose=mine.purpose,
                viewer_restricted=restricted_towards(owner, mine, who.agency.missions),
                now=now,
            )
            # Several conflicts may disclose differently; the most restrictive wins.
            if best is None or view.level_disclosed.rank < best.level_disclosed.rank:
                best = view
        return best

    def list(self, who: Principal, where: OperationFilter, limit: int, after: str | None) -> Page[OperationView]:
        if not who.may(Permission.AGENCY_OPERATIONS):
            raise NotPermitted("only the agency's own members list its operations")
        now = self.clock.now()
        with self.store.read() as tx:
            page = tx.operations.page(replace(where, agency_id=who.agency.id, now=now), limit, after)
        viewer: Viewer = who.viewer
        views = [disclose_operation(op, who.agency, viewer, Context.DIRECT, now=now) for op in page.items]
        return Page(views, page.next)

    def overdue(self, who: Principal, limit: int, after: str | None) -> Page[OperationView]:
        """Every agency's operations past their end and neither completed nor cancelled, for the watch to chase."""
        if not who.may(Permission.WATCH_CENTER):
            raise NotPermitted("only the watch center lists every agency's overdue operations")
        now = self.clock.now()
        with self.store.read() as tx:
            page = tx.operations.page(OperationFilter(None, status=OperationStatus.OVERDUE, now=now), limit, after)
            agencies = AgencyCache(tx)
            views = [
                disclose_operation(op, agencies(op.agency_id), who.viewer, Context.WATCH, now=now) for op in page.items
            ]
        if views:
            with self.store.write() as tx:
                ids = [v.id for v in views]
                tx.audit.append(who.entry(Action.OPERATION_OVERDUE_READ, object_type="operation", operations=ids), now)
        return Page(views, page.next)

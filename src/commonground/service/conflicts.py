"""Use-cases for conflicts: see them from one's own side, acknowledge, resolve, dismiss."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from commonground.audit.tags import Action
from commonground.domain.conflict_status import PeerState
from commonground.domain.disclosure import disclose_conflict_to_watch
from commonground.domain.drafts import text
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StateConflict
from commonground.domain.model import (
    Acknowledgement,
    Conflict,
    ConflictOutcome,
    ConflictStatus,
    ContactAttempt,
    ContactMethod,
    Ownership,
    Role,
)
from commonground.domain.permissions import Permission
from commonground.domain.policy import parse_enum
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.domain.targets import Side
from commonground.domain.views import AnyConflictView
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache, side_getter
from commonground.service.deliveries import DeliveryEntry, delivery_log
from commonground.service.events import EventKind, emit, emit_conflict
from commonground.service.operations import conflict_views
from commonground.service.ports import Clock, ConflictFilter, Page, Store, Transaction
from commonground.service.principal import Principal
from commonground.service.remote_conflicts import tell_peer


@dataclass
class Conflicts:
    store: Store
    clock: Clock

    def _visible(self, tx: Transaction, who: Principal, conflict: Conflict) -> bool:
        if who.has(Role.WATCH):
            return True
        if who.agency.id not in (conflict.agency_a, conflict.agency_b):
            return False
        if who.has(Role.SUPERVISOR):
            return True
        if who.has(Role.OFFICER):
            side = side_getter(tx)
            return any(
                (op := side(op_id)) is not None and op.created_by == who.user.id
                for op_id in (conflict.operation_a, conflict.operation_b)
            )
        return False

    def _views(self, tx: Transaction, who: Principal, conflicts: list[Conflict]) -> list[AnyConflictView]:
        agencies = AgencyCache(tx)
        now = self.clock.now()
        mine = [c for c in conflicts if who.agency.id in (c.agency_a, c.agency_b) and not who.has(Role.WATCH)]
        if len(mine) == len(conflicts):
            return list(conflict_views(who, conflicts, agencies, side_getter(tx), now))
        views: list[AnyConflictView] = []
        side = side_getter(tx)
        for conflict in conflicts:
            sides = []
            for op_id in (conflict.operation_a, conflict.operation_b):
                op = side(op_id)
                assert op is not None
                sides.append((op, agencies(op.agency_id)))
            contacts = tuple(tx.conflicts.contacts(conflict.id))
            views.append(disclose_conflict_to_watch(conflict, (sides[0], sides[1]), who.viewer, now, contacts))
        return views

    def _audit_read(self, who: Principal, ids: list[str]) -> None:
        if not ids:
            return
        with self.store.write() as tx:
            tx.audit.append(who.entry(Action.CONFLICT_READ, object_type="conflict", conflicts=ids), self.clock.now())

    def list(
        self, who: Principal, status: ConflictStatus | None, limit: int, after: str | None
    ) -> Page[AnyConflictView]:
        if who.has(Role.WATCH):
            where = ConflictFilter(status=status)
        elif who.has(Role.SUPERVISOR):
            where = ConflictFilter(agency_id=who.agency.id, status=status)
        elif who.has(Role.OFFICER):
            where = ConflictFilter(agency_id=who.agency.id, operation_created_by=who.user.id, status=status)
        else:
            raise NotPermitted("this role does not see conflicts")
        with self.store.read() as tx:
            page = tx.conflicts.page(where, limit, after)
            views = self._views(tx, who, list(page.items))
        self._audit_read(who, [v.id for v in views])
        return Page(views, page.next)

    def remote(self, who: Principal, status: ConflictStatus | None, limit: int) -> Sequence[RemoteConflict]:
        """Conflicts with peer installations' operations the caller may see, newest first."""
        with self.store.read() as tx:
            found = tx.remote_conflicts.listing(None if who.has(Role.WATCH) else who.agency.id, status, limit)
            seen = [c for c in found if self._remote_visible(tx, who, c)]
        self._audit_read(who, [c.id for c in seen])
        return seen

    def _remote_visible(self, tx: Transaction, who: Principal, conflict: RemoteConflict) -> bool:
        if who.has(Role.WATCH) or (who.agency.id == conflict.agency_id and who.has(Role.SUPERVISOR)):
            return True
        if who.agency.id == conflict.agency_id and who.has(Role.OFFICER):
            op = tx.operations.get(conflict.operation_id)
            return op is not None and op.created_by == who.user.id
        return False

    def get_remote(self, who: Principal, conflict_id: str) -> RemoteConflict | None:
        """One conflict with a peer's operation, or None when there is none the caller may see."""
        with self.store.read() as tx:
            found = tx.remote_conflicts.get(conflict_id)
            if found is None or not self._remote_visible(tx, who, found):
                return None
        self._audit_read(who, [conflict_id])
        return found

    def get(self, who: Principal, conflict_id: str) -> tuple[AnyConflictView, Sequence[DeliveryEntry]]:
        with self.store.read() as tx:
            conflict = tx.conflicts.get(conflict_id)
            if conflict is None or not self._visible(tx, who, conflict):
                raise NotFound("no such conflict")
            view = self._views(tx, who, [conflict])[0]
            deliveries = delivery_log(tx, who, conflict)  # who was told, when, how
        self._audit_read(who, [conflict_id])
        return view, deliveries

    def acknowledge(
        self, who: Principal, conflict_id: str, body: Mapping[str, object]
    ) -> AnyConflictView | RemoteConflict:
        """Record that a side has seen the conflict; the watch center may act for a side."""
        now = self.clock.now()
        with self.store.write() as tx:
            remote = self._remote_workable(tx, who, conflict_id)
            if remote is not None:
                return self._acknowledge_remote(tx, who, remote, body)
            conflict = self._workable(tx, who, conflict_id)
            side_op = self._side(tx, who, conflict, body)
            side = conflict.side_of(side_op.id)
            ack = Acknowledgement(now, who.user.id, on_behalf=side_op.agency_id != who.agency.id)
            acked = replace(conflict, ack_a=ack) if side == "a" else replace(conflict, ack_b=ack)
            if acked.ack_a and acked.ack_b:
                acked = replace(acked, status=ConflictStatus.ACKNOWLEDGED)
            tx.conflicts.update(acked)
            emit_conflict(tx, EventKind.CONFLICT_UPDATED, acked, now)
            tx.audit.append(
                who.entry(
                    Action.CONFLICT_ACK,
                    object_type="conflict",
                    object_id=conflict.id,
                    side=side_op.id,
                    on_behalf=ack.on_behalf,
                ),
                now,
            )
            return self._views(tx, who, [acked])[0]

    def close(
        self, who: Principal, conflict_id: str, body: Mapping[str, object], status: ConflictStatus
    ) -> AnyConflictView | RemoteConflict:
        """Resolve or dismiss with a note; supervisors of either side or the watch center."""
        note = text(body, "note", "note", required=True, limit=2000, multiline=True)
        if not who.may(Permission.RESOLVE_CONFLICTS):
            raise NotPermitted("supervisors and the watch center resolve conflicts")
        # v1 clients send no outcome: a resolution without one counts as ``other``.
        outcome = (
            parse_enum(ConflictOutcome, body.get("outcome") or "other", "outcome")
            if status is ConflictStatus.RESOLVED
            else None
        )
        now = self.clock.now()
        with self.store.write() as tx:
            remote = self._remote_workable(tx, who, conflict_id)
            if remote is not None:
                closed = replace(remote, status=status, closed_at=now, closed_by=who.user.id, note=note)
                self._remote_changed(tx, who, closed, Action.CONFLICT_RESOLVE, {"status": status.value})
                tell_peer(tx, closed, PeerState(status.value), now, note=note)
                return closed
            conflict = self._workable(tx, who, conflict_id)
            done = replace(conflict, status=status, closed_at=now, closed_by=who.user.id, note=note, outcome=outcome)
            tx.conflicts.update(done)
            emit_conflict(tx, EventKind.CONFLICT_UPDATED, done, now)
            details = {"status": status.value, **({"outcome": outcome.value} if outcome else {})}
            entry = who.entry(Action.CONFLICT_RESOLVE, object_type="conflict", object_id=conflict.id)
            tx.audit.append(replace(entry, details=details), now)
            return self._views(tx, who, [done])[0]

    def assign(self, who: Principal, conflict_id: str, body: Mapping[str, object]) -> AnyConflictView:
        """Make a watch user (the caller by default) the conflict's owner; both sides see who handles it."""
        if not who.may(Permission.WATCH_CENTER):
            raise NotPermitted("only the watch center takes ownership of a conflict")
        wanted = text(body, "user_id", "user_id", required=False, limit=36) or who.user.id
        now = self.clock.now()
        with self.store.write() as tx:
            user = tx.people.get(wanted)
            if user is None or not user.has(Role.WATCH) or not user.usable(now):
                raise InvalidInput("user_id", "must be an active watch center user")
            conflict = self._workable(tx, who, conflict_id)
            owned = replace(conflict, owner=Ownership(user.id, user.display_name, now))
            tx.conflicts.update(owned)
            emit_conflict(tx, EventKind.CONFLICT_UPDATED, owned, now)
            previous = conflict.owner.user_id if conflict.owner else None
            entry = who.entry(Action.CONFLICT_ASSIGN, object_type="conflict", object_id=conflict.id)
            tx.audit.append(replace(entry, details={"owner": user.id, "previous": previous}), now)
            return self._views(tx, who, [owned])[0]

    def contact(self, who: Principal, conflict_id: str, body: Mapping[str, object]) -> AnyConflictView:
        """Record an attempt by the watch to reach one side of a conflict, reached or not."""
        if not who.may(Permission.WATCH_CENTER):
            raise NotPermitted("only the watch center records contact attempts")
        side = body.get("side")
        if side not in ("a", "b"):
            raise InvalidInput("side", "must be a or b, as in the conflict's sides")
        method = parse_enum(ContactMethod, body.get("method"), "method")
        reached = body.get("reached")
        if not isinstance(reached, bool):
            raise InvalidInput("reached", "must be true or false")
        note = text(body, "note", "note", required=False, limit=2000, multiline=True)
        now = self.clock.now()
        with self.store.write() as tx:
            conflict = self._workable(tx, who, conflict_id)
            attempt = ContactAttempt(new_id(), conflict.id, str(side), method, reached, note, who.user.id, now)
            tx.conflicts.add_contact(attempt)
            details = {"side": attempt.side, "method": method.value, "reached": reached}
            entry = who.entry(Action.CONFLICT_CONTACT, object_type="conflict", object_id=conflict.id)
            tx.audit.append(replace(entry, details=details), now)
            return self._views(tx, who, [conflict])[0]

    # --- remote conflicts: this side's copy changes here, and the peer is told (tell_peer) ----
    def _remote_workable(self, tx: Transaction, who: Principal, conflict_id: str) -> RemoteConflict | None:
        if tx.conflicts.get(conflict_id) is not None:
            return None
        found = tx.remote_conflicts.get(conflict_id)
        if found is None or not self._remote_visible(tx, who, found):
            return None  # the local path answers 404
        if found.status.is_closed:
            raise StateConflict(f"the conflict is already {found.status.value}")
        return found

    def _acknowledge_remote(
        self, tx: Transaction, who: Principal, remote: RemoteConflict, body: Mapping[str, object]
    ) -> RemoteConflict:
        wanted = body.get("operation_id")
        if wanted is not None and wanted != remote.operation_id:
            raise InvalidInput("operation_id", "is not this installation's side of this conflict")
        ack = Acknowledgement(self.clock.now(), who.user.id, on_behalf=who.agency.id != remote.agency_id)
        both = remote.their_ack_at is not None  # the peer's side acknowledged first
        acked = replace(remote, ack=ack, status=ConflictStatus.ACKNOWLEDGED if both else remote.status)
        details: dict[str, object] = {"side": remote.operation_id, "on_behalf": ack.on_behalf}
        self._remote_changed(tx, who, acked, Action.CONFLICT_ACK, details)
        tell_peer(tx, acked, PeerState.ACKNOWLEDGED, ack.at)
        return acked

    def _remote_changed(
        self, tx: Transaction, who: Principal, changed: RemoteConflict, action: Action, details: dict[str, object]
    ) -> RemoteConflict:
        now = self.clock.now()
        tx.remote_conflicts.update(changed)
        emit(tx, EventKind.CONFLICT_UPDATED, changed.id, now, agency_id=changed.agency_id, for_watch=True)
        entry = who.entry(action, object_type="conflict", object_id=changed.id, installation=changed.installation)
        entry = replace(entry, details={**(entry.details or {}), **details})
        tx.audit.append(entry, now)
        return changed

    def _workable(self, tx: Transaction, who: Principal, conflict_id: str) -> Conflict:
        conflict = tx.conflicts.get(conflict_id)
        if conflict is None or not self._visible(tx, who, conflict):
            raise NotFound("no such conflict")
        if conflict.status.is_closed:
            raise StateConflict(f"the conflict is already {conflict.status.value}")
        return conflict

    def _side(self, tx: Transaction, who: Principal, conflict: Conflict, body: Mapping[str, object]) -> Side:
        side = side_getter(tx)
        ops = [side(conflict.operation_a), side(conflict.operation_b)]
        mine = [op for op in ops if op is not None and op.agency_id == who.agency.id]
        if who.has(Role.OFFICER) and not who.has(Role.SUPERVISOR):
            mine = [op for op in mine if op.created_by == who.user.id]
        wanted = body.get("operation_id")
        if wanted is not None:
            chosen = [op for op in ops if op is not None and op.id == wanted]
            if not chosen:
                raise InvalidInput("operation_id", "is not a side of this conflict")
            if chosen[0] in mine or who.has(Role.WATCH):
                return chosen[0]
            raise NotPermitted("you cannot acknowledge for that side")
        if len(mine) == 1:
            return mine[0]
        if len(mine) > 1:
            unacked = [op for op in mine if getattr(conflict, f"ack_{conflict.side_of(op.id)}") is None]
            return (unacked or mine)[0]
        raise InvalidInput("operation_id", "say which side you acknowledge for")

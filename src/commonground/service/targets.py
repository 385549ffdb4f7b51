"""Use-cases for case targets: register (with the subject check), list, read, delete; the owning agency only.

A target is checked by ``deconfliction.check`` as an operation is (subjects only), so its
conflicts are recorded, audited and told through the outbox as every other conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action
from commonground.domain.disclosure import Context, disclose_case
from commonground.domain.drafts import SubjectParser
from commonground.domain.errors import NotFound, NotPermitted
from commonground.domain.model import Role
from commonground.domain.permissions import Permission
from commonground.domain.targets import Target, parse_target
from commonground.domain.timewindow import isoformat
from commonground.domain.views import CaseView, ConflictView
from commonground.service import deconfliction
from commonground.service.clock import new_id
from commonground.service.deconfliction import AgencyCache
from commonground.service.operations import conflict_views
from commonground.service.ports import Clock, Page, Store, Transaction
from commonground.service.principal import Principal
from commonground.service.subjects import normalise_subject


@dataclass
class Targets:
    store: Store
    clock: Clock
    parse_subject: SubjectParser = normalise_subject

    @staticmethod
    def _allowed(who: Principal) -> None:
        if not who.may(Permission.CASE_TARGETS):
            raise NotPermitted("only officers and supervisors keep their agency's case targets")

    def register(self, who: Principal, data: Mapping[str, Any]) -> tuple[CaseView, list[ConflictView]]:
        """Store a target and every subject conflict it has, atomically; return both as views."""
        self._allowed(who)
        now = self.clock.now()
        case_number, purpose, subjects, contact, expires_at = parse_target(
            data, self.parse_subject, now, who.user, who.agency
        )
        target = Target(new_id(), who.agency.id, case_number, purpose, subjects, contact, who.user.id, now, expires_at)
        with self.store.write() as tx:
            agencies = AgencyCache(tx, who.agency)
            actor = who.entry(Action.TARGET_CREATE, object_type="target", object_id=target.id)
            tx.targets.add(target)
            result = deconfliction.check(tx, target, agencies, now, actor, new=True)
            details = {
                "case_number": Keyed(case_number),  # a case's number outlives the target in the log: hashed
                "subjects": len(subjects),
                "expires_at": isoformat(expires_at),
                "conflicts": len(result.conflicts),
            }
            tx.audit.append(replace(actor, details=details), now)
            owners = {a: agencies(a) for a in {who.agency.id} | {o.agency_id for o in result.others.values()}}
        known = {target.id: target, **result.others}
        views = conflict_views(who, result.conflicts, owners.__getitem__, known.get, now)
        return disclose_case(target, who.agency, who.viewer, Context.DIRECT), views

    def _owned(self, tx: Transaction, who: Principal, target_id: str) -> Target:
        """Return the agency's own target; another agency's answers as a missing one does."""
        found = tx.targets.get(target_id)
        if found is None or found.agency_id != who.agency.id or found.deleted_at is not None:
            raise NotFound("no such target")
        return found

    def get(self, who: Principal, target_id: str) -> CaseView:
        self._allowed(who)
        with self.store.read() as tx:
            target = self._owned(tx, who, target_id)
        return disclose_case(target, who.agency, who.viewer, Context.DIRECT)

    def list(self, who: Principal, limit: int, after: str | None) -> Page[CaseView]:
        """The agency's targets not deleted, newest first (expired ones too, until deleted)."""
        self._allowed(who)
        with self.store.read() as tx:
            page = tx.targets.page(who.agency.id, limit, after)
        return Page([disclose_case(t, who.agency, who.viewer, Context.DIRECT) for t in page.items], page.next)

    def delete(self, who: Principal, target_id: str) -> None:
        """Withdraw a target: it matches nothing from now on, and its open conflicts close."""
        self._allowed(who)
        now = self.clock.now()
        with self.store.write() as tx:
            target = self._owned(tx, who, target_id)
            if not who.has(Role.SUPERVISOR) and target.created_by != who.user.id:
                raise NotPermitted("officers delete only their own targets; supervisors any of the agency's")
            tx.targets.delete(target.id, now)
            tx.subjects.set_keys(target.id, ())
            tx.subjects.set_terms(target.id, {})
            actor = who.entry(Action.TARGET_DELETE, object_type="target", object_id=target.id)
            deconfliction.close_all(tx, target, now, actor, "case target deleted")
            tx.audit.append(replace(actor, details={"case_number": Keyed(target.case_number)}), now)

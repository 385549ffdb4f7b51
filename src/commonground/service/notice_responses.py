"""A host agency answers a jurisdiction notice; the operating agency hears the answer at once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from commonground.audit.tags import Action
from commonground.domain.disclosure import disclose_host_response, disclose_notice
from commonground.domain.errors import NotFound, NotPermitted
from commonground.domain.notice_responses import NoticeResponse, note_from, response_from
from commonground.domain.notices import NoticeStatus
from commonground.domain.permissions import Permission
from commonground.domain.views import HostResponseView, NoticeView
from commonground.service.events import EventKind, emit
from commonground.service.ports import Clock, Store, Transaction
from commonground.service.principal import Principal


def host_responses(tx: Transaction, who: Principal, operation_id: str) -> list[HostResponseView]:
    """The host agencies' answers about an operation, for its own agency; empty for anyone else."""
    op = tx.operations.get(operation_id)
    if op is None or op.agency_id != who.agency.id:
        return []
    views = []
    for answer in tx.notice_responses.of_operation(operation_id):
        host = tx.agencies.get(answer.agency_id)
        view = None if host is None else disclose_host_response(answer, op, host, who.viewer)
        if view is not None:
            views.append(view)
    return views


@dataclass
class NoticeResponses:
    store: Store
    clock: Clock

    def respond(self, who: Principal, notice_id: str, response: object, note: object = None) -> NoticeView:
        """Record the host agency's answer (a change replaces it, audited each time) and tell the operator."""
        if not who.may(Permission.RESPOND_NOTICES):
            raise NotPermitted("only a host agency's supervisors, dispatchers and administrators answer notices")
        kind, text = response_from(response), note_from(note)
        now = self.clock.now()
        with self.store.write() as tx:
            notice = tx.notices.get(notice_id)
            op = None if notice is None else tx.operations.get(notice.operation_id)
            owner = None if op is None else tx.agencies.get(op.agency_id)
            if notice is None or op is None or owner is None or notice.status is not NoticeStatus.SENT:
                raise NotFound("no such notice")
            if notice.agency_id != who.agency.id:
                if op.agency_id == who.agency.id:
                    raise NotPermitted("a notice is answered by the host agency, not by the operating agency")
                raise NotFound("no such notice")
            previous = tx.notice_responses.get(op.id, who.agency.id)
            answer = NoticeResponse(op.id, who.agency.id, notice.id, kind, text, who.user.id, now)
            tx.notice_responses.put(answer)
            tx.audit.append(
                who.entry(
                    Action.NOTICE_RESPOND,
                    object_type="notice",
                    object_id=notice.id,
                    operation_id=op.id,
                    owner_agency=op.agency_id,
                    response=kind.value,
                    previous=None if previous is None else previous.response.value,
                ),
                now,
            )
            details = {"notice_id": notice.id, "agency_id": who.agency.id, "response": kind.value}
            emit(tx, EventKind.NOTICE_RESPONDED, op.id, now, agency_id=op.agency_id, details=details)
            view = disclose_notice(notice, op, owner, who.viewer)
            return replace(view, response=disclose_host_response(answer, op, who.agency, who.viewer))

    def of_operation(self, who: Principal, operation_id: str) -> list[HostResponseView]:
        with self.store.read() as tx:
            return host_responses(tx, who, operation_id)

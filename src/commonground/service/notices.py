"""Jurisdiction notices over an operation's life: entry, update, exit, scheduled delivery."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from commonground.domain.disclosure import Viewer, disclose_host_response, disclose_notice
from commonground.domain.geometry import bounding_boxes
from commonground.domain.model import Operation
from commonground.domain.notices import Notice, NoticeKind, NoticeStatus, concerned, first_status, plan
from commonground.domain.policy import NoticeTiming
from commonground.domain.remote_notices import RemoteNotice, RemoteNoticeView
from commonground.domain.views import NoticeView
from commonground.service.clock import new_id
from commonground.service.events import EventKind, emit
from commonground.service.ports import Clock, Page, Store, Transaction
from commonground.service.principal import Principal
from commonground.service.sensitive_places import DEFAULT_WITHIN_M, places_near


def _send(tx: Transaction, notice: Notice, at: datetime) -> Notice:
    sent = replace(notice, status=NoticeStatus.SENT, sent_at=at)
    emit(
        tx,
        EventKind.NOTICE_CREATED,
        notice.id,
        at,
        agency_id=notice.agency_id,
        details={"kind": notice.kind.value, "operation_id": notice.operation_id},
    )
    return sent


def host_notice(tx: Transaction, notice: Notice, viewer: Viewer, within_m: float) -> NoticeView | None:
    """Return a notice as its host agency reads it anywhere (API, stream, webhook, e-mail), or None if gone.

    Disclosed at ``safety``, with the host's own answer once it gave one, and the sensitive places
    within ``within_m`` of the operation, which the view puts first."""
    op = tx.operations.get(notice.operation_id)
    owner = tx.agencies.get(op.agency_id) if op else None
    if op is None or owner is None:
        return None
    view = disclose_notice(notice, op, owner, viewer)
    answer = tx.notice_responses.get(op.id, notice.agency_id)
    host = tx.agencies.get(notice.agency_id) if answer is not None else None
    if answer is not None and host is not None:  # the host's own answer, so its card shows what it said
        view = replace(view, response=disclose_host_response(answer, op, host, viewer))
    return replace(view, sensitive_places=tuple(places_near(tx, op, within_m)))


def send_remote(tx: Transaction, notice: RemoteNotice, at: datetime) -> RemoteNotice:
    """Mark a notice of a peer's operation sent and tell its agency (stream, webhooks, e-mail)."""
    details = {
        "kind": notice.kind.value,
        "operation_id": notice.remote_operation_id,
        "installation": notice.installation,
    }
    emit(tx, EventKind.NOTICE_CREATED, notice.id, at, agency_id=notice.agency_id, details=details)
    return replace(notice, status=NoticeStatus.SENT, sent_at=at)


def _new(tx: Transaction, op: Operation, agency_id: str, kind: NoticeKind, status: NoticeStatus, at: datetime) -> None:
    due = op.window.starts_at if status is NoticeStatus.SCHEDULED else at
    notice = Notice(new_id(), op.id, agency_id, kind, status, due, None, at)
    if status is NoticeStatus.SENT:
        notice = _send(tx, replace(notice, status=NoticeStatus.SCHEDULED), at)
    tx.notices.add(notice)


def track(tx: Transaction, op: Operation, at: datetime, *, new: bool = False) -> None:
    """Bring the operation's notices in line with where and whether it now is.

    Agencies newly reached get an entry notice (sent, scheduled for the start, or withheld
    as the operation says); agencies it no longer reaches, or every agency once it is
    cancelled or completed, get an exit notice if they were told of it. ``new``: ``op`` was
    inserted in this transaction and has no notices yet.
    """
    timing = op.notice or NoticeTiming.AT_SUBMIT
    reached = set()
    if op.status.is_live:
        nearby = tx.agencies.with_jurisdiction_in(bounding_boxes(op.area))
        reached = {a.id for a in concerned(op, nearby)}
    todo = plan(reached, [] if new else tx.notices.of_operation(op.id))
    for agency_id in todo.enter:
        _new(tx, op, agency_id, NoticeKind.ENTRY, first_status(timing), at)
    for n in todo.reschedule:
        tx.notices.update(replace(n, due_at=op.window.starts_at))
    for agency_id in todo.update:
        _new(tx, op, agency_id, NoticeKind.UPDATE, NoticeStatus.SENT, at)
    for n in todo.cancel:
        tx.notices.update(replace(n, status=NoticeStatus.CANCELLED))
    for agency_id in todo.exit:
        _new(tx, op, agency_id, NoticeKind.EXIT, NoticeStatus.SENT, at)


@dataclass
class Notices:
    store: Store
    clock: Clock
    sensitive_place_m: float = DEFAULT_WITHIN_M  # COMMONGROUND_SENSITIVE_PLACE_M

    def deliver_due(self, limit: int = 500) -> int:
        """Send the notices whose operations have started; safe to run from any process."""
        now = self.clock.now()
        with self.store.write() as tx:
            due = tx.notices.due(now, limit)
            for notice in due:
                tx.notices.update(_send(tx, notice, now))
            remote = tx.remote_notices.due(now, limit)  # peers' operations, by the same rule
            for found in remote:
                tx.remote_notices.update(send_remote(tx, found, now))
        return len(due) + len(remote)

    def list(self, who: Principal, limit: int, after: str | None) -> Page[NoticeView | RemoteNoticeView]:
        """The caller's agency's notices, here and of peers' operations, newest first, at the safety level."""
        with self.store.read() as tx:
            page = tx.notices.page(who.agency.id, limit, after)
            remote = tx.remote_notices.page(who.agency.id, limit, after)
            merged: list[Notice | RemoteNotice] = sorted([*page.items, *remote.items], key=lambda n: n.id, reverse=True)
            more = len(merged) > limit or page.next is not None or remote.next is not None
            kept = merged[:limit]
            items: list[NoticeView | RemoteNoticeView] = []
            for notice in kept:
                if isinstance(notice, RemoteNotice):
                    items.append(RemoteNoticeView(notice))
                    continue
                view = host_notice(tx, notice, who.viewer, self.sensitive_place_m)
                if view is not None:
                    items.append(view)
        return Page(items, kept[-1].id if more and kept else None)

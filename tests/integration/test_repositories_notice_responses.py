"""Repository contract, host agencies' answers to notices, on SQLite and PostGIS."""

from __future__ import annotations

from datetime import timedelta

from commonground.domain.notice_responses import HostResponse, NoticeResponse
from commonground.domain.notices import NoticeStatus
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, notice, postgres_template, seed, store
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def answer(operation_id: str, agency_id: str, response: HostResponse, minutes: int = 0) -> NoticeResponse:
    at = (T0 + timedelta(minutes=minutes)).astimezone(CHICAGO)
    return NoticeResponse(operation_id, agency_id, f"notice-{agency_id}", response, "a note", "u-host", at)


@covers("notices.get")
def test_a_notice_is_read_back_by_its_id(store: Store) -> None:
    owner, host = factories.agency(created_at=T0), factories.agency(created_at=T0)
    op = factories.operation(owner)
    kept = notice(op, host.id, status=NoticeStatus.SENT)
    seed(store, owner, host, op, kept)
    with store.read() as tx:
        assert tx.notices.get(kept.id) == kept
        assert tx.notices.get("no-such-notice") is None


@covers("notice_responses.put", "notice_responses.get", "notice_responses.of_operation")
def test_one_answer_per_host_and_operation_a_second_replaces_it(store: Store) -> None:
    with store.write() as tx:
        tx.notice_responses.put(answer("op-1", "city", HostResponse.AWARE_NOT_ASSISTING))
        tx.notice_responses.put(answer("op-1", "county", HostResponse.ASSISTING, minutes=5))
        tx.notice_responses.put(answer("op-2", "city", HostResponse.REQUEST_CONTACT))
    with store.write() as tx:
        tx.notice_responses.put(answer("op-1", "city", HostResponse.STANDING_BY, minutes=10))
    with store.read() as tx:
        got = tx.notice_responses.get("op-1", "city")
        assert got is not None and got.response is HostResponse.STANDING_BY and is_utc(got.at)
        assert got.at == T0 + timedelta(minutes=10) and got.note == "a note" and got.by == "u-host"
        assert [(a.agency_id, a.response) for a in tx.notice_responses.of_operation("op-1")] == [
            ("county", HostResponse.ASSISTING),
            ("city", HostResponse.STANDING_BY),
        ]
        assert tx.notice_responses.get("op-1", "nobody") is None
        assert tx.notice_responses.of_operation("op-3") == []


@covers("notice_responses.counts")
def test_counts_are_per_host_and_current_response(store: Store) -> None:
    with store.write() as tx:
        tx.notice_responses.put(answer("op-1", "city", HostResponse.AWARE_NOT_ASSISTING))
        tx.notice_responses.put(answer("op-2", "city", HostResponse.AWARE_NOT_ASSISTING))
        tx.notice_responses.put(answer("op-3", "city", HostResponse.ASSISTING))
        tx.notice_responses.put(answer("op-1", "county", HostResponse.REQUEST_CONTACT))
        tx.notice_responses.put(answer("op-3", "city", HostResponse.AWARE_NOT_ASSISTING))  # changed its answer
    with store.read() as tx:
        assert sorted(tx.notice_responses.counts()) == [
            ("city", "aware_not_assisting", 3),
            ("county", "request_contact", 1),
        ]

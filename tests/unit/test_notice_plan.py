"""The one entry/update/exit rule, for local notices and those of peers' operations alike."""

from __future__ import annotations

from dataclasses import dataclass

from commonground.domain.notices import NoticeKind, NoticeStatus, plan


@dataclass(frozen=True)
class Kept:
    agency_id: str
    kind: NoticeKind
    status: NoticeStatus


def test_new_agencies_enter_told_ones_update_and_left_ones_exit_once() -> None:
    told_a = Kept("a", NoticeKind.ENTRY, NoticeStatus.SENT)
    waiting_b = Kept("b", NoticeKind.ENTRY, NoticeStatus.SCHEDULED)
    told_c = Kept("c", NoticeKind.ENTRY, NoticeStatus.SENT)
    gone_d = [Kept("d", NoticeKind.ENTRY, NoticeStatus.SENT), Kept("d", NoticeKind.EXIT, NoticeStatus.SENT)]
    waiting_e = Kept("e", NoticeKind.ENTRY, NoticeStatus.SCHEDULED)
    todo = plan({"a", "b", "new"}, [told_a, waiting_b, told_c, *gone_d, waiting_e])
    assert todo.enter == ["new"]
    assert todo.reschedule == [waiting_b] and todo.update == ["a"]
    assert todo.cancel == [waiting_e] and todo.exit == ["c"]  # d heard its exit already; e was never told


def test_an_operation_that_reaches_no_one_any_more_exits_everyone_told() -> None:
    kept = [Kept("a", NoticeKind.ENTRY, NoticeStatus.SENT), Kept("b", NoticeKind.ENTRY, NoticeStatus.WITHHELD)]
    todo = plan(set(), kept)
    assert (todo.enter, todo.update, todo.cancel, todo.exit) == ([], [], [], ["a"])

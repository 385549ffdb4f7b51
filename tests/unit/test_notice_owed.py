"""Which notice a peer is owed about an operation here, from where it now is and what the peer was told."""

from __future__ import annotations

import pytest

from commonground.domain.notices import NoticeKind
from commonground.domain.remote_notices import notice_due


@pytest.mark.parametrize(
    ("hosts", "told", "live", "withheld", "owed"),
    [
        (True, False, True, False, NoticeKind.ENTRY),  # first word to a hosting peer
        (True, True, True, False, NoticeKind.UPDATE),  # it moved, still inside
        (False, True, True, False, NoticeKind.EXIT),  # it moved out
        (True, True, False, False, NoticeKind.EXIT),  # cancelled or completed
        (True, True, True, True, NoticeKind.EXIT),  # notices now withheld: the peer hears only that it left
        (False, False, True, False, None),  # never told, not hosting: nothing
        (True, False, False, False, None),  # ended before the peer ever heard of it: nothing to take back
        (True, False, True, True, None),  # withheld from the start: nothing crosses
    ],
)
def test_the_notice_owed_follows_the_latest_state(
    hosts: bool, told: bool, live: bool, withheld: bool, owed: NoticeKind | None
) -> None:
    assert notice_due(hosts=hosts, told=told, live=live, withheld=withheld) is owed

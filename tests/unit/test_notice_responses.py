"""The host's answer to a notice: its vocabulary, its note, and who may see it."""

from __future__ import annotations

import pytest

from commonground.domain.disclosure import Viewer, disclose_host_response
from commonground.domain.errors import InvalidInput
from commonground.domain.model import Role
from commonground.domain.notice_responses import HostResponse, NoticeResponse, note_from, response_from
from tests.unit import factories
from tests.unit.factories import T0


def test_the_four_answers_are_read_and_anything_else_names_the_field() -> None:
    assert [response_from(r.value) for r in HostResponse] == list(HostResponse)
    with pytest.raises(InvalidInput) as raised:
        response_from("helping")
    assert raised.value.details[0]["field"] == "response" and "aware_not_assisting" in str(raised.value.details)


def test_a_note_is_plain_text_of_at_most_1000_characters_and_blank_is_none() -> None:
    assert note_from(None) is None and note_from("   ") is None
    assert note_from(" patrol told \n") == "patrol told"
    for bad in ("x" * 1001, "bell\x07", 5):
        with pytest.raises(InvalidInput) as raised:
            note_from(bad)
        assert raised.value.details[0]["field"] == "note"


def test_an_answer_is_shown_to_the_operator_and_the_host_only() -> None:
    owner, host, stranger = factories.agency(), factories.agency(), factories.agency()
    op = factories.operation(owner)
    given = NoticeResponse(op.id, host.id, "n-1", HostResponse.AWARE_NOT_ASSISTING, "no assistance", "u-1", T0)
    for viewer_agency in (owner, host):
        view = disclose_host_response(given, op, host, Viewer(viewer_agency.id, viewer_agency.level))
        assert view is not None and view.to_dict()["note"] == "no assistance"
        assert view.to_dict()["agency"] == {"name": host.name, "ori": host.ori, "level": host.level.value}
    assert disclose_host_response(given, op, host, Viewer(stranger.id, stranger.level)) is None
    assert disclose_host_response(given, op, host, Viewer(None, None, frozenset({Role.WATCH}))) is None

"""The case-target rules: what a registration takes, how long a target lives, which sides may match."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from commonground.domain.errors import InvalidInput
from commonground.domain.model import Contact, Role, User
from commonground.domain.policy import Purpose
from commonground.domain.targets import Target, a_year_after, may_match, parse_target
from commonground.notify.email import compose
from commonground.service.subjects import normalise_subject
from tests.unit.factories import T0, agency, operation

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
PLATE = {"kind": "vehicle", "plate": "abc 123", "state": "mn"}
USER = User("u1", "ag", "agent", "SA Rivera", frozenset({Role.OFFICER}), phone="+1 612 555 0199")


def parse(**data: object) -> tuple[object, ...]:
    body = {"case_number": "24-1", "subjects": [PLATE], "expires_at": "2027-09-01T00:00:00-05:00", **data}
    return parse_target(body, normalise_subject, NOW, USER, agency())


def test_a_registration_is_normalised_and_defaults_to_criminal_and_the_caller() -> None:
    case, purpose, subjects, contact, expires = parse()
    assert case == "24-1" and purpose is Purpose.CRIMINAL and contact == Contact("SA Rivera", "+1 612 555 0199")
    assert subjects == ({"kind": "vehicle", "plate": "ABC123", "state": "MN"},)
    assert expires == datetime(2027, 9, 1, 5, tzinfo=UTC)
    no_phone = parse_target(
        {"case_number": "1", "subjects": [PLATE], "expires_at": "2027-04-01T00:00:00Z"},
        normalise_subject,
        NOW,
        replace(USER, phone=None),
        agency(),
    )
    assert no_phone[3].phone == agency().duty_phone  # the agency's duty phone


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"expires_at": "2028-03-01T12:00:01Z"}, "expires_at"),  # a second past a year
        ({"expires_at": "2027-09-01T00:00:00"}, "expires_at"),  # no offset
        ({"expires_at": "2027-03-01T12:00:00Z"}, "expires_at"),  # not in the future
        ({"subjects": []}, "subjects"),
        ({"case_number": " "}, "case_number"),
        ({"purpose": "revenge"}, "purpose"),
        ({"contact": {"name": "X", "phone": "1"}}, "contact.phone"),
    ],
)
def test_refusals_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(**data)
    assert caught.value.field == field


def test_a_year_is_a_calendar_year_and_the_29th_of_february_becomes_the_28th() -> None:
    assert a_year_after(NOW) == datetime(2028, 3, 1, 12, tzinfo=UTC)
    assert parse(expires_at="2028-03-01T12:00:00Z")[4] == a_year_after(NOW)
    assert a_year_after(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2029, 2, 28, tzinfo=UTC)


def test_which_sides_may_match() -> None:
    feds, city = agency(), agency()
    case = Target(
        "t1", feds.id, "24-1", Purpose.CRIMINAL, (PLATE,), Contact("a", "123"), "u", T0, T0 + timedelta(days=9)
    )
    op = replace(operation(city), case_number="24-1")
    assert may_match(case, op) and may_match(op, case)  # across agencies, whatever the case number
    assert not may_match(case, case)
    own_op = replace(operation(feds), case_number="24 1")
    assert not may_match(case, own_op)  # one agency's one case
    assert may_match(case, replace(own_op, case_number="25-9")) and may_match(case, replace(own_op, case_number=None))
    assert not may_match(case, replace(case, id="t2", case_number="other"))  # one agency's two targets
    assert may_match(case, replace(case, id="t3", agency_id=city.id))
    assert case.live(T0) and not case.live(T0 + timedelta(days=9)) and not replace(case, deleted_at=T0).live(T0)


def test_an_email_of_a_conflict_with_a_case_names_its_agency_and_contact() -> None:
    case = {
        "id": "t1",
        "level_disclosed": "safety",
        "agency": {"name": "FBI Minneapolis", "ori": "MNFBI0000", "level": "federal"},
        "contact": {"name": "SA Rivera", "phone": "+1 612 555 0199", "radio": None},
        "expires_at": "2027-09-01T05:00:00.000Z",
    }
    side = {"id": "c1", "kind": "subject", "distance_m": None, "counterpart_case": case}
    watch = {"id": "c1", "kind": "subject", "distance_m": None, "sides": [{"acknowledged": None, "case": case}]}
    for data in (side, watch):
        subject, text, page = compose({"id": "e1", "event": "conflict.created", "data": data}, "America/Chicago")
        assert subject.startswith("Deconfliction") and "FBI Minneapolis (MNFBI0000)" in text
        assert "tel:+16125550199" in page
        assert "When: case target, matched until Wed 1 Sep 2027" in text

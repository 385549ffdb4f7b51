"""Subject parsing: every normalisation, and every refusal naming its exact field."""

from __future__ import annotations

import pytest

from commonground.domain.errors import InvalidInput
from commonground.domain.subjects import (
    AddressSubject,
    EmailSubject,
    OtherIdSubject,
    PersonSubject,
    PhoneSubject,
    VehicleSubject,
    parse_subject,
    subject_to_dict,
    vin_check_digit_ok,
)

VALID_VIN = "1M8GDM9AXKP042788"  # the classic check-digit example (X at position 9)


def parse(data: dict[str, object]) -> object:
    return parse_subject(data, "subjects.2")


def refused(data: dict[str, object]) -> str:
    with pytest.raises(InvalidInput) as info:
        parse_subject(data, "subjects.2")
    return info.value.field


def test_person_is_trimmed_and_keeps_display_form() -> None:
    p = parse(
        {
            "kind": "person",
            "first_name": "  José ",
            "last_name": "de la  Cruz",
            "aliases": ["Pepe Cruz"],
            "dob": "1980-02-29",
            "sex": "m",
        }
    )
    assert p == PersonSubject(
        first_name="José", last_name="de la Cruz", middle_name=None, aliases=("Pepe Cruz",), dob="1980-02-29", sex="M"
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "person"}, "subjects.2.last_name"),
        ({"kind": "person", "last_name": "Smith", "dob": "1980-02-30"}, "subjects.2.dob"),
        ({"kind": "person", "last_name": "Smith", "dob": "02/03/1980"}, "subjects.2.dob"),
        ({"kind": "person", "last_name": "Smith", "dob": "2999-01-01"}, "subjects.2.dob"),
        ({"kind": "person", "last_name": "Smith", "sex": "Q"}, "subjects.2.sex"),
        ({"kind": "person", "last_name": "Sm1th"}, "subjects.2.last_name"),
        ({"kind": "person", "last_name": 5}, "subjects.2.last_name"),
        ({"kind": "person", "last_name": "A", "first_name": "<b>"}, "subjects.2.first_name"),
        ({"kind": "person", "last_name": "A", "aliases": "Bob"}, "subjects.2.aliases"),
        ({"kind": "person", "last_name": "A", "aliases": ["ok", 3]}, "subjects.2.aliases.1"),
        ({"kind": "person", "last_name": "A", "aliases": ["ok", " "]}, "subjects.2.aliases.1"),
        ({"kind": "spaceship"}, "subjects.2.kind"),
        ({}, "subjects.2.kind"),
    ],
)
def test_person_and_kind_refusals_name_the_field(data: dict[str, object], field: str) -> None:
    assert refused(data) == field


def test_vehicle_plate_is_compacted_and_state_upper_cased() -> None:
    v = parse({"kind": "vehicle", "plate": "abc-123 ", "state": "tx"})
    assert v == VehicleSubject(plate="ABC123", state="TX", vin=None)


def test_vin_check_digit() -> None:
    assert vin_check_digit_ok(VALID_VIN)
    assert not vin_check_digit_ok("1M8GDM9A1KP042788")
    assert parse({"kind": "vehicle", "vin": VALID_VIN.lower()}) == VehicleSubject(vin=VALID_VIN)
    # Non-North-American VINs carry no check digit; only the alphabet is checked.
    assert parse({"kind": "vehicle", "vin": "WVWZZZ1JZXW000001"}) is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "vehicle"}, "subjects.2.plate"),
        ({"kind": "vehicle", "plate": "ABC123"}, "subjects.2.state"),
        ({"kind": "vehicle", "state": "TX"}, "subjects.2.plate"),
        ({"kind": "vehicle", "plate": "ABC123", "state": "ZZ"}, "subjects.2.state"),
        ({"kind": "vehicle", "plate": "ABCDEFGHIJ", "state": "TX"}, "subjects.2.plate"),
        ({"kind": "vehicle", "plate": "AB$1", "state": "TX"}, "subjects.2.plate"),
        ({"kind": "vehicle", "vin": "1M8GDM9A1KP042788"}, "subjects.2.vin"),
        ({"kind": "vehicle", "vin": "1M8GDM9AXKP04278"}, "subjects.2.vin"),
        ({"kind": "vehicle", "vin": "1M8GDM9AXKP04278O"}, "subjects.2.vin"),
    ],
)
def test_vehicle_refusals_name_the_field(data: dict[str, object], field: str) -> None:
    assert refused(data) == field


def test_phone_becomes_e164() -> None:
    assert parse({"kind": "phone", "number": "(202) 555-0143"}) == PhoneSubject("+12025550143")
    assert parse({"kind": "phone", "number": "+44 20 7946 0958"}) == PhoneSubject("+442079460958")
    assert parse({"kind": "phone", "number": "020 7946 0958", "region": "GB"}) == PhoneSubject("+442079460958")


@pytest.mark.parametrize("number", ["", "hello", "123", "+1 000 000 0000"])
def test_bad_phone_names_number(number: str) -> None:
    assert refused({"kind": "phone", "number": number}) == "subjects.2.number"


def test_address_is_usps_normalised() -> None:
    a = parse({"kind": "address", "address": "123 North Main Street Apt 4, Springfield, IL 62704"})
    assert a == AddressSubject(
        line1="123 N MAIN ST", line2="APT 4", city="SPRINGFIELD", state="IL", postal_code="62704"
    )
    b = parse(
        {
            "kind": "address",
            "line1": "123 n. main st.",
            "line2": "apartment 4",
            "city": "springfield",
            "state": "il",
            "postal_code": "62704",
        }
    )
    assert b == a


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "address", "address": "hello world"}, "subjects.2.address"),
        ({"kind": "address", "address": "123 Main St"}, "subjects.2.address"),
        ({"kind": "address"}, "subjects.2.line1"),
        ({"kind": "address", "line1": "123 Main St"}, "subjects.2.line1"),
    ],
)
def test_address_refusals_name_the_field(data: dict[str, object], field: str) -> None:
    assert refused(data) == field


def test_email_is_lower_cased() -> None:
    assert parse({"kind": "email", "email": " J.Doe@Example.COM "}) == EmailSubject("j.doe@example.com")


@pytest.mark.parametrize("email", ["", "nobody", "a@b", "a b@c.com", "a@@b.com", "a@-b.com"])
def test_bad_email_names_email(email: str) -> None:
    assert refused({"kind": "email", "email": email}) == "subjects.2.email"


def test_other_identifier_is_compacted() -> None:
    assert parse({"kind": "other", "id_kind": "FBI_Number", "value": "123 456-ab7"}) == (
        OtherIdSubject(id_kind="fbi_number", value="123456AB7")
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "other", "value": "123"}, "subjects.2.id_kind"),
        ({"kind": "other", "id_kind": "fbi number", "value": "123"}, "subjects.2.id_kind"),
        ({"kind": "other", "id_kind": "fbi"}, "subjects.2.value"),
        ({"kind": "other", "id_kind": "fbi", "value": "#"}, "subjects.2.value"),
    ],
)
def test_other_refusals_name_the_field(data: dict[str, object], field: str) -> None:
    assert refused(data) == field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "blinded", "scheme": "clk-v0", "value": "AAAA"}, "subjects.2.scheme"),
        ({"kind": "blinded", "scheme": "clk-v1"}, "subjects.2.value"),
        ({"kind": "blinded", "scheme": "clk-v1", "value": "not base64!"}, "subjects.2.value"),
        ({"kind": "blinded", "scheme": "clk-v1", "value": "AQAA"}, "subjects.2.value"),
    ],
)
def test_blinded_refusals_name_the_field(data: dict[str, object], field: str) -> None:
    assert refused(data) == field


@pytest.mark.parametrize(
    "data",
    [
        {
            "kind": "person",
            "first_name": "Ann",
            "middle_name": "Marie",
            "last_name": "Lee",
            "aliases": ["Annie Lee"],
            "dob": "1990-01-02",
            "sex": "F",
        },
        {"kind": "person", "last_name": "Lee"},
        {"kind": "vehicle", "plate": "ABC123", "state": "TX", "vin": VALID_VIN},
        {"kind": "phone", "number": "+12025550143"},
        {"kind": "address", "address": "1600 Pennsylvania Ave NW, Washington, DC 20500"},
        {"kind": "email", "email": "a@b.org"},
        {"kind": "other", "id_kind": "passport", "value": "X1234567"},
    ],
)
def test_subject_to_dict_round_trips(data: dict[str, object]) -> None:
    s = parse_subject(data, "s")
    assert parse_subject(subject_to_dict(s), "s") == s

"""Subjects: the people, vehicles, phones, addresses and identifiers an operation names.

``parse_subject`` turns a JSON-like dict into a frozen value with normalised fields and
raises ``InvalidInput`` naming the exact dotted field; ``subject_to_dict`` is its inverse.
The modules form a chain without cycles: ``kinds`` and ``container`` below ``parse``.
"""

from __future__ import annotations

from commonground.domain.subjects.kinds import (
    AddressSubject,
    BlindedSubject,
    EmailSubject,
    OtherIdSubject,
    PersonSubject,
    PhoneSubject,
    Subject,
    VehicleSubject,
)
from commonground.domain.subjects.parse import (
    CA_PROVINCES,
    MAX_ALIASES,
    MAX_NAME_LEN,
    PERSON_SEXES,
    PLATE_STATES,
    US_STATES,
    normalise_plate,
    normalise_plate_state,
    parse_subject,
    subject_to_dict,
    vin_check_digit_ok,
)

__all__ = [
    "CA_PROVINCES",
    "MAX_ALIASES",
    "MAX_NAME_LEN",
    "PERSON_SEXES",
    "PLATE_STATES",
    "US_STATES",
    "AddressSubject",
    "BlindedSubject",
    "EmailSubject",
    "OtherIdSubject",
    "PersonSubject",
    "PhoneSubject",
    "Subject",
    "VehicleSubject",
    "normalise_plate",
    "normalise_plate_state",
    "parse_subject",
    "subject_to_dict",
    "vin_check_digit_ok",
]

"""The subject kinds: frozen values with normalised fields, and their union ``Subject``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersonSubject:
    """A person as an operation describes them; names keep their display form."""

    first_name: str | None
    last_name: str | None
    middle_name: str | None = None
    aliases: tuple[str, ...] = ()
    dob: str | None = None
    sex: str | None = None
    kind: str = "person"


@dataclass(frozen=True, slots=True)
class VehicleSubject:
    """A vehicle known by plate and issuing state, by VIN, or both."""

    plate: str | None = None
    state: str | None = None
    vin: str | None = None
    kind: str = "vehicle"


@dataclass(frozen=True, slots=True)
class PhoneSubject:
    """A phone number in E.164 form."""

    number: str
    kind: str = "phone"


@dataclass(frozen=True, slots=True)
class AddressSubject:
    """A postal address in USPS-normalised upper-case components."""

    line1: str
    line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    kind: str = "address"


@dataclass(frozen=True, slots=True)
class EmailSubject:
    """An e-mail address, lower-cased."""

    email: str
    kind: str = "email"


@dataclass(frozen=True, slots=True)
class OtherIdSubject:
    """Any other identifier (FBI number, passport, ...): a kind and a compacted value."""

    id_kind: str
    value: str
    kind: str = "other"


@dataclass(frozen=True, slots=True)
class BlindedSubject:
    """A clk-v1 encoding made by an agency with a secret the server never holds.

    ``value`` is the canonical base64 container; the decoded parts live in ``container``.
    """

    scheme: str
    value: str
    kind: str = "blinded"


Subject = (
    PersonSubject | VehicleSubject | PhoneSubject | AddressSubject | EmailSubject | OtherIdSubject | BlindedSubject
)

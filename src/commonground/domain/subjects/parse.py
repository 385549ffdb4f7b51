"""Parse subjects from JSON-like dicts, normalising every field, and turn them back into dicts.

Errors name the exact dotted field (``InvalidInput``), so a client can point at the typo.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

import phonenumbers
from scourgify import normalize_address_record
from scourgify.exceptions import AddressNormalizationError

from commonground.domain.errors import InvalidInput
from commonground.domain.strings import plain
from commonground.domain.subjects.container import SCHEME, decode_container
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

PERSON_SEXES = frozenset({"M", "F", "X"})
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
CA_PROVINCES = frozenset(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"])
PLATE_STATES = US_STATES | CA_PROVINCES
MAX_NAME_LEN = 100
MAX_ALIASES = 20

_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_EMAIL_RE = re.compile(rf"^[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
_ID_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PLATE_RE = re.compile(r"^[A-Z0-9]{1,8}$")


def parse_subject(data: Mapping[str, object], field: str) -> Subject:
    """Return the normalised subject in ``data``; ``field`` prefixes error paths."""
    if not isinstance(data, Mapping):
        raise InvalidInput(field, "must be an object")
    kind = data.get("kind")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise InvalidInput(f"{field}.kind", f"must be one of {', '.join(sorted(_PARSERS))}")
    return parser(data, field)


def subject_to_dict(s: Subject) -> dict[str, object]:
    """Return a JSON-able dict that ``parse_subject`` turns back into ``s``."""
    if isinstance(s, PersonSubject):
        out: dict[str, object] = {
            "kind": "person",
            "first_name": s.first_name,
            "middle_name": s.middle_name,
            "last_name": s.last_name,
            "aliases": list(s.aliases),
            "dob": s.dob,
            "sex": s.sex,
        }
    elif isinstance(s, VehicleSubject):
        out = {"kind": "vehicle", "plate": s.plate, "state": s.state, "vin": s.vin}
    elif isinstance(s, PhoneSubject):
        out = {"kind": "phone", "number": s.number}
    elif isinstance(s, AddressSubject):
        out = {
            "kind": "address",
            "line1": s.line1,
            "line2": s.line2,
            "city": s.city,
            "state": s.state,
            "postal_code": s.postal_code,
        }
    elif isinstance(s, EmailSubject):
        out = {"kind": "email", "email": s.email}
    elif isinstance(s, OtherIdSubject):
        out = {"kind": "other", "id_kind": s.id_kind, "value": s.value}
    else:
        out = {"kind": "blinded", "scheme": s.scheme, "value": s.value}
    return {k: v for k, v in out.items() if v is not None}


def _opt_str(data: Mapping[str, object], key: str, field: str, max_len: int = 200) -> str | None:
    """Return a trimmed string or None; refuse non-strings so typos in clients surface."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field}.{key}", "must be a string")
    value = " ".join(plain(value, f"{field}.{key}", multiline=True).split())  # breaks fold to spaces
    if len(value) > max_len:
        raise InvalidInput(f"{field}.{key}", f"must be at most {max_len} characters")
    return value or None


def _clean_name(value: str | None, field: str) -> str | None:
    """Refuse names with digits or control characters: they are data-entry errors."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value)
    if not any(ch.isalpha() for ch in value):
        raise InvalidInput(field, "must contain a letter")
    for ch in value:
        if not (ch.isalpha() or ch in " -'.," or unicodedata.category(ch).startswith("M")):
            raise InvalidInput(field, f"must not contain {ch!r}")
    return value


def _parse_person(data: Mapping[str, object], field: str) -> PersonSubject:
    first = _clean_name(_opt_str(data, "first_name", field, MAX_NAME_LEN), f"{field}.first_name")
    middle = _clean_name(_opt_str(data, "middle_name", field, MAX_NAME_LEN), f"{field}.middle_name")
    last = _clean_name(_opt_str(data, "last_name", field, MAX_NAME_LEN), f"{field}.last_name")
    if first is None and last is None:
        raise InvalidInput(f"{field}.last_name", "a person needs a first or last name")
    raw_aliases = data.get("aliases") or []
    if not isinstance(raw_aliases, list | tuple):
        raise InvalidInput(f"{field}.aliases", "must be a list of strings")
    if len(raw_aliases) > MAX_ALIASES:
        raise InvalidInput(f"{field}.aliases", f"must have at most {MAX_ALIASES} entries")
    aliases: list[str] = []
    for i, alias in enumerate(raw_aliases):
        if not isinstance(alias, str):
            raise InvalidInput(f"{field}.aliases.{i}", "must be a string")
        cleaned = _clean_name(" ".join(alias.split()) or None, f"{field}.aliases.{i}")
        if cleaned is None:
            raise InvalidInput(f"{field}.aliases.{i}", "must not be empty")
        if len(cleaned) > MAX_NAME_LEN:
            raise InvalidInput(f"{field}.aliases.{i}", f"must be at most {MAX_NAME_LEN} characters")
        aliases.append(cleaned)
    dob = _parse_dob(_opt_str(data, "dob", field), f"{field}.dob")
    sex = _opt_str(data, "sex", field)
    if sex is not None:
        sex = sex.upper()
        if sex not in PERSON_SEXES:
            raise InvalidInput(f"{field}.sex", "must be M, F or X")
    return PersonSubject(first_name=first, last_name=last, middle_name=middle, aliases=tuple(aliases), dob=dob, sex=sex)


def _parse_dob(value: str | None, field: str) -> str | None:
    """Return an ISO date; refuse impossible and future dates rather than guess."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InvalidInput(field, "must be a date YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "is not a real date") from None
    if parsed.year < 1900 or parsed > datetime.now(UTC).date():
        raise InvalidInput(field, "must be between 1900-01-01 and today")
    return value


def vin_check_digit_ok(vin: str) -> bool:
    """Return whether position 9 of a North-American VIN is its check digit."""
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return vin[8] == ("X" if remainder == 10 else str(remainder))


def normalise_plate(plate: str, field: str) -> str:
    """Return a plate as kept and matched (``abc-123`` → ``ABC123``), or refuse it naming ``field``."""
    plate = re.sub(r"[\s\-·.]", "", plate).upper()
    if not _PLATE_RE.fullmatch(plate):
        raise InvalidInput(field, "must be 1-8 letters or digits")
    return plate


def normalise_plate_state(state: str, field: str) -> str:
    """Return a plate's issuing state or province upper-cased, or refuse it naming ``field``."""
    state = state.strip().upper()
    if state not in PLATE_STATES:
        raise InvalidInput(field, "must be a 2-letter US state or CA province")
    return state


def _parse_vehicle(data: Mapping[str, object], field: str) -> VehicleSubject:
    plate = _opt_str(data, "plate", field, 20)
    state = _opt_str(data, "state", field, 10)
    vin = _opt_str(data, "vin", field, 40)
    if plate is not None:
        plate = normalise_plate(plate, f"{field}.plate")
        if state is None:
            raise InvalidInput(f"{field}.state", "is required with a plate")
    if state is not None:
        state = normalise_plate_state(state, f"{field}.state")
        if plate is None:
            raise InvalidInput(f"{field}.plate", "is required with a state")
    if vin is not None:
        vin = re.sub(r"[\s\-]", "", vin).upper()
        if len(vin) != 17 or not all(ch in _VIN_VALUES for ch in vin):
            raise InvalidInput(f"{field}.vin", "must be 17 letters or digits without I, O or Q")
        if vin[0] in "12345" and not vin_check_digit_ok(vin):
            raise InvalidInput(f"{field}.vin", "check digit does not match")
    if plate is None and vin is None:
        raise InvalidInput(f"{field}.plate", "a vehicle needs a plate and state, or a VIN")
    return VehicleSubject(plate=plate, state=state, vin=vin)


def _parse_phone(data: Mapping[str, object], field: str) -> PhoneSubject:
    raw = _opt_str(data, "number", field, 40)
    region = _opt_str(data, "region", field, 2) or "US"
    if raw is None:
        raise InvalidInput(f"{field}.number", "is required")
    try:
        parsed = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"{field}.number", "is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"{field}.number", "is not a valid phone number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneSubject(number=e164)


def _parse_address(data: Mapping[str, object], field: str) -> AddressSubject:
    text = _opt_str(data, "address", field, 300)
    where = f"{field}.address"
    if text is None:
        line1 = _opt_str(data, "line1", field)
        if line1 is None:
            raise InvalidInput(f"{field}.line1", "is required (or give address as one string)")
        # scourgify's record form insists on city, state and ZIP; its one-line form does not.
        parts = [_opt_str(data, k, field) for k in ("line2", "city", "state", "postal_code")]
        line2, city, state, postal = parts
        text = ", ".join(
            x for x in (f"{line1} {line2 or ''}".strip(), city, f"{state or ''} {postal or ''}".strip()) if x
        )
        where = f"{field}.line1"
    source = text
    try:
        rec = normalize_address_record(source)
    except AddressNormalizationError as exc:
        reason = type(exc).__name__
        raise InvalidInput(where, f"could not be parsed as an address ({reason})") from None
    line1_n = rec.get("address_line_1")
    if not line1_n:
        raise InvalidInput(where, "has no street line")
    if not rec.get("postal_code") and not (rec.get("city") and rec.get("state")):
        raise InvalidInput(where, "needs a postal code, or a city and state")
    return AddressSubject(
        line1=line1_n,
        line2=rec.get("address_line_2") or None,
        city=rec.get("city") or None,
        state=rec.get("state") or None,
        postal_code=rec.get("postal_code") or None,
    )


def _parse_email(data: Mapping[str, object], field: str) -> EmailSubject:
    raw = _opt_str(data, "email", field, 254)
    if raw is None:
        raise InvalidInput(f"{field}.email", "is required")
    email = raw.strip().lower()
    if not _EMAIL_RE.fullmatch(email):
        raise InvalidInput(f"{field}.email", "is not an e-mail address")
    return EmailSubject(email=email)


def _parse_other(data: Mapping[str, object], field: str) -> OtherIdSubject:
    id_kind = _opt_str(data, "id_kind", field, 32)
    value = _opt_str(data, "value", field, 64)
    if id_kind is None:
        raise InvalidInput(f"{field}.id_kind", "is required")
    id_kind = id_kind.lower()
    if not _ID_KIND_RE.fullmatch(id_kind):
        raise InvalidInput(f"{field}.id_kind", "must be a lower-case slug (a-z, 0-9, _)")
    if value is None:
        raise InvalidInput(f"{field}.value", "is required")
    compact = re.sub(r"[\s\-./]", "", value).upper()
    if len(compact) < 2 or not compact.isalnum():
        raise InvalidInput(f"{field}.value", "must be at least 2 letters or digits")
    return OtherIdSubject(id_kind=id_kind, value=compact)


def _parse_blinded(data: Mapping[str, object], field: str) -> BlindedSubject:
    scheme = _opt_str(data, "scheme", field, 20)
    if scheme != SCHEME:
        raise InvalidInput(f"{field}.scheme", f"must be {SCHEME}")
    value = _opt_str(data, "value", field, 20_000)
    if value is None:
        raise InvalidInput(f"{field}.value", "is required")
    try:
        decode_container(value)
    except ValueError as exc:
        raise InvalidInput(f"{field}.value", f"is not a {SCHEME} encoding: {exc}") from None
    return BlindedSubject(scheme=scheme, value=value)


_PARSERS: dict[str, Callable[[Mapping[str, object], str], Subject]] = {
    "person": _parse_person,
    "vehicle": _parse_vehicle,
    "phone": _parse_phone,
    "address": _parse_address,
    "email": _parse_email,
    "other": _parse_other,
    "blinded": _parse_blinded,
}

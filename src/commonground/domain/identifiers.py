"""Exact identities and blocking keys of clear subjects: what a store indexes to find candidates."""

from __future__ import annotations

from commonground.domain.names import NICKNAMES, name_forms, soundex
from commonground.domain.subjects.kinds import (
    AddressSubject,
    EmailSubject,
    OtherIdSubject,
    PersonSubject,
    PhoneSubject,
    Subject,
    VehicleSubject,
)

# Birth years a DOB can have (intake refuses earlier ones); a person without a DOB is indexed
# under each. The upper end is far enough ahead that no re-index is needed for decades.
BIRTH_YEARS = range(1900, 2100)

_PLATE_FOLD = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "B": "8", "S": "5", "Z": "2"})


def fold_plate(plate: str) -> str:
    """Return the plate with look-alike characters folded (O/0, I/1, B/8, S/5, Z/2)."""
    return plate.upper().translate(_PLATE_FOLD)


def _address_ids(a: AddressSubject) -> set[str]:
    """Return exact identities of an address: street line with ZIP5, or with city and state."""
    base = f"{a.line1}|{a.line2 or ''}"
    ids = set()
    if a.postal_code:
        ids.add(f"{base}|z{a.postal_code[:5]}")
    if a.city and a.state:
        ids.add(f"{base}|c{a.city}|{a.state}")
    return ids


def exact_ids(s: Subject) -> set[str]:
    """Return the exact-identity strings of a non-person subject."""
    if isinstance(s, VehicleSubject):
        ids = {f"vin:{s.vin}"} if s.vin else set()
        if s.plate and s.state:
            ids.add(f"plate:{s.state}:{fold_plate(s.plate)}")
        return ids
    if isinstance(s, PhoneSubject):
        return {f"phone:{s.number}"}
    if isinstance(s, EmailSubject):
        return {f"email:{s.email}"}
    if isinstance(s, AddressSubject):
        return {f"addr:{i}" for i in _address_ids(s)}
    if isinstance(s, OtherIdSubject):
        return {f"other:{s.id_kind}:{s.value}"}
    return set()


def person_blocking_keys(p: PersonSubject) -> frozenset[str]:
    """Return person keys: canonical DOB; name-code pair with year, and with day+month.

    The canonical DOB sorts day and month, so a swap shares it (~70 people per key at 1M). A
    single DOB typo keeps either the year or the day+month, each paired with the unordered
    Soundex codes of a given and a family name (first/last swaps share keys). Without a DOB
    the exact full name, and the name codes with every possible birth year.
    """
    codes: set[tuple[str, str]] = set()
    keys: set[str] = set()
    for form in name_forms(p):
        firsts = form.first.split()
        first_codes = {soundex(t) for t in firsts} | {soundex(NICKNAMES.get(t, t)) for t in firsts}
        last_codes = {soundex(t) for t in form.last_tokens}
        if form.last:
            last_codes.add(soundex(form.last.replace(" ", "")))
        codes |= {(f, c) if f <= c else (c, f) for f in first_codes for c in last_codes if f and c}
        if form.first and form.last:
            first = form.first.replace(" ", "")
            exact = sorted((NICKNAMES.get(first, first), form.last.replace(" ", "")))
            keys.add(f"pn:{exact[0]}:{exact[1]}")
    if not p.dob:
        # A missing DOB could be any birth year: carrying the name-code key of every year lets
        # a person with a DOB and a mistyped name find this one (and it find them) through the
        # keys persons with a DOB already have, without widening their candidate sets.
        keys.update(f"py:{f}:{c}:{year}" for f, c in codes for year in BIRTH_YEARS)
        return frozenset(keys)
    year, month, day = p.dob[:4], p.dob[5:7], p.dob[8:10]
    month_day = "".join(sorted((month, day)))
    keys.add(f"pd:{year}{month_day}")
    for f, c in codes:
        keys.add(f"py:{f}:{c}:{year}")
        keys.add(f"pm:{f}:{c}:{month_day}")
    return frozenset(keys)


def clear_blocking_keys(subject: Subject) -> frozenset[str]:
    """Return the index keys of a clear subject (a blinded one carries its own tokens)."""
    if isinstance(subject, PersonSubject):
        return person_blocking_keys(subject)
    return frozenset(exact_ids(subject))

"""What any submitted text must be before it is kept: encodable as UTF-8, free of control characters."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from commonground.domain.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)


def one_of(kind: type[E], value: object, field: str) -> E:
    """Read an identifier of ``kind``, naming the values allowed when it is not one of them."""
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise InvalidInput(field, f"must be one of: {allowed}") from None


def encodable(value: str, field: str) -> str:
    """Return ``value``, or refuse it when it holds a lone surrogate (``"\\ud800"``).

    JSON may escape half of a UTF-16 pair on its own; such a string cannot be stored, sent or
    rendered, so it is refused where it enters, naming its field, rather than failing later.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(field, "must be valid Unicode text (it holds a lone surrogate)") from None
    return value


# C0 and C1 controls and DEL (Unicode category Cc), and the marks that reorder what follows
# them on screen (a name shown backwards, "Trojan source"); tab and line breaks kept apart.
_LINE_BREAKS = "\t\n\r"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_ONE_LINE = re.compile(f"[{_LINE_BREAKS}{_CONTROLS}]")
_MANY_LINES = re.compile(f"[{_CONTROLS}]")


def plain(value: str, field: str, *, multiline: bool = False) -> str:
    """Return ``value``, or refuse it when it holds a control character (tab and line breaks only if ``multiline``).

    A terminal escape, a NUL (which PostgreSQL cannot store) or a reordering mark shows one
    thing and keeps another; a title or a name is one line.
    """
    encodable(value, field)
    found = (_MANY_LINES if multiline else _ONE_LINE).search(value)
    if found is not None:
        raise InvalidInput(field, f"must not hold control characters (U+{ord(found.group()):04X} at {found.start()})")
    return value


_SERIAL = re.compile(r"[0-9]{1,18}")


def serial(value: str, field: str, message: str) -> int:
    """Return the row number a cursor or id spells, or refuse it naming ``field``.

    ASCII digits only: ``str.isdigit`` takes "³", which ``int`` refuses, and more than 18 digits
    overflow PostgreSQL's bigint, so either would be a 500 rather than a 422."""
    if not _SERIAL.fullmatch(value):
        raise InvalidInput(field, message)
    return int(value)

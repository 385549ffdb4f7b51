"""What any submitted text must be before it is kept: encodable as UTF-8."""

from __future__ import annotations

from commonground.domain.errors import InvalidInput


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

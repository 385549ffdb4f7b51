"""Operations as CSV rows, for agencies whose records live in spreadsheets and records systems.

A row becomes exactly the body ``POST /api/v1/operations`` takes, so the API's rules judge it; a
view becomes a flat row for an export, nested fields as dotted columns. Documented in
docs/operations.md ("CSV import and export").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from commonground.domain.errors import InvalidInput

# column → (where it goes in the API body, how it is read). Blank cells are left out.
TEXT, NUMBER, INTEGER = "text", "number", "integer"
COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "type": (("type",), TEXT),
    "purpose": (("purpose",), TEXT),
    "title": (("title",), TEXT),
    "case_number": (("case_number",), TEXT),
    "starts_at": (("starts_at",), TEXT),
    "ends_at": (("ends_at",), TEXT),
    "lat": (("location", "lat"), NUMBER),
    "lon": (("location", "lon"), NUMBER),
    "radius_m": (("location", "radius_m"), NUMBER),
    "address": (("location", "address"), TEXT),
    "contact_name": (("contact", "name"), TEXT),
    "contact_phone": (("contact", "phone"), TEXT),
    "contact_radio": (("contact", "radio"), TEXT),
    "team_personnel": (("team", "personnel"), INTEGER),
    "team_attire": (("team", "attire"), TEXT),
    "team_vehicles": (("team", "vehicles"), TEXT),
    "risk": (("risk",), TEXT),
    "notes": (("notes",), TEXT),
}
REQUIRED = ("type", "purpose", "starts_at", "ends_at", "lat", "lon", "contact_name", "contact_phone")


def check_header(names: Sequence[str] | None) -> None:
    """Refuse a file whose header lacks a required column or has one this format does not know."""
    if not names:
        raise InvalidInput("header", "the file is empty; its first line must name the columns")
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InvalidInput("header", f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InvalidInput("header", f"missing column {missing[0]!r}")


def _read(column: str, kind: str, text: str) -> Any:
    if kind == TEXT:
        return text
    try:
        return int(text) if kind == INTEGER else float(text)
    except ValueError:
        raise InvalidInput(column, f"must be {'a whole number' if kind == INTEGER else 'a number'}") from None


def submission(row: Mapping[str, str | None]) -> dict[str, Any]:
    """The API body one row spells; a bad cell is refused naming its column."""
    body: dict[str, Any] = {}
    for column, (path, kind) in COLUMNS.items():
        text = (row.get(column) or "").strip()
        if not text:
            if column in REQUIRED:
                raise InvalidInput(column, "is required")
            continue
        place = body
        for key in path[:-1]:
            place = place.setdefault(key, {})
        place[path[-1]] = _read(column, kind, text)
    return body


def flat(item: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """One view as text cells: nested objects as ``a.b`` columns, lists as JSON, absent fields absent."""
    out: dict[str, str] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= flat(value, name + ".")
        elif isinstance(value, list):
            out[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif value is None:
            out[name] = ""
        else:
            out[name] = cell(str(value).lower() if isinstance(value, bool) else str(value))
    return out


def cell(text: str) -> str:
    """Text a spreadsheet will not run: a cell opening with ``= + - @`` (or a tab or return) is a formula
    to Excel and LibreOffice, so an insider's note could run on the reader's machine (OWASP CSV injection)."""
    if text[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return text
    try:
        float(text)  # a negative longitude is a number, not a formula
    except ValueError:
        return "'" + text
    return text

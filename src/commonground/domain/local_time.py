"""Times as the people reading them live them: in their agency's zone, with the zone said.

A watch commander in Chicago reads "Tue 2 Mar 06:00 CST", not "2026-03-02T12:00:00Z"; the
offset stays, so a reader across a zone line (or a DST change) is never an hour off. JSON keeps
ISO 8601 with offsets; only text for people is shown this way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The zone ``name`` names, UTC when it is unset or unknown (an agency's zone is checked when set)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def shown(instant: datetime | str | None, zone_name: str | None) -> str:
    """``instant`` as ``Tue 2 Mar 2026 06:00 CST (UTC-06:00)`` in ``zone_name``; "-" when there is none."""
    if instant is None or instant == "":
        return "-"
    if isinstance(instant, str):
        try:
            instant = datetime.fromisoformat(instant.replace("Z", "+00:00"))
        except ValueError:
            return str(instant)  # not a time: shown as it came, never dropped
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)  # stored times are UTC
    local = instant.astimezone(zone(zone_name))
    offset = local.strftime("%z")
    sign, hours, minutes = offset[0], offset[1:3], offset[3:5]
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname()} (UTC{sign}{hours}:{minutes})"

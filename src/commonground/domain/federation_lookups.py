"""A dispatcher's look-up asked of a peer installation: what the request may carry, what an answer may hold."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.domain.disclosure import SAFETY_KEYS
from commonground.domain.errors import InvalidInput
from commonground.domain.policy import AgencyLevel
from commonground.domain.timewindow import parse_instant

ASK_KEYS = frozenset({"ref", "lat", "lon", "radius_m", "at", "agency"})
ASKER_KEYS = frozenset({"name", "ori", "level"})
HIT_NESTED = ("agency", "contact", "area", "window", "team")  # each an object in a disclosed operation


@dataclass(frozen=True, slots=True)
class LookupAsk:
    """The point, radius and instant of a look-up and who asks: never the asker's user or call details."""

    ref: str  # the asking installation's look-up id, opaque to the peer
    lat: float
    lon: float
    radius_m: float
    at: datetime
    agency_name: str
    agency_ori: str
    agency_level: AgencyLevel

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "lat": self.lat,
            "lon": self.lon,
            "radius_m": self.radius_m,
            "at": self.at.isoformat(),
            "agency": {"name": self.agency_name, "ori": self.agency_ori, "level": self.agency_level.value},
        }


def _text(value: object, name: str, top: int) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= top or not value.isprintable():
        raise InvalidInput(name, f"must be a string of 1-{top} printable characters")
    return value


def _number(value: object, name: str, low: float, high: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise InvalidInput(name, "must be a number")
    if not low <= value <= high:
        raise InvalidInput(name, f"must be from {low:g} to {high:g}")
    return float(value)


def parse_lookup_ask(body: dict[str, object], max_radius_m: float) -> LookupAsk:
    """Read a peer's look-up; refuse one carrying anything beyond the look-up's fields (custody)."""
    extra = sorted(set(body) - ASK_KEYS)
    if extra:
        raise InvalidInput(extra[0], "a look-up carries only ref, lat, lon, radius_m, at and the asking agency")
    asker = body.get("agency")
    if not isinstance(asker, dict) or set(asker) != ASKER_KEYS:
        raise InvalidInput("agency", "must be an object with exactly name, ori and level")
    try:
        level = AgencyLevel(asker["level"])
    except ValueError as exc:
        raise InvalidInput("agency.level", "must be federal, state, local or tribal") from exc
    radius = _number(body.get("radius_m"), "radius_m", 0.0, max_radius_m)
    if radius == 0:
        raise InvalidInput("radius_m", "must be more than 0")
    return LookupAsk(
        _text(body.get("ref"), "ref", 100),
        _number(body.get("lat"), "lat", -90.0, 90.0),
        _number(body.get("lon"), "lon", -180.0, 180.0),
        radius,
        parse_instant(body.get("at"), "at"),
        _text(asker["name"], "agency.name", 200),
        _text(asker["ori"], "agency.ori", 20),
        level,
    )


def remote_lookup_hit(installation: str, item: object) -> dict[str, Any]:
    """Return a peer's look-up hit as this installation shows it: the ``safety`` fields only, and whose.

    Raise ``ValueError`` for an item that is not a disclosed operation at ``safety`` with its
    distance: a malformed answer is refused, never shown as a partial one."""
    if not isinstance(item, dict) or item.get("level_disclosed") != "safety" or not isinstance(item.get("id"), str):
        raise ValueError("malformed: a look-up hit is an operation disclosed at safety")
    distance = item.get("distance_m")
    if not isinstance(distance, int | float) or isinstance(distance, bool) or not 0 <= distance < math.inf:
        raise ValueError("malformed: a look-up hit carries its distance_m")
    if any(not isinstance(item.get(key), dict) for key in HIT_NESTED):
        raise ValueError("malformed: a look-up hit carries its agency, contact, area, window and team")
    kept = {key: value for key, value in item.items() if key in SAFETY_KEYS}  # the peer's order
    return {**kept, "distance_m": float(distance), "installation": {"name": installation}}

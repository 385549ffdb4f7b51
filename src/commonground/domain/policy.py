"""Each agency's sharing policy, and the levels of disclosure it chooses between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar

from commonground.domain.errors import InvalidInput


class Level(StrEnum):
    SAFETY = "safety"
    OPERATIONAL = "operational"
    FULL = "full"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.SAFETY: 0, Level.OPERATIONAL: 1, Level.FULL: 2}


class AgencyLevel(StrEnum):
    FEDERAL = "federal"
    STATE = "state"
    LOCAL = "local"
    TRIBAL = "tribal"


class Purpose(StrEnum):
    CRIMINAL = "criminal"
    CIVIL_IMMIGRATION = "civil_immigration"
    PUBLIC_ORDER = "public_order"
    PROTECTIVE = "protective"
    TRAINING = "training"
    OTHER = "other"


class NoticeTiming(StrEnum):
    AT_SUBMIT = "at_submit"
    AT_START = "at_start"
    WITHHELD = "withheld"


E = TypeVar("E", bound=StrEnum)

COUNTERPART_CLASSES = ("federal", "state", "local", "tribal", "watch")
DEFAULT_PROXIMITY_M = 500
DEFAULT_TIME_BUFFER_MIN = 60
MAX_PROXIMITY_M = 20_000
MAX_TIME_BUFFER_MIN = 24 * 60
MAX_AGENCY_ID = 36


def _default_disclose() -> dict[str, Level]:
    out = {cls: Level.SAFETY for cls in COUNTERPART_CLASSES}
    out["watch"] = Level.OPERATIONAL
    return out


@dataclass(frozen=True, slots=True)
class Policy:
    """Defaults are minimal: safety to every agency, operational to the watch center."""

    disclose: Mapping[str, Level] = field(default_factory=_default_disclose)
    restricted_purposes: frozenset[Purpose] = frozenset()
    receive_notices: bool = True
    default_notice: NoticeTiming = NoticeTiming.AT_SUBMIT
    proximity_m: int = DEFAULT_PROXIMITY_M
    time_buffer_min: int = DEFAULT_TIME_BUFFER_MIN
    allow_withheld: bool = False
    # Agencies whose recorded missions this policy does not hold against them (a joint task force
    # whose primary purpose is not the restricted one, as SB 54 allows): judged by what they declare.
    restriction_exceptions: frozenset[str] = frozenset()
    version: int = 1

    def level_for(self, counterpart_class: str) -> Level:
        return self.disclose.get(counterpart_class, Level.SAFETY)

    def to_dict(self) -> dict[str, object]:
        return {
            "disclose": {k: self.level_for(k).value for k in COUNTERPART_CLASSES},
            "restricted_purposes": sorted(p.value for p in self.restricted_purposes),
            "receive_notices": self.receive_notices,
            "default_notice": self.default_notice.value,
            "proximity_m": self.proximity_m,
            "time_buffer_min": self.time_buffer_min,
            "allow_withheld": self.allow_withheld,
            "restriction_exceptions": sorted(self.restriction_exceptions),
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object], version: int = 1) -> Policy:
        """Parse a stored or submitted policy; absent keys keep the minimal defaults."""
        base = cls()
        disclose = dict(base.disclose)
        raw_disclose = data.get("disclose", {})
        if not isinstance(raw_disclose, Mapping):
            raise InvalidInput("disclose", "must be an object of counterpart class to level")
        for key, value in raw_disclose.items():
            if key not in COUNTERPART_CLASSES:
                raise InvalidInput(f"disclose.{key}", f"must be one of {', '.join(COUNTERPART_CLASSES)}")
            disclose[key] = parse_enum(Level, value, f"disclose.{key}")
        raw_restricted = data.get("restricted_purposes", [])
        if not isinstance(raw_restricted, list):
            raise InvalidInput("restricted_purposes", "must be a list of purposes")
        restricted = frozenset(parse_enum(Purpose, p, f"restricted_purposes.{i}") for i, p in enumerate(raw_restricted))
        receive = data.get("receive_notices", base.receive_notices)
        if not isinstance(receive, bool):
            raise InvalidInput("receive_notices", "must be true or false")
        allow_withheld = data.get("allow_withheld", base.allow_withheld)
        if not isinstance(allow_withheld, bool):
            raise InvalidInput("allow_withheld", "must be true or false")
        return replace(
            base,
            disclose=disclose,
            restricted_purposes=restricted,
            restriction_exceptions=_agency_ids(data.get("restriction_exceptions", []), "restriction_exceptions"),
            receive_notices=receive,
            allow_withheld=allow_withheld,
            default_notice=parse_enum(NoticeTiming, data.get("default_notice", base.default_notice), "default_notice"),
            proximity_m=_bounded_int(data.get("proximity_m", base.proximity_m), "proximity_m", 0, MAX_PROXIMITY_M),
            time_buffer_min=_bounded_int(
                data.get("time_buffer_min", base.time_buffer_min), "time_buffer_min", 0, MAX_TIME_BUFFER_MIN
            ),
            version=version,
        )


def parse_missions(value: object, field_name: str = "missions") -> frozenset[Purpose]:
    """Parse an agency's missions: a list of the operation purposes (an empty list clears them)."""
    if not isinstance(value, list):
        raise InvalidInput(field_name, "must be a list of purposes")
    return frozenset(parse_enum(Purpose, p, f"{field_name}.{i}") for i, p in enumerate(value))


def parse_enum(kind: type[E], value: object, field_name: str) -> E:
    """Parse an enum member, naming the field and the allowed values on failure."""
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(field_name, f"must be one of {allowed}") from None


def _agency_ids(value: object, field_name: str) -> frozenset[str]:
    """Parse a list of agency ids; whether each names an agency is the service's question."""
    if not isinstance(value, list):
        raise InvalidInput(field_name, "must be a list of agency ids")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not 0 < len(item) <= MAX_AGENCY_ID:
            raise InvalidInput(f"{field_name}.{i}", "must be an agency id")
    return frozenset(value)


def _bounded_int(value: object, field_name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field_name, "must be a whole number")
    if not low <= value <= high:
        raise InvalidInput(field_name, f"must be between {low} and {high}")
    return value

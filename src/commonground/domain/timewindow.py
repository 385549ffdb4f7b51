"""Time windows: offset-aware instants only, compared in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commonground.domain.errors import InvalidInput

MAX_WINDOW = timedelta(days=31)
# Far enough for any real operation or record; near enough that adding a day or a buffer never
# leaves the range ``datetime`` can hold (years 1 and 9999 overflowed in the candidate query).
MIN_YEAR, MAX_YEAR = 1900, 2200


def parse_instant(value: object, field: str) -> datetime:
    """Parse ISO 8601 with an offset; a time without one is refused, not guessed."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(field, "must be an ISO 8601 time such as 2026-12-01T06:00:00-06:00") from None
    else:
        raise InvalidInput(field, "must be an ISO 8601 time with an offset")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(field, "must carry a UTC offset (e.g. -06:00 or Z); local times are ambiguous")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise InvalidInput(field, f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    instant = parsed.astimezone(UTC)
    if not MIN_YEAR <= instant.year <= MAX_YEAR:
        raise InvalidInput(field, f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return instant


def isoformat(instant: datetime) -> str:
    """Render UTC with a ``Z``, to the millisecond."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def parse(cls, starts: object, ends: object, prefix: str = "") -> TimeWindow:
        start = parse_instant(starts, f"{prefix}starts_at")
        end = parse_instant(ends, f"{prefix}ends_at")
        if end <= start:
            raise InvalidInput(f"{prefix}ends_at", "must be after starts_at")
        if end - start > MAX_WINDOW:
            raise InvalidInput(
                f"{prefix}ends_at",
                "an operation may last at most 31 days; to keep matching a case's people or vehicles "
                "for longer, register them as a case target instead",
            )
        return cls(start, end)

    def widened(self, by: timedelta) -> TimeWindow:
        return TimeWindow(self.starts_at - by, self.ends_at + by)

    def overlap(self, other: TimeWindow) -> TimeWindow | None:
        """Return the shared span; windows that only touch share nothing."""
        start = max(self.starts_at, other.starts_at)
        end = min(self.ends_at, other.ends_at)
        return TimeWindow(start, end) if start < end else None

    def contains(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at


def window_dict(window: TimeWindow) -> dict[str, object]:
    """Return the window as JSON: ``{starts_at, ends_at}`` in ISO 8601, UTC."""
    return {"starts_at": isoformat(window.starts_at), "ends_at": isoformat(window.ends_at)}

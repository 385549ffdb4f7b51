"""Participation reports: per agency and period; the public one hides every count below 10."""

from __future__ import annotations

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, described

Count = int | str  # a count, or "<10" in the public report


class AgencyFiguresPublic(Public):
    agency_id: str = described("The agency.", ID_EXAMPLE)
    agency: str = described("Its name.", "Minneapolis PD")
    operations: Count = described("Operations entered in the period.", 42)
    operations_by_type: dict[str, Count] = described("Operations entered, by type.", {"search_warrant": 12})
    exigent: Count = described("Of them, entered after the fact (exigent).", 3)
    phone_in: Count = described("Of them, entered by the watch center for a caller.", 2)
    notices_by_timing: dict[str, Count] = described(
        "Operations by when host agencies are told: `at_submit`, `at_start`, `withheld`.", {"at_submit": 40}
    )
    notices_by_host_response: dict[str, Count] = described(
        "How host agencies answered the notices of the agency's operations, by their current answer given in the "
        "period (`aware_not_assisting`, `standing_by_for_public_safety`, `assisting`, `request_contact`).",
        {"aware_not_assisting": 3},
        default_factory=dict,
    )
    conflicts: Count = described("Conflicts detected in the period with the agency on a side.", 7)
    conflicts_by_kind: dict[str, Count] = described("Conflicts by kind.", {"proximity": 6, "subject": 1})
    conflicts_by_outcome: dict[str, Count] = described(
        "Conflicts by outcome once resolved (`proceed`, `joint_operation`, ...), else by status.",
        {"joint_operation": 2, "open": 1},
    )
    acknowledgements: Count = described("Conflicts the agency's side acknowledged.", 6)
    ack_median_s: float | None = described(
        "Median seconds from detection to the agency's acknowledgement; null without acknowledgements (public: "
        "null below 10).",
        95.0,
    )
    ack_p90_s: float | None = described("90th percentile of the same, seconds.", 600.0)
    lookups: Count = described("Dispatcher look-ups by the agency's people.", 120)
    suppressed_subject_matches: Count = described(
        "Subject matches the agency's restricted purposes held back (as the restricting agency).", 0
    )
    near_misses: Count = described(
        "Near-misses that happened in the period with one of the agency's operations involved.", 0, default=0
    )
    incidents: Count = described(
        "Critical incidents (shots fired, use of force, ...) the agency's operations reported in the period.",
        0,
        default=0,
    )


class TimelinePointPublic(Public):
    starts_on: str = described("The UTC day the point's day (or 7 days, `interval: week`) starts.", "2026-11-30")
    operations: Count = described("Operations entered in it.", 12)
    conflicts: Count = described("Conflicts detected in it, each once.", 2)


class ParticipationPublic(Public):
    starts_at: Instant = described("The period's start (`from`), UTC.", TIME_EXAMPLE)
    ends_at: Instant = described("The period's end (`to`, not included), UTC.", TIME_EXAMPLE)
    agencies: list[AgencyFiguresPublic] = described("Each agency's figures, by name.", [])
    interval: str = described("What one point of `timeline` covers: `day` (a period up to 62 days) or `week`.", "day")
    timeline: list[TimelinePointPublic] = described(
        "Operations entered and conflicts detected per day or week, first to last: of every agency the reader "
        "sees (an agency administrator: its own operations and the conflicts it is a side of).",
        [],
    )

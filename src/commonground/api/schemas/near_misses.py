"""Near-misses: teams that met without knowing of each other, as the agencies involved and the watch see them."""

from __future__ import annotations

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor


class NearMissCreate(Strict):
    operation_ids: list[str] = described(
        "The operations involved (1-10): at least one of the caller's agency's, unless the caller is the watch.",
        [ID_EXAMPLE],
    )
    description: str = described(
        "What happened (at most 4,000 characters).",
        "Our arrest team and a county narcotics unit met in the same parking lot; neither knew of the other.",
    )
    at: str = described("When it happened, with a zone; not in the future.", "2026-12-01T06:40:00-06:00")


class NearMissOperationPublic(Public):
    id: str = described("An operation involved.", ID_EXAMPLE)
    agency_id: str = described("The agency that runs it.", ID_EXAMPLE)
    agency: str = described("That agency's name.", "Hennepin County Sheriff's Office")


class NearMissAgencyPublic(Public):
    id: str = described("The agency.", ID_EXAMPLE)
    name: str = described("Its name.", "Minneapolis PD")


class NearMissPublic(Public):
    id: str = described("Near-miss id.", ID_EXAMPLE)
    at: Instant = described("When it happened, UTC.", TIME_EXAMPLE)
    description: str = described("What happened, in the reporter's words.", "Met a county unit in the same lot.")
    operations: list[NearMissOperationPublic] = described("The operations involved, with their agencies.", [])
    reported_by_agency: NearMissAgencyPublic = described("The agency that reported it.", {"id": ID_EXAMPLE})
    recorded_at: Instant = described("When it was reported, UTC.", TIME_EXAMPLE)


class NearMissesPublic(Public):
    items: list[NearMissPublic] = described("Near-misses, newest first.", [])
    next: str | None = next_cursor()

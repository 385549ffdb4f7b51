"""Jurisdiction notices and dispatcher look-ups: other agencies' operations at `safety`."""

from __future__ import annotations

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.api.schemas.operations import HostResponsePublic, InstallationRef, OperationPublic
from commonground.domain.notices import NoticeKind, NoticeResponse

OPERATION_EXAMPLE = {"id": ID_EXAMPLE, "level_disclosed": "safety"}


class NoticePublic(Public):
    id: str = described("Notice id.", ID_EXAMPLE)
    kind: NoticeKind = described("`entry`, `update` or `exit` of the jurisdiction.", "entry")
    sent_at: Instant | None = described("When it was sent.", TIME_EXAMPLE)
    operation: OperationPublic = described("The other agency's operation, at `safety`.", OPERATION_EXAMPLE)
    installation: InstallationRef | None = described(
        "The peer installation whose operation this is, as it disclosed it (`safety`); absent for this one's own.",
        {"name": "feds-east"},
        default=None,
    )
    response: HostResponsePublic | None = described(
        "The host agency's answer, once it has given one; absent until then.", None, default=None
    )


class NoticeResponseIn(Strict):
    response: NoticeResponse = described("The host agency's answer.", "aware_not_assisting")
    note: str | None = described(
        "Optional note for the operating agency.", "Patrol aware.", default=None, max_length=1000
    )


class NoticesPublic(Public):
    items: list[NoticePublic] = described("The caller's agency's notices, newest first.", [])
    next: str | None = next_cursor()


class LookupOperationPublic(OperationPublic):
    distance_m: float = described("Distance from the asked point to the operation's edge, metres.", 87.5)
    installation: InstallationRef | None = described(
        "The peer installation whose operation this is, as it disclosed it (`safety`); absent for this one's own.",
        {"name": "city-east"},
        default=None,
    )


class LookupFederationPublic(Public):
    checked: list[str] = described("Peer installations that answered the look-up.", ["city-east"])
    unchecked: list[str] = described(
        "Peer installations that could not be asked (no answer in time, a limit, or an answer refused): "
        "never read as nobody there.",
        [],
    )


class LookupPublic(Public):
    operations: list[LookupOperationPublic] = described(
        "Operations near the point then, here and at the peer installations, nearest first.", []
    )
    at: str = described(
        "The instant asked about (ISO 8601).", "2026-12-01T13:00:00+00:00", json_schema_extra={"format": "date-time"}
    )
    federation: LookupFederationPublic = described(
        "Which peer installations were asked and answered (empty lists without peers).",
        {"checked": ["city-east"], "unchecked": []},
    )

"""On-scene verification: the registered teams near an officer, or the team a plate belongs to, at `safety`."""

from __future__ import annotations

from commonground.api.schemas.common import Public, described
from commonground.api.schemas.operations import OperationPublic

TEAM_EXAMPLE = {"id": "01900000-0000-7000-8000-000000000000", "level_disclosed": "safety", "distance_m": 42.0}


class VerifyTeamPublic(OperationPublic):
    """A registered team near the asked point: its operation at `safety`, its declared identity, its distance."""

    distance_m: float = described("Distance from the asked point to the operation's edge, metres.", 42.0)


class VerificationPublic(Public):
    teams: list[VerifyTeamPublic] = described(
        "Operations active now or starting within 2 hours near the point, nearest first; each `team` carries "
        "the identity its agency declared, and `recognition` when it set one.",
        [TEAM_EXAMPLE],
    )


class PlateVerificationPublic(Public):
    registered: bool = described("Whether the plate belongs to a team active now or starting within 2 hours.", True)
    team: OperationPublic | None = described(
        "That team's operation at `safety`, with its declared identity; null when the plate is not registered.",
        None,
    )

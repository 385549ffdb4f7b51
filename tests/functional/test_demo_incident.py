"""The demonstration data holds one reported critical incident, told to its host agency and the watch."""

from __future__ import annotations

from pathlib import Path

from commonground.demo import TWIN_CITIES, seed
from tests.conftest import World


def test_the_demo_has_a_reported_incident_the_watch_sees(sqlite_world: World, tmp_path: Path) -> None:
    services = sqlite_world.services
    seed(services, token_file=tmp_path / "tokens.json")
    watch = sqlite_world.principal(next(u for u, _, roles, _ in TWIN_CITIES.users if "watch" in roles))
    [incident] = services.incidents.page(watch, 10, None).items
    assert incident.kind.value == "vehicle_collision" and incident.assistance_requested
    assert incident.summary is not None and incident.acknowledged_at is None
    with services.store.read() as tx:
        told = tx.incidents.told(incident.id)
    assert told, "the demonstration incident must reach at least one other agency"

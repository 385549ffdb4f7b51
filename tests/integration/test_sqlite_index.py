"""The SQLite R*Tree across migration 0008 (time axis from seconds to days)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from commonground.bootstrap import Services
from commonground.store import migrate
from commonground.store.sqlite import RTREE
from tests.conftest import World, operation_data, wire


def _time_axis(services: Services) -> tuple[float, float]:
    with services.store.engine.connect() as conn:  # type: ignore[attr-defined]
        row = conn.execute(text(f"SELECT min(min_t), max(max_t) FROM {RTREE}")).one()
    return float(row[0]), float(row[1])


def test_operations_indexed_in_seconds_are_found_after_the_upgrade(sqlite_world: World) -> None:
    services = sqlite_world.services
    local, federal = sqlite_world.agency("local"), sqlite_world.agency("federal")
    mpd, ice = sqlite_world.person(local), sqlite_world.person(federal)
    services.operations.submit(mpd, operation_data())
    days = _time_axis(services)
    engine = services.store.engine  # type: ignore[attr-defined]
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    seconds = _time_axis(services)
    assert seconds[0] / days[0] == pytest.approx(86_400, rel=1e-6)

    migrate.upgrade(engine)
    assert _time_axis(services) == pytest.approx(days, rel=1e-6)
    _, conflicts = wire(services.operations.submit(ice, operation_data(44.979, -93.262)))
    assert len(conflicts) == 1

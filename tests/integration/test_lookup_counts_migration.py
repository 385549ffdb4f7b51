"""Migration 0038 on both stores: look-ups kept before the upgrade still count against the hour's limits."""

from __future__ import annotations

from datetime import timedelta

from alembic import command

from commonground.bootstrap import Services
from commonground.service.clock import new_id
from commonground.service.ports import LookupRecord
from commonground.store import migrate
from tests.conftest import World


def test_lookups_from_before_the_upgrade_are_counted_after_it(services: Services, world: World) -> None:
    agency = world.agency()
    one, two = world.person(agency, "dispatcher"), world.person(agency, "dispatcher")
    now = services.clock.now()
    with services.store.write() as tx:
        for who, ago in ((one, 50), (one, 20), (one, 0.5), (two, 30)):
            at = now - timedelta(minutes=ago)
            tx.lookups.add(LookupRecord(new_id(), who.user.id, agency.id, at, 44.9, -93.2, 300.0, 0))
    engine = services.store.engine  # type: ignore[attr-defined]
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0037")

    migrate.upgrade(engine)
    hour_ago = now - timedelta(hours=1)
    with services.store.read() as tx:
        assert tx.lookups.since(one.user.id, hour_ago) == (3, now - timedelta(minutes=50))
        assert tx.lookups.since(one.user.id, now - timedelta(minutes=25)) == (2, now - timedelta(minutes=20))
        assert tx.lookups.since(two.user.id, hour_ago) == (1, now - timedelta(minutes=30))
        assert tx.lookups.since_for_agency(agency.id, hour_ago)[0] == 4
        assert tx.lookups.since_overall(now - timedelta(minutes=35))[0] == 3

"""Migration 0017 on both stores: an account locked before it loses the tokens the old lock left working."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import select, update

from commonground.bootstrap import Services
from commonground.domain.errors import NotAuthenticated
from commonground.service.signin_ports import Credential
from commonground.store import migrate
from commonground.store.schema import tokens
from tests.conftest import World


def test_a_lock_from_before_the_upgrade_ends_that_persons_tokens(services: Services, world: World) -> None:
    agency = world.agency()
    locked, free = world.person(agency, "officer"), world.person(agency, "officer")
    locked_token, free_token = world.token(locked), world.token(free)
    at = services.clock.now() - timedelta(hours=1)
    with services.store.write() as tx:
        tx.signin.put_credential(replace(Credential(locked.user.id), locked_at=at))
    engine = services.store.engine  # type: ignore[attr-defined]
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0017-1")
        conn.execute(update(tokens).values(revoked_at=None))  # as the old lock left them
        # Read the old schema with plain SQL: today's code reads columns later migrations add.
        assert conn.execute(select(tokens.c.revoked_at).where(tokens.c.user_id == locked.user.id)).scalar() is None

    migrate.upgrade(engine)
    with engine.connect() as conn:
        revoked = dict(conn.execute(select(tokens.c.user_id, tokens.c.revoked_at)).all())
    assert revoked[locked.user.id] == at and revoked[free.user.id] is None
    assert services.accounts.authenticate(free_token).user.id == free.user.id
    with pytest.raises(NotAuthenticated):
        services.accounts.authenticate(locked_token)

"""Every refusal that is audited keeps its record: a refused request must not roll its audit back."""

from __future__ import annotations

import pytest

from commonground.audit.tags import Action, Outcome
from commonground.bootstrap import Services
from commonground.domain.errors import NotAuthenticated, RateLimited
from commonground.service.lookups import Lookups
from commonground.service.ports import AuditFilter
from commonground.service.signin import SignIn
from commonground.service.signin_limits import SignInLimits, SourceLimit
from tests.conftest import World

PASSWORD = "correct horse battery staple"


def _records(services: Services, action: Action) -> list[tuple[str | None, str, str | None]]:
    """(actor, outcome, reason) of every record of ``action``, oldest first."""
    with services.store.read() as tx:
        found = tx.audit.records(AuditFilter(action=action.value), 1000, None).items
    return [(r.entry.actor_user_id, r.entry.outcome, (r.entry.details or {}).get("reason")) for r in found]


def test_a_rate_limited_lookup_keeps_its_denied_record(services: Services, world: World) -> None:
    dispatcher = world.person(world.agency(), "dispatcher")
    limited = Lookups(services.store, services.clock, limit_per_hour=1)
    limited.lookup(dispatcher, 44.9778, -93.2650, None, None)
    with pytest.raises(RateLimited):
        limited.lookup(dispatcher, 44.9778, -93.2650, None, None)
    records = _records(services, Action.LOOKUP)
    assert [(o, r) for _, o, r in records] == [(Outcome.SUCCESS, None), (Outcome.DENIED, "rate limit")]
    assert {actor for actor, _, _ in records} == {dispatcher.user.id}


def test_refused_sign_ins_keep_their_records(services: Services, world: World) -> None:
    who = world.person(world.agency(), password=PASSWORD)
    with pytest.raises(NotAuthenticated):
        services.signin.api_login("nobody-by-this-name", PASSWORD, None)
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            services.signin.api_login(who.user.username, "wrong password", None)
    with pytest.raises(NotAuthenticated):
        services.signin.api_login(who.user.username, PASSWORD, None)  # held back now, even with the right one
    outcomes = [(o, r) for _, o, r in _records(services, Action.AUTH_LOGIN)]
    assert outcomes == [(Outcome.FAILURE, "password")] * 6 + [(Outcome.DENIED, "held")]
    assert _records(services, Action.AUTH_LOCKOUT) == []


def test_a_sign_in_refused_on_a_locked_account_keeps_its_records(services: Services, world: World) -> None:
    who = world.person(world.agency(), password=PASSWORD)
    locking = SignIn(services.store, services.clock, SignInLimits(lock_after=2))
    for source in ("10.0.0.1", "10.0.0.2"):
        with pytest.raises(NotAuthenticated):
            locking.api_login(who.user.username, "wrong password", None, source=source)
    with pytest.raises(NotAuthenticated):
        locking.api_login(who.user.username, PASSWORD, None, source="10.0.0.3")
    outcomes = [(o, r) for _, o, r in _records(services, Action.AUTH_LOGIN)]
    assert outcomes == [(Outcome.FAILURE, "password")] * 2 + [(Outcome.DENIED, "locked")]
    assert [a for a, _, _ in _records(services, Action.AUTH_LOCKOUT)] == [who.user.id]


def test_a_rate_limited_sign_in_keeps_one_denied_record_a_minute_per_source(services: Services, world: World) -> None:
    who = world.person(world.agency(), password=PASSWORD)
    limited = SignIn(
        services.store, services.clock, SignInLimits(attempts=SourceLimit(1, "sign-in attempts")), require_mfa=False
    )
    limited.api_login(who.user.username, PASSWORD, None, source="10.0.0.1")
    for _ in range(3):
        with pytest.raises(RateLimited):
            limited.api_login(who.user.username, PASSWORD, None, source="10.0.0.1")
    outcomes = [(o, r) for _, o, r in _records(services, Action.AUTH_LOGIN)]
    assert outcomes == [(Outcome.SUCCESS, None), (Outcome.DENIED, "rate limit")]

"""Console sign-in use-cases: banner, password, TOTP enrolment, sessions, lockout and its release."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.errors import NotAuthenticated, NotFound, NotPermitted, RateLimited
from commonground.service.accounts import hash_token
from commonground.service.clock import ManualClock
from commonground.service.principal import Principal
from commonground.service.signin import WRONG
from commonground.service.signin_limits import HoldBack, SourceLimit
from commonground.service.signin_ports import Credential, SessionRecord
from tests.conftest import World
from tests.unit.service.helpers import audit_of, outcomes

PASSWORD = "correct horse battery staple"


@pytest.fixture
def who(world: World) -> Principal:
    return world.person(world.agency(), "supervisor", password=PASSWORD)


def session_of(services: Services, token: str) -> SessionRecord | None:
    with services.store.read() as tx:
        return tx.signin.get_session(hash_token(token))


def credential_of(services: Services, user_id: str) -> Credential | None:
    with services.store.read() as tx:
        return tx.signin.credential(user_id)


def code(services: Services, user_id: str, clock: ManualClock) -> str:
    """The authenticator's current code for the person's stored secret."""
    credential = credential_of(services, user_id)
    assert credential is not None and credential.totp_secret is not None
    return pyotp.TOTP(credential.totp_secret).at(clock.now())


def enrolled(services: Services, who: Principal, clock: ManualClock) -> str:
    """Take a person through banner, password and enrolment; return the active session's token."""
    banner, _ = services.signin.accept_banner()
    enrolling, _ = services.signin.sign_in(banner, who.user.username, PASSWORD, "")
    active, _ = services.signin.enrol(enrolling, code(services, who.user.id, clock))
    clock.advance(timedelta(seconds=30))  # the next code is a new time step
    return active


def test_a_first_sign_in_goes_banner_enrol_active_rotating_the_session(
    services: Services, who: Principal, clock: ManualClock
) -> None:
    """Each step replaces the session; enrolment stores the secret, then its confirmation; all audited."""
    banner, _ = services.signin.accept_banner()
    stored = session_of(services, banner)
    assert stored is not None and (stored.stage, stored.user_id) == ("banner", None)
    enrolling, _ = services.signin.sign_in(banner, who.user.username, PASSWORD, "")
    assert session_of(services, banner) is None
    stored = session_of(services, enrolling)
    assert stored is not None and (stored.stage, stored.user_id) == ("enrol", who.user.id)
    pending = credential_of(services, who.user.id)
    assert pending is not None and pending.totp_secret is not None and pending.enrolled_at is None
    active, _ = services.signin.enrol(enrolling, code(services, who.user.id, clock))
    assert session_of(services, enrolling) is None
    stored = session_of(services, active)
    assert stored is not None and stored.stage == "active"
    done = credential_of(services, who.user.id)
    assert done is not None and done.enrolled_at == clock.now() and done.last_otp_step is not None
    found = services.signin.session(active)
    assert found is not None and found[1].user.id == who.user.id
    assert [len(audit_of(services, a)) for a in (Action.AUTH_BANNER_ACCEPT, Action.AUTH_OTP_ENROL)] == [1, 1]
    assert outcomes(services, Action.AUTH_LOGIN) == [(who.user.id, "success")]


def test_no_credentials_are_taken_before_the_banner(services: Services, who: Principal) -> None:
    """Without an acknowledged banner, signing in is refused before the password is looked at."""
    with pytest.raises(NotAuthenticated):
        services.signin.sign_in(None, who.user.username, PASSWORD, "")
    with pytest.raises(NotAuthenticated):
        services.signin.sign_in("made-up-token", who.user.username, PASSWORD, "")
    assert audit_of(services, Action.AUTH_LOGIN) == []


def test_a_wrong_code_at_enrolment_counts_as_a_failure(services: Services, who: Principal, clock: ManualClock) -> None:
    """The wrong code is refused, counted and audited; the enrolment stays pending."""
    banner, _ = services.signin.accept_banner()
    enrolling, _ = services.signin.sign_in(banner, who.user.username, PASSWORD, "")
    right = code(services, who.user.id, clock)
    with pytest.raises(NotAuthenticated):
        services.signin.enrol(enrolling, "000000" if right != "000000" else "111111")
    with services.store.read() as tx:
        assert tx.signin.failures_since(who.user.id, clock.now() - timedelta(minutes=1)) == 1
    pending = credential_of(services, who.user.id)
    assert pending is not None and pending.enrolled_at is None
    assert outcomes(services, Action.AUTH_LOGIN)[-1] == (who.user.id, "failure")


def test_an_enrolled_person_needs_a_fresh_code_every_time(
    services: Services, who: Principal, clock: ManualClock
) -> None:
    """The API sign-in asks for the code too; a code's time step is never accepted twice."""
    enrolled(services, who, clock)
    with pytest.raises(NotAuthenticated):
        services.signin.api_login(who.user.username, PASSWORD, None)
    fresh = code(services, who.user.id, clock)
    _, record = services.signin.api_login(who.user.username, PASSWORD, fresh)
    with services.store.read() as tx:
        assert tx.tokens.principal(record.token_hash) is not None
    with pytest.raises(NotAuthenticated):
        services.signin.api_login(who.user.username, PASSWORD, fresh)
    assert [o for _, o in outcomes(services, Action.AUTH_LOGIN)] == ["success", "failure", "success", "failure"]


def test_an_idle_session_expires_and_signing_out_ends_one(
    services: Services, who: Principal, clock: ManualClock
) -> None:
    """Past the idle limit the session is gone and the expiry audited; signing out deletes and audits."""
    idle = enrolled(services, who, clock)
    clock.advance(timedelta(minutes=31))
    assert services.signin.session(idle) is None and session_of(services, idle) is None
    [expired] = audit_of(services, Action.AUTH_SESSION_EXPIRE)
    assert (expired.actor_user_id, expired.details) == (who.user.id, {"limit": "idle"})
    banner, _ = services.signin.accept_banner()
    active, _ = services.signin.sign_in(banner, who.user.username, PASSWORD, code(services, who.user.id, clock))
    services.signin.sign_out(active)
    assert session_of(services, active) is None
    assert outcomes(services, Action.AUTH_LOGOUT) == [(who.user.id, "success")]


def test_with_an_account_lock_set_five_failures_lock_until_an_administrator_releases_it(
    world: World, services: Services, who: Principal, clock: ManualClock
) -> None:
    """The fifth failure, from any sources, locks and ends every session and token; even the right password
    is then denied, from anywhere; release clears."""
    services.signin.limits = replace(services.signin.limits, lock_after=5)
    active = enrolled(services, who, clock)
    token = world.token(who)
    for n in range(5):
        with pytest.raises(NotAuthenticated):
            services.signin.api_login(who.user.username, "wrong password", None, source=f"10.0.0.{n}")
    locked = credential_of(services, who.user.id)
    assert locked is not None and locked.locked_at == clock.now()
    assert session_of(services, active) is None
    with pytest.raises(NotAuthenticated):
        services.accounts.authenticate(token)
    assert outcomes(services, Action.AUTH_LOCKOUT) == [(who.user.id, "success")]
    with pytest.raises(NotAuthenticated, match=WRONG):
        services.signin.api_login(who.user.username, PASSWORD, code(services, who.user.id, clock), source="10.9.9.9")
    assert outcomes(services, Action.AUTH_LOGIN)[-1] == (who.user.id, "denied")
    with pytest.raises(NotPermitted):
        services.signin.release(world.person(world.agency(), "agency_admin"), who.user.id)
    with pytest.raises(NotFound):
        services.signin.release(world.admin, "no-such-user")
    admin = world.person(who.agency, "agency_admin")
    services.signin.release(admin, who.user.id)
    released = credential_of(services, who.user.id)
    assert released is not None and released.locked_at is None and released.enrolled_at is not None
    with services.store.read() as tx:
        assert tx.signin.failures_since(who.user.id, clock.now() - timedelta(hours=1)) == 0
    assert outcomes(services, Action.AUTH_LOCKOUT_RELEASE) == [(admin.user.id, "success")]
    services.signin.api_login(who.user.username, PASSWORD, code(services, who.user.id, clock))


def test_failures_from_one_source_hold_that_source_back_longer_each_time(
    services: Services, who: Principal, clock: ManualClock
) -> None:
    """Five failures hold the source back 1 s, then 2 s, 4 s; another source signs in meanwhile; success clears."""
    signin = replace(services.signin, require_mfa=False)  # the hold-back, not the second factor, is tested here
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            signin.api_login(who.user.username, "wrong password", None, source="10.0.0.1")
    for wait in (1, 2, 4):
        with pytest.raises(NotAuthenticated, match=WRONG):
            signin.api_login(who.user.username, PASSWORD, None, source="10.0.0.1")  # held back
        signin.api_login(who.user.username, PASSWORD, None, source="10.0.0.2")
        clock.advance(timedelta(seconds=wait))
        with pytest.raises(NotAuthenticated):
            signin.api_login(who.user.username, "wrong again", None, source="10.0.0.1")  # counted
    clock.advance(timedelta(seconds=7))
    with pytest.raises(NotAuthenticated):
        signin.api_login(who.user.username, PASSWORD, None, source="10.0.0.1")  # 8 failures: 8 s
    clock.advance(timedelta(seconds=1))
    signin.api_login(who.user.username, PASSWORD, None, source="10.0.0.1")
    with services.store.read() as tx:
        assert tx.signin.failures_from(who.user.id, "10.0.0.1", clock.now() - timedelta(hours=1)) == (0, None)
    reasons = [(e.outcome, (e.details or {}).get("reason")) for e in audit_of(services, Action.AUTH_LOGIN)]
    assert reasons.count(("denied", "held")) == 4 and ("denied", "locked") not in reasons


def test_a_hold_back_doubles_to_its_cap_and_can_be_turned_off() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rule = HoldBack(after=5, first=timedelta(seconds=1), cap=timedelta(seconds=5))
    assert [rule.until(n, start) for n in (4, 5, 6, 7, 8, 60)] == [
        None,
        start + timedelta(seconds=1),
        start + timedelta(seconds=2),
        start + timedelta(seconds=4),
        start + timedelta(seconds=5),
        start + timedelta(seconds=5),
    ]
    assert rule.until(5, None) is None and HoldBack(after=0).until(100, start) is None


def test_a_source_limit_counts_a_sliding_minute_per_source() -> None:
    limit = SourceLimit(2, "tries")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    limit.take("a", start)
    limit.take("a", start + timedelta(seconds=30))
    with pytest.raises(RateLimited) as refused:
        limit.take("a", start + timedelta(seconds=40))
    assert refused.value.retry_after == 20
    limit.take("b", start + timedelta(seconds=40))
    limit.take("a", start + timedelta(seconds=60))  # the first try has left the minute
    SourceLimit(0, "tries").take("a", start)  # 0: no limit


def test_only_an_agencys_administrators_list_its_people(world: World, services: Services, who: Principal) -> None:
    """The agency's admin (or the installation admin) sees its people with their sign-in state; others do not."""
    with pytest.raises(NotPermitted):
        services.signin.users(world.person(world.agency(), "agency_admin"), who.agency.id)
    with pytest.raises(NotPermitted):
        services.signin.users(who, who.agency.id)
    assert [u.id for u, _ in services.signin.users(world.admin, who.agency.id)] == [who.user.id]

"""Console sign-in as CJIS asks: banner first, password and TOTP, lockout, session limits.

A browser session moves ``banner`` → (``enrol`` on a first sign-in) → ``active``; its id is
rotated at each step so a cookie seen before sign-in is worthless after it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.errors import EnrolmentRequired, NotAuthenticated, NotFound, NotPermitted
from commonground.domain.model import Role, User
from commonground.service.accounts import hash_token
from commonground.service.clock import new_id
from commonground.service.passwords import check_for_nobody, password_matches
from commonground.service.ports import Clock, Store, TokenRecord, Transaction
from commonground.service.principal import Principal
from commonground.service.signin_ports import Credential, SessionRecord

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
LOCK_AFTER = 5
LOCK_WINDOW = timedelta(minutes=15)
TOUCH_EVERY = timedelta(seconds=60)  # spare the single SQLite writer a write per page view
ISSUER = "Common Ground"
WRONG = "wrong username, password or code"
UNENROLLED = "sign in to the console once to enrol an authenticator; the API then asks for its code"
LOCKED = "this account is locked after repeated failed sign-ins; ask your agency administrator to release it"


class Stage(StrEnum):
    BANNER = "banner"
    ENROL = "enrol"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Checked:
    user: User
    enrolled: bool


def _entry(action: str, outcome: str, user: User | None, **details: object) -> AuditEntry:
    return AuditEntry(
        action,
        outcome,
        actor_user_id=user.id if user else None,
        actor_agency_id=user.agency_id if user else None,
        object_type="user" if user else None,
        object_id=user.id if user else None,
        details=dict(details) or None,
    )


def otp_step(secret: str, code: str, at: datetime, after: int | None) -> int | None:
    """Return the time step ``code`` belongs to (±30 s of drift), or None; a used step never counts twice."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            return step
    return None


@dataclass
class SignIn:
    store: Store
    clock: Clock
    require_mfa: bool = True  # COMMONGROUND_REQUIRE_MFA: the API refuses a password without a second factor

    # --- the browser session -----------------------------------------------------------
    def accept_banner(self) -> tuple[str, SessionRecord]:
        """Open a pre-sign-in session: the banner is acknowledged before credentials are taken."""
        now = self.clock.now()
        with self.store.write() as tx:
            token, record = self._new_session(tx, None, Stage.BANNER, now)
            tx.audit.append(_entry(Action.AUTH_BANNER_ACCEPT, Outcome.SUCCESS, None), now)
        return token, record

    def sign_in(self, token: str | None, username: str, password: str, otp: str) -> tuple[str, SessionRecord]:
        """Check credentials from a session that has acknowledged the banner; rotate the session."""
        now = self.clock.now()
        with self.store.read() as tx:
            record = tx.signin.get_session(hash_token(token)) if token else None
        if record is None or record.stage != Stage.BANNER or now - record.last_seen_at > IDLE:
            raise NotAuthenticated("acknowledge the system-use notice before signing in")
        checked = self._check(username, password, otp, via="console")
        with self.store.write() as tx:
            tx.signin.delete_session(record.id_hash)
            if checked.enrolled:
                return self._new_session(tx, checked.user.id, Stage.ACTIVE, now)
            secret = pyotp.random_base32()
            tx.signin.put_credential(
                replace(
                    tx.signin.credential(checked.user.id) or Credential(checked.user.id),
                    totp_secret=secret,
                    enrolled_at=None,
                )
            )
            return self._new_session(tx, checked.user.id, Stage.ENROL, now)

    def enrolment(self, token: str | None) -> tuple[User, str]:
        """Return the person and the ``otpauth://`` URI their authenticator app should scan."""
        record = self._session(token, Stage.ENROL)
        with self.store.read() as tx:
            user = tx.people.get(record.user_id or "")
            cred = tx.signin.credential(record.user_id or "")
        if user is None or cred is None or cred.totp_secret is None:
            raise NotAuthenticated("sign in again")
        return user, pyotp.TOTP(cred.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)

    def enrol(self, token: str | None, otp: str) -> tuple[str, SessionRecord]:
        """Confirm the authenticator with a first code; the session becomes active."""
        record = self._session(token, Stage.ENROL)
        now = self.clock.now()
        with self.store.read() as tx:
            user = tx.people.get(record.user_id or "")
            cred = tx.signin.credential(record.user_id or "")
        if user is None or cred is None or cred.totp_secret is None:
            raise NotAuthenticated("sign in again")
        step = otp_step(cred.totp_secret, otp, now, None)
        if step is None:
            self._fail(user, "otp", "console")
        with self.store.write() as tx:
            tx.signin.put_credential(replace(cred, enrolled_at=now, last_otp_step=step))
            tx.audit.append(_entry(Action.AUTH_OTP_ENROL, Outcome.SUCCESS, user), now)
            tx.signin.delete_session(record.id_hash)
            return self._new_session(tx, user.id, Stage.ACTIVE, now)

    def session(self, token: str | None) -> tuple[SessionRecord, Principal] | None:
        """Return the active session and its person, ending it past the idle or absolute limit."""
        if not token:
            return None
        now = self.clock.now()
        with self.store.read() as tx:
            record = tx.signin.get_session(hash_token(token))
            if record is None or record.stage != Stage.ACTIVE or record.user_id is None:
                return None
            user = tx.people.get(record.user_id)
            agency = tx.agencies.get(user.agency_id) if user else None
        expired = now - record.created_at > ABSOLUTE or now - record.last_seen_at > IDLE
        if expired or user is None or agency is None or not user.usable(now):
            with self.store.write() as wtx:
                wtx.signin.delete_session(record.id_hash)
                if expired and user is not None:
                    limit = "absolute" if now - record.created_at > ABSOLUTE else "idle"
                    wtx.audit.append(_entry(Action.AUTH_SESSION_EXPIRE, Outcome.SUCCESS, user, limit=limit), now)
            return None
        if now - record.last_seen_at > TOUCH_EVERY:
            record = replace(record, last_seen_at=now)
            with self.store.write() as wtx:
                wtx.signin.put_session(record)
        return record, Principal(user, agency)

    def pending(self, token: str | None) -> SessionRecord | None:
        """Return a pre-sign-in (banner or enrol) session, for its CSRF token."""
        if not token:
            return None
        with self.store.read() as tx:
            record = tx.signin.get_session(hash_token(token))
        if record is None or record.stage == Stage.ACTIVE or self.clock.now() - record.last_seen_at > IDLE:
            return None
        return record

    def sign_out(self, token: str | None) -> None:
        if not token:
            return
        now = self.clock.now()
        with self.store.write() as tx:
            record = tx.signin.get_session(hash_token(token))
            if record is None:
                return
            tx.signin.delete_session(record.id_hash)
            user = tx.people.get(record.user_id) if record.user_id else None
            if user is not None:
                tx.audit.append(_entry(Action.AUTH_LOGOUT, Outcome.SUCCESS, user), now)

    # --- the API's password sign-in ----------------------------------------------------
    def api_login(self, username: str, password: str, otp: str | None) -> tuple[str, TokenRecord]:
        """Issue a 12-hour bearer token for a password and a TOTP code (a password alone if MFA is not required)."""
        checked = self._check(username, password, otp or "", via="api", need_enrolled=self.require_mfa)
        now = self.clock.now()
        token = "cg_" + secrets.token_urlsafe(32)
        record = TokenRecord(new_id(), checked.user.id, "login", hash_token(token), now, now + ABSOLUTE)
        with self.store.write() as tx:
            tx.tokens.add(record)
            tx.audit.append(_entry(Action.AUTH_TOKEN_CREATE, Outcome.SUCCESS, checked.user, via="login"), now)
        return token, record

    # --- agency administration ---------------------------------------------------------
    def users(self, who: Principal, agency_id: str) -> list[tuple[User, Credential | None]]:
        """The agency's people with their enrolment and lockout state."""
        self._administers(who, agency_id)
        with self.store.read() as tx:
            return tx.signin.agency_users(agency_id)

    def release(self, who: Principal, user_id: str) -> None:
        """Release a locked account; its failure count starts again from zero."""
        now = self.clock.now()
        with self.store.write() as tx:
            user = tx.people.get(user_id)
            if user is None:
                raise NotFound("no such user")
            self._administers(who, user.agency_id)
            cred = tx.signin.credential(user_id) or Credential(user_id)
            tx.signin.put_credential(replace(cred, locked_at=None))
            tx.signin.clear_failures(user_id)
            tx.audit.append(
                who.entry(Action.AUTH_LOCKOUT_RELEASE, object_type="user", object_id=user_id, username=user.username),
                now,
            )

    @staticmethod
    def _administers(who: Principal, agency_id: str) -> None:
        if who.has(Role.ADMIN) or (who.has(Role.AGENCY_ADMIN) and who.agency.id == agency_id):
            return
        raise NotPermitted("only the agency's administrator manages its people")

    # --- inside ------------------------------------------------------------------------
    def _new_session(
        self, tx: Transaction, user_id: str | None, stage: Stage, now: datetime
    ) -> tuple[str, SessionRecord]:
        token = secrets.token_urlsafe(32)
        record = SessionRecord(hash_token(token), user_id, stage.value, secrets.token_urlsafe(24), now, now)
        tx.signin.add_session(record)
        return token, record

    def _session(self, token: str | None, stage: Stage) -> SessionRecord:
        with self.store.read() as tx:
            record = tx.signin.get_session(hash_token(token)) if token else None
        if record is None or record.stage != stage or self.clock.now() - record.last_seen_at > IDLE:
            raise NotAuthenticated("sign in again")
        return record

    def _check(self, username: str, password: str, otp: str, via: str, need_enrolled: bool = False) -> Checked:
        now = self.clock.now()
        with self.store.read() as tx:
            found = tx.people.by_username(username.lower().strip())
            cred = tx.signin.credential(found[0].id) if found else None
        if found is None:
            check_for_nobody(password)
            with self.store.write() as tx:
                tx.audit.append(
                    _entry(
                        Action.AUTH_LOGIN, Outcome.FAILURE, None, username=username[:80], via=via, reason="password"
                    ),
                    now,
                )
            raise NotAuthenticated(WRONG)
        user, stored = found
        if cred is not None and cred.locked_at is not None:
            with self.store.write() as tx:
                tx.audit.append(
                    _entry(Action.AUTH_LOGIN, Outcome.DENIED, user, username=user.username, via=via, reason="locked"),
                    now,
                )
            raise NotAuthenticated(LOCKED)
        ok = user.usable(now) and password_matches(stored, password)
        if not ok:
            self._fail(user, "password", via)
        enrolled = cred is not None and cred.enrolled_at is not None and cred.totp_secret is not None
        if need_enrolled and not enrolled:
            self._refuse_unenrolled(user, via)
        step = None
        if enrolled and cred is not None and cred.totp_secret is not None:
            step = otp_step(cred.totp_secret, otp, now, cred.last_otp_step)
            if step is None:
                self._fail(user, "otp", via)
        with self.store.write() as tx:
            tx.signin.clear_failures(user.id)
            tx.people.touch(user.id, now)  # the inactivity rule's "last used"
            if cred is not None and step is not None:
                tx.signin.put_credential(replace(cred, last_otp_step=step))
            tx.audit.append(
                _entry(
                    Action.AUTH_LOGIN,
                    Outcome.SUCCESS,
                    user,
                    username=user.username,
                    via=via,
                    second_factor="totp" if enrolled else "enrolling",
                ),
                now,
            )
        return Checked(user, enrolled)

    def _refuse_unenrolled(self, user: User, via: str) -> None:
        """Refuse a right password with no second factor behind it: not a failure, so no lockout count."""
        with self.store.write() as tx:
            tx.audit.append(
                _entry(
                    Action.AUTH_LOGIN,
                    Outcome.DENIED,
                    user,
                    username=user.username,
                    via=via,
                    reason="mfa_enrolment_required",
                ),
                self.clock.now(),
            )
        raise EnrolmentRequired(UNENROLLED)

    def _fail(self, user: User, reason: str, via: str) -> None:
        """Count a failure (locking at the fifth within 15 minutes), audit it, and refuse."""
        now = self.clock.now()
        with self.store.write() as tx:
            tx.signin.add_failure(user.id, now)
            tx.audit.append(
                _entry(Action.AUTH_LOGIN, Outcome.FAILURE, user, username=user.username, via=via, reason=reason), now
            )
            if tx.signin.failures_since(user.id, now - LOCK_WINDOW) >= LOCK_AFTER:
                tx.signin.put_credential(replace(tx.signin.credential(user.id) or Credential(user.id), locked_at=now))
                tx.signin.delete_sessions_of(user.id)
                tx.audit.append(_entry(Action.AUTH_LOCKOUT, Outcome.SUCCESS, user, failures=LOCK_AFTER), now)
        raise NotAuthenticated(WRONG)

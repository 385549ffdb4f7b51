"""An account's life after creation: listing, changing, disabling, enabling, password and authenticator resets.

Who may: an agency administrator for the people of its own agency, the installation admin
for anyone. Another agency's person is answered as missing (404), never as forbidden. An
agency administrator changes agency roles only; the installation roles (``admin``, ``watch``,
``auditor``) are the installation admin's to grant or take away.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.audit.tags import Action, Outcome
from commonground.domain.drafts import text
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StateConflict
from commonground.domain.model import Role, User
from commonground.domain.permissions import grantable
from commonground.domain.policy import parse_enum
from commonground.domain.timewindow import parse_instant
from commonground.service.accounts import hash_token
from commonground.service.passwords import hash_password
from commonground.service.ports import Clock, Page, Store, UserFilter
from commonground.service.principal import Principal

RESET_LIFETIME = timedelta(hours=24)
MIN_PASSWORD = 12


@dataclass(frozen=True, slots=True)
class PasswordReset:
    """A set-password token (shown once) and when it stops working."""

    user_id: str
    token: str
    expires_at: datetime


@dataclass
class Lifecycle:
    store: Store
    clock: Clock
    inactive_days: int = 90
    temporary_max_hours: int = 72

    def list(self, who: Principal, where: UserFilter, limit: int, after: str | None) -> Page[User]:
        """People the caller administers: the own agency's, or, for the installation admin, any."""
        if not (who.has(Role.ADMIN) or who.has(Role.AGENCY_ADMIN)):
            raise NotPermitted("administrators list users")
        if not who.has(Role.ADMIN):
            if where.agency_id not in (None, who.agency.id):
                return Page([], None)
            where = replace(where, agency_id=who.agency.id)
        with self.store.read() as tx:
            return tx.people.page(where, limit, after)

    def get(self, who: Principal, user_id: str) -> User:
        with self.store.read() as tx:
            return self._visible(who, tx.people.get(user_id))

    def update(self, who: Principal, user_id: str, data: Mapping[str, Any]) -> User:
        """Change display name, phone, e-mail or roles; audited with the fields changed."""
        with self.store.write() as tx:
            user = self._visible(who, tx.people.get(user_id))
            changed = user
            if "display_name" in data:
                changed = replace(changed, display_name=text(data, "display_name", "display_name", required=True) or "")
            if "phone" in data:
                changed = replace(changed, phone=text(data, "phone", "phone", required=False, limit=40))
            if "email" in data:
                changed = replace(changed, email=text(data, "email", "email", required=False))
            if "roles" in data:
                changed = replace(changed, roles=self._roles(who, user, data["roles"]))
            if "expires_at" in data:
                changed = replace(changed, expires_at=self._expiry(data["expires_at"]))
            fields = sorted(f for f in ("display_name", "phone", "email", "roles", "expires_at") if f in data)
            tx.people.update(changed)
            entry = who.entry(Action.USER_UPDATE, object_type="user", object_id=user.id, fields=fields)
            if changed.roles != user.roles:
                entry = who.entry(
                    Action.USER_UPDATE,
                    object_type="user",
                    object_id=user.id,
                    fields=fields,
                    old_roles=sorted(user.roles),
                    new_roles=sorted(changed.roles),
                )
            tx.audit.append(entry, self.clock.now())
        return changed

    def disable(self, who: Principal, user_id: str) -> User:
        """Stop the person at once: every bearer token revoked, every console session ended."""
        if user_id == who.user.id:
            raise StateConflict("an administrator cannot disable their own account")
        now = self.clock.now()
        with self.store.write() as tx:
            user = self._visible(who, tx.people.get(user_id))
            changed = replace(user, disabled=True)
            tx.people.update(changed)
            revoked = tx.tokens.revoke_of_user(user.id, now)
            tx.signin.delete_sessions_of(user.id)
            tx.audit.append(
                who.entry(Action.USER_DISABLE, object_type="user", object_id=user.id, tokens_revoked=revoked), now
            )
        return changed

    def enable(self, who: Principal, user_id: str) -> User:
        """Let a disabled person sign in again (their old tokens stay revoked)."""
        with self.store.write() as tx:
            user = self._visible(who, tx.people.get(user_id))
            changed = replace(user, disabled=False)
            tx.people.update(changed)
            tx.audit.append(who.entry(Action.USER_ENABLE, object_type="user", object_id=user.id), self.clock.now())
        return changed

    def reset_password(self, who: Principal, user_id: str) -> PasswordReset:
        """Issue a one-time set-password token, valid 24 hours; an earlier unused one stops working."""
        now = self.clock.now()
        token = "cg_" + secrets.token_urlsafe(32)
        with self.store.write() as tx:
            user = self._visible(who, tx.people.get(user_id))
            tx.people.add_reset(hash_token(token), user.id, now, now + RESET_LIFETIME)
            tx.audit.append(who.entry(Action.USER_PASSWORD_RESET, object_type="user", object_id=user.id), now)
        return PasswordReset(user.id, token, now + RESET_LIFETIME)

    def reset_mfa(self, who: Principal, user_id: str) -> User:
        """Forget the person's authenticator and end their console sessions; the next sign-in enrols anew."""
        with self.store.write() as tx:
            user = self._visible(who, tx.people.get(user_id))
            tx.signin.delete_credential(user.id)
            tx.signin.delete_sessions_of(user.id)
            tx.audit.append(who.entry(Action.USER_MFA_RESET, object_type="user", object_id=user.id), self.clock.now())
        return user

    def set_password(self, token: str, password: object) -> None:
        """Use a set-password token once: the new password replaces the old; sessions end."""
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise InvalidInput("password", f"must be at least {MIN_PASSWORD} characters")
        now = self.clock.now()
        hashed = hash_password(password)
        with self.store.write() as tx:
            user_id = tx.people.take_reset(hash_token(token), now) if token else None
            if user_id is not None:
                tx.people.set_password(user_id, hashed)
                tx.signin.clear_failures(user_id)
                tx.signin.delete_sessions_of(user_id)
                tx.audit.append(
                    AuditEntry(
                        Action.AUTH_PASSWORD_SET,
                        Outcome.SUCCESS,
                        actor_user_id=user_id,
                        object_type="user",
                        object_id=user_id,
                        details={"via": "set-password token"},
                    ),
                    now,
                )
        if user_id is None:
            raise InvalidInput("token", "unknown, used or expired")

    def expire(self) -> int:
        """Disable temporary accounts past ``expires_at`` and accounts unused for ``inactive_days``; audited."""
        now = self.clock.now()
        with self.store.write() as tx:
            found = [(u, "expired") for u in tx.people.expired(now)]
            if self.inactive_days > 0:
                seen = {u.id for u, _ in found}
                idle = tx.people.stale(now - timedelta(days=self.inactive_days), now)
                found += [(u, "inactive") for u in idle if u.id not in seen]
            for user, reason in found:
                tx.people.update(replace(user, disabled=True))
                revoked = tx.tokens.revoke_of_user(user.id, now)
                tx.signin.delete_sessions_of(user.id)
                tx.audit.append(
                    AuditEntry(
                        Action.USER_DISABLE,
                        Outcome.SUCCESS,
                        actor_user_id=None,
                        object_type="user",
                        object_id=user.id,
                        details={"via": "sweep", "reason": reason, "tokens_revoked": revoked},
                    ),
                    now,
                )
        return len(found)

    def _expiry(self, raw: object) -> datetime | None:
        if raw is None:
            return None
        at = parse_instant(raw, "expires_at")
        now = self.clock.now()
        if at <= now:
            raise InvalidInput("expires_at", "must be in the future")
        if at > now + timedelta(hours=self.temporary_max_hours):
            raise InvalidInput("expires_at", f"must be within {self.temporary_max_hours} hours")
        return at

    def _visible(self, who: Principal, user: User | None) -> User:
        if not (who.has(Role.ADMIN) or who.has(Role.AGENCY_ADMIN)):
            raise NotPermitted("administrators manage users")
        if user is None or not (who.has(Role.ADMIN) or user.agency_id == who.agency.id):
            raise NotFound("no such user")
        return user

    def _roles(self, who: Principal, user: User, raw: object) -> frozenset[Role]:
        if not isinstance(raw, list) or not raw:
            raise InvalidInput("roles", "must be a non-empty list of roles")
        roles = frozenset(parse_enum(Role, r, f"roles.{i}") for i, r in enumerate(raw))
        if (roles ^ user.roles) - grantable(who.user.roles):
            raise NotPermitted("only the installation admin grants or removes the admin, watch and auditor roles")
        return roles

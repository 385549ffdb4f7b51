"""Agencies, users, passwords and bearer tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commonground.audit.chain import AuditEntry
from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action, Outcome
from commonground.domain.drafts import text
from commonground.domain.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted, StateConflict
from commonground.domain.jurisdictions import MAX_JURISDICTION_KM2, MAX_JURISDICTION_VERTICES, parse_jurisdiction
from commonground.domain.model import Agency, Role, User
from commonground.domain.notices import jurisdiction_box
from commonground.domain.permissions import Permission, grantable, permits
from commonground.domain.policy import AgencyLevel, Policy, parse_enum
from commonground.domain.scopes import Scope, beyond_roles
from commonground.domain.scopes import parse as parse_scopes
from commonground.domain.strings import encodable
from commonground.domain.timewindow import isoformat, parse_instant
from commonground.service.clock import new_id
from commonground.service.missions import check_exceptions
from commonground.service.passwords import hash_password
from commonground.service.ports import Clock, Store, TokenRecord
from commonground.service.principal import Principal
from commonground.service.signin_limits import SourceLimit, bad_token_limit

ORI = re.compile(r"^[A-Z0-9]{9}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
INSTALLATION_ORI = "CGINSTALL"
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)
# A token's own look-up quota: a CAD link for a whole 911 centre needs far more than one person's.
MAX_TOKEN_LOOKUPS_PER_HOUR = 20_000


def lookup_quota(value: object, scopes: frozenset[Scope] | None) -> int | None:
    """Validate a token's ``lookup_limit_per_hour``: a whole number 1-20,000, on a token that may look up."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TOKEN_LOOKUPS_PER_HOUR:
        raise InvalidInput("lookup_limit_per_hour", f"must be a whole number from 1 to {MAX_TOKEN_LOOKUPS_PER_HOUR:,}")
    if scopes is not None and Scope.LOOKUP not in scopes:
        raise InvalidInput("lookup_limit_per_hour", "the token's scopes leave look-ups out")
    return value


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Accounts:
    store: Store
    clock: Clock
    max_vertices: int = MAX_JURISDICTION_VERTICES  # a jurisdiction's positions, holes included
    bad_tokens: SourceLimit = field(default_factory=bad_token_limit)
    max_jurisdiction_km2: float = MAX_JURISDICTION_KM2

    # --- agencies --------------------------------------------------------------------
    def create_agency(self, who: Principal | None, data: Mapping[str, Any]) -> Agency:
        if who is not None and not who.may(Permission.INSTALLATION_ADMIN):
            raise NotPermitted("only the installation admin creates agencies")
        ori = (text(data, "ori", "ori", required=True) or "").upper()
        if not ORI.match(ori):
            raise InvalidInput("ori", "must be 9 letters or digits")
        timezone = text(data, "timezone", "timezone", required=True) or ""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("timezone", "must be an IANA time zone such as America/Chicago") from None
        policy = Policy.from_dict(data["policy"]) if isinstance(data.get("policy"), Mapping) else Policy()
        shape = parse_jurisdiction(
            data.get("jurisdiction"), max_vertices=self.max_vertices, max_km2=self.max_jurisdiction_km2
        )
        agency = Agency(
            id=new_id(),
            ori=ori,
            name=text(data, "name", "name", required=True) or "",
            level=parse_enum(AgencyLevel, data.get("level"), "level"),
            duty_phone=text(data, "duty_phone", "duty_phone", required=True, limit=40) or "",
            timezone=timezone,
            jurisdiction=None if shape is None else shape.rings,
            policy=policy,
            created_at=self.clock.now(),
            jurisdiction_holes=() if shape is None else shape.holes,
        )
        with self.store.write() as tx:
            if tx.agencies.by_ori(ori) is not None:
                raise InvalidInput("ori", "an agency with this ORI exists already")
            tx.agencies.add(agency)
            tx.agencies.set_jurisdiction_box(
                agency.id, jurisdiction_box(agency.jurisdiction) if agency.jurisdiction else None
            )
            if who is not None:
                tx.audit.append(
                    who.entry(Action.AGENCY_CREATE, object_type="agency", object_id=agency.id, ori=ori),
                    self.clock.now(),
                )
        return agency

    def set_jurisdiction(self, who: Principal, agency_id: str, geojson: object) -> Agency:
        """Replace the agency's jurisdiction (GeoJSON), or clear it with ``None``."""
        if not (who.has(Role.AGENCY_ADMIN) and who.agency.id == agency_id) and not who.has(Role.ADMIN):
            raise NotPermitted("only the agency's administrator or the installation admin sets its jurisdiction")
        shape = parse_jurisdiction(geojson, max_vertices=self.max_vertices, max_km2=self.max_jurisdiction_km2)
        rings = None if shape is None else shape.rings
        holes = () if shape is None else shape.holes
        with self.store.write() as tx:
            agency = tx.agencies.get(agency_id)
            if agency is None:
                raise NotFound("no such agency")
            changed = replace(agency, jurisdiction=rings, jurisdiction_holes=holes)
            tx.agencies.set_jurisdiction(agency_id, rings, holes)
            tx.agencies.set_jurisdiction_box(agency_id, jurisdiction_box(rings) if rings else None)
            entry = who.entry(
                Action.AGENCY_JURISDICTION_UPDATE, object_type="agency", object_id=agency_id, rings=len(rings or ())
            )
            if holes:  # absent when there are none, as before holes were kept
                entry = replace(entry, details={**(entry.details or {}), "holes": sum(len(h) for h in holes)})
            tx.audit.append(entry, self.clock.now())
        return changed

    def get_agency(self, agency_id: str) -> Agency:
        with self.store.read() as tx:
            agency = tx.agencies.get(agency_id)
        if agency is None:
            raise NotFound("no such agency")
        return agency

    def set_policy(self, who: Principal, agency_id: str, data: Mapping[str, Any]) -> Policy:
        if not (who.has(Role.AGENCY_ADMIN) and who.agency.id == agency_id):
            raise NotPermitted("only the agency's own administrator sets its sharing policy")
        with self.store.write() as tx:
            agency = tx.agencies.get(agency_id)
            if agency is None:
                raise NotFound("no such agency")
            policy = Policy.from_dict(data, version=agency.policy.version + 1)
            check_exceptions(tx, agency_id, data)
            tx.agencies.set_policy(agency_id, policy)
            tx.audit.append(
                who.entry(
                    Action.AGENCY_POLICY_UPDATE,
                    object_type="agency",
                    object_id=agency_id,
                    old=agency.policy.to_dict(),
                    new=policy.to_dict(),
                ),
                self.clock.now(),
            )
        return policy

    # --- users -----------------------------------------------------------------------
    def create_user(self, who: Principal | None, data: Mapping[str, Any]) -> User:
        agency_id = text(data, "agency_id", "agency_id", required=True) or ""
        if who is not None and not (who.has(Role.ADMIN) or (who.has(Role.AGENCY_ADMIN) and who.agency.id == agency_id)):
            raise NotPermitted("agency administrators create users for their own agency only")
        username = (text(data, "username", "username", required=True) or "").lower()
        if not USERNAME.match(username):
            raise InvalidInput("username", "2-80 lower-case letters, digits, '.', '_' or '-'")
        raw_roles = data.get("roles")
        if not isinstance(raw_roles, list) or not raw_roles:
            raise InvalidInput("roles", "must be a non-empty list of roles")
        roles = frozenset(parse_enum(Role, r, f"roles.{i}") for i, r in enumerate(raw_roles))
        refused = sorted(roles - grantable(who.user.roles)) if who is not None else []
        if who is not None and refused:
            # An attempt to grant what one does not administer is worth a record; it is committed first.
            with self.store.write() as tx:
                tx.audit.append(
                    who.entry(
                        Action.USER_CREATE,
                        outcome=Outcome.DENIED,
                        object_type="user",
                        username=Keyed(username),
                        roles=refused,
                        reason="role not grantable",
                    ),
                    self.clock.now(),
                )
            raise NotPermitted("only the installation admin grants " + ", ".join(refused))
        password = data.get("password")
        if password is not None and (not isinstance(password, str) or len(password) < 12):
            raise InvalidInput("password", "must be at least 12 characters")
        if password is not None:
            encodable(password, "password")
        user = User(
            id=new_id(),
            agency_id=agency_id,
            username=username,
            display_name=text(data, "display_name", "display_name", required=True) or "",
            roles=roles,
            phone=text(data, "phone", "phone", required=False, limit=40),
            email=text(data, "email", "email", required=False),
        )
        with self.store.write() as tx:
            if tx.agencies.get(agency_id) is None:
                raise InvalidInput("agency_id", "no such agency")
            if tx.people.by_username(username) is not None:
                raise InvalidInput("username", "is taken")
            tx.people.add(user, hash_password(password) if password else None)
            if who is not None:
                tx.audit.append(
                    who.entry(
                        Action.USER_CREATE,
                        object_type="user",
                        object_id=user.id,
                        username=Keyed(username),
                        roles=sorted(roles),
                    ),
                    self.clock.now(),
                )
        return user

    # --- tokens and sign-in ----------------------------------------------------------
    def create_token(
        self,
        who: Principal | None,
        user_id: str,
        name: str,
        expires_at: object = None,
        scopes: Iterable[str] | None = None,
        lookup_limit_per_hour: object = None,
    ) -> tuple[str, TokenRecord]:
        """Return a new bearer token (shown once) and what is stored of it (its hash).

        ``scopes`` limit it (None: everything the user's roles allow); a scope the roles give
        nothing under is refused, since it would only mislead whoever reads the token list."""
        name = text({"name": name}, "name", "name", required=True, limit=120) or ""  # the console form's value too
        now = self.clock.now()
        expires = now + DEFAULT_TOKEN_LIFETIME if expires_at is None else parse_instant(expires_at, "expires_at")
        if expires <= now:
            raise InvalidInput("expires_at", "must be in the future")
        limited = None if scopes is None else parse_scopes(scopes)
        if limited is not None and not limited:
            raise InvalidInput("scopes", "name at least one scope, or leave scopes out for all the roles allow")
        quota = lookup_quota(lookup_limit_per_hour, limited)
        token = "cg_" + secrets.token_urlsafe(32)  # 256 random bits
        record = TokenRecord(new_id(), user_id, name, hash_token(token), now, expires, limited, quota)
        listed = None if limited is None else sorted(limited)
        with self.store.write() as tx:
            user = tx.people.get(user_id)
            if user is None:
                raise InvalidInput("user_id", "no such user")
            if who is not None and not (
                who.has(Role.ADMIN) or (who.has(Role.AGENCY_ADMIN) and who.agency.id == user.agency_id)
            ):
                raise NotFound("no such user")
            idle = beyond_roles(user.roles, limited or ())
            if idle:
                raise InvalidInput("scopes", f"the user's roles give nothing under {', '.join(sorted(idle))}")
            if quota is not None and not permits(user.roles, Permission.LOOKUP):
                raise InvalidInput("lookup_limit_per_hour", "the user's roles make no look-ups (dispatchers do)")
            tx.tokens.add(record)
            actor = (
                who.entry(
                    Action.AUTH_TOKEN_CREATE,
                    object_type="token",
                    object_id=record.id,
                    for_user=user_id,
                    scopes=listed,
                    lookup_limit_per_hour=quota,
                )
                if who
                else AuditEntry(
                    Action.AUTH_TOKEN_CREATE,
                    Outcome.SUCCESS,
                    actor_user_id=None,
                    object_type="token",
                    object_id=record.id,
                    details={"for_user": user_id, "via": "cli", "scopes": listed, "lookup_limit_per_hour": quota},
                )
            )
            tx.audit.append(actor, now)
        return token, record

    def list_tokens(self, who: Principal) -> list[dict[str, Any]]:
        """The tokens an administrator answers for: the agency's, or every one for the installation admin."""
        if not who.may(Permission.MANAGE_USERS):
            raise NotPermitted("administrators list tokens")
        with self.store.read() as tx:
            found = tx.tokens.of_agency(None if who.has(Role.ADMIN) else who.agency.id)
        return [
            {
                "id": record.id,
                "name": record.name,
                "user_id": user.id,
                "username": user.username,
                "created_at": isoformat(record.created_at),
                "expires_at": isoformat(record.expires_at) if record.expires_at else None,
                "revoked_at": isoformat(revoked) if revoked else None,
                "scopes": None if record.scopes is None else sorted(record.scopes),
                "lookup_limit_per_hour": record.lookup_limit_per_hour,
            }
            for record, user, revoked in found
        ]

    def revoke_token(self, who: Principal, token_id: str) -> None:
        """Stop a token at once (a lost phone, a retired CAD link); audited."""
        visible = {t["id"]: t for t in self.list_tokens(who)}
        if token_id not in visible:
            raise NotFound("no such token")
        now = self.clock.now()
        with self.store.write() as tx:
            if not tx.tokens.revoke(token_id, now):
                raise StateConflict("the token is already revoked")
            tx.audit.append(
                who.entry(
                    Action.AUTH_TOKEN_REVOKE,
                    object_type="token",
                    object_id=token_id,
                    for_user=visible[token_id]["user_id"],
                ),
                now,
            )

    def authenticate(self, token: str, source: str | None = None) -> Principal:
        """Resolve a bearer token; a ``source`` that sent too many bad ones is refused (429) before looking."""
        if source is None:
            return self._resolve(token)
        now = self.clock.now()
        self.bad_tokens.check(source, now)
        try:
            return self._resolve(token)
        except NotAuthenticated:
            self.bad_tokens.count(source, now)
            raise

    def _resolve(self, token: str) -> Principal:
        with self.store.read() as tx:
            found = tx.tokens.principal(hash_token(token))
        if found is None:
            raise NotAuthenticated("missing, unknown or expired token")
        record, user, agency = found
        if not user.usable(self.clock.now()) or (
            record.expires_at is not None and record.expires_at <= self.clock.now()
        ):
            raise NotAuthenticated("missing, unknown or expired token")
        return Principal(user, agency, record.scopes, record.lookup_limit_per_hour)

    def bootstrap_admin(self, username: str) -> tuple[User, str | None]:
        """Create the installation admin (and the installation's own agency) once."""
        with self.store.read() as tx:
            home = tx.agencies.by_ori(INSTALLATION_ORI)
            existing = tx.people.by_username(username.lower())
            admins = tx.people.count_with_role(Role.ADMIN.value)
        if admins and existing is not None:
            return existing[0], None
        if home is None:
            home = self.create_agency(
                None,
                {
                    "ori": INSTALLATION_ORI,
                    "name": "Common Ground installation",
                    "level": "state",
                    "duty_phone": "+1 000 000 0000",
                    "timezone": "UTC",
                },
            )
        user = self.create_user(
            None,
            {
                "agency_id": home.id,
                "username": username,
                "display_name": "Installation admin",
                "roles": ["admin"],
            },
        )
        token, _ = self.create_token(None, user.id, "bootstrap")
        return user, token

    def token_for_username(
        self, username: str, name: str = "cli", scopes: Iterable[str] | None = None, lookup_limit: int | None = None
    ) -> str:
        with self.store.read() as tx:
            found = tx.people.by_username(username.lower())
        if found is None:
            raise NotFound(f"no user named {username}")
        token, _ = self.create_token(None, found[0].id, name, scopes=scopes, lookup_limit_per_hour=lookup_limit)
        return token

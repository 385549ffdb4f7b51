"""What a bearer token may reach: a small fixed vocabulary of scopes, each covering some permissions.

A token without scopes reaches everything its user's roles allow. A token with scopes reaches only
routes whose permission one of them covers, and never more than the roles allow: the role check
comes first, the scope check only takes away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from commonground.domain.errors import InvalidInput
from commonground.domain.model import Role
from commonground.domain.permissions import Permission, permits


class Scope(StrEnum):
    """A part of the API an integration may be limited to (docs/api.md, "Scopes")."""

    OPERATIONS = "operations"
    CONFLICTS = "conflicts"
    LOOKUP = "lookup"
    NOTICES = "notices"
    AUDIT = "audit"
    ADMIN = "admin"


# The scope each permission needs; None: any token, scoped or not (public routes, and the agency
# directory and installation identity every caller reads). Every permission has a row, and a test
# fails when a route's permission has none (tests/functional/test_token_scopes.py).
NEEDS: Mapping[Permission, Scope | None] = {
    Permission.PUBLIC: None,
    Permission.AUTHENTICATED: None,
    Permission.INSTALLATION_ADMIN: Scope.ADMIN,
    Permission.AGENCY_ADMIN: Scope.ADMIN,
    Permission.MANAGE_USERS: Scope.ADMIN,
    Permission.OPERATIONS: Scope.OPERATIONS,
    Permission.ENTER_OPERATIONS: Scope.OPERATIONS,
    Permission.AGENCY_OPERATIONS: Scope.OPERATIONS,
    Permission.CONFLICTS: Scope.CONFLICTS,
    Permission.RESOLVE_CONFLICTS: Scope.CONFLICTS,
    Permission.LOOKUP: Scope.LOOKUP,
    Permission.VERIFY: Scope.LOOKUP,
    Permission.NOTICES: Scope.NOTICES,
    Permission.RESPOND_NOTICES: Scope.NOTICES,
    Permission.INCIDENTS: Scope.NOTICES,
    Permission.ACKNOWLEDGE_INCIDENTS: Scope.NOTICES,
    Permission.AUDIT: Scope.AUDIT,
    Permission.AUDIT_CHECKPOINTS: Scope.AUDIT,
    Permission.DELIVERIES: Scope.ADMIN,
    Permission.WATCH_CENTER: Scope.OPERATIONS,
    Permission.INSTALLATION_PLACES: Scope.ADMIN,  # a set of places is configuration, as an agency's is
    Permission.REPORTS: Scope.AUDIT,
    Permission.CASE_TARGETS: Scope.OPERATIONS,
}


def needed(permission: Permission) -> Scope | None:
    """Return the scope a route declaring ``permission`` needs; a permission with no row is a bug."""
    return NEEDS[permission]


def reaches(scopes: frozenset[Scope] | None, permission: Permission) -> bool:
    """Say whether a token with ``scopes`` (None: unscoped) reaches a route declaring ``permission``."""
    scope = needed(permission)
    return scopes is None or scope is None or scope in scopes


def hears(scopes: frozenset[Scope] | None, kind: str) -> bool:
    """Say whether a token with ``scopes`` hears a live event of ``kind`` on the stream.

    The stream itself needs ``notices``; a conflict event needs ``conflicts`` besides, as
    reading the conflict would. Notices and look-up alerts are what ``notices`` is for."""
    return scopes is None or (Scope.CONFLICTS if kind.startswith("conflict.") else Scope.NOTICES) in scopes


def beyond_roles(roles: frozenset[Role], scopes: Iterable[Scope]) -> list[Scope]:
    """Return the scopes none of whose permissions ``roles`` carry: asking for them would grant nothing."""
    return [
        scope
        for scope in scopes
        if not any(permits(roles, permission) for permission, s in NEEDS.items() if s is scope)
    ]


def parse(values: Iterable[str], field: str = "scopes") -> frozenset[Scope]:
    """Return the scopes ``values`` name; an unknown name is refused, naming ``field``."""
    out = set()
    for value in values:
        try:
            out.add(Scope(value))
        except ValueError:
            raise InvalidInput(field, f"unknown scope {value!r}; one of {', '.join(Scope)}") from None
    return frozenset(out)

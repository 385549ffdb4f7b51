"""What a caller may do, named once: routes declare a ``Permission`` and services check the same one."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from commonground.domain.model import Role


class Permission(StrEnum):
    """A capability; a route that declares none fails a test (tests/functional/test_route_permissions.py)."""

    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    INSTALLATION_ADMIN = "installation_admin"
    AGENCY_ADMIN = "agency_admin"
    MANAGE_USERS = "manage_users"
    OPERATIONS = "operations"
    ENTER_OPERATIONS = "enter_operations"
    AGENCY_OPERATIONS = "agency_operations"
    CONFLICTS = "conflicts"
    RESOLVE_CONFLICTS = "resolve_conflicts"
    LOOKUP = "lookup"
    VERIFY = "verify"  # on scene: is a registered team here, who is it, how do I reach it
    NOTICES = "notices"
    RESPOND_NOTICES = "respond_notices"
    INCIDENTS = "incidents"  # read the critical incidents the agency reported or was told of
    ACKNOWLEDGE_INCIDENTS = "acknowledge_incidents"
    AUDIT = "audit"
    AUDIT_CHECKPOINTS = "audit_checkpoints"
    DELIVERIES = "deliveries"  # list and redeliver: an agency's admin (its own), the installation admin (any)
    WATCH_CENTER = "watch_center"
    INSTALLATION_PLACES = "installation_places"  # load and read the installation-wide sensitive places
    REPORTS = "reports"
    CASE_TARGETS = "case_targets"  # register, read and delete the agency's case targets (docs/targets.md)


# The roles that hold each permission; PUBLIC and AUTHENTICATED need none.
ROLES: Mapping[Permission, frozenset[Role]] = {
    Permission.INSTALLATION_ADMIN: frozenset({Role.ADMIN}),
    Permission.AGENCY_ADMIN: frozenset({Role.AGENCY_ADMIN}),
    Permission.MANAGE_USERS: frozenset({Role.AGENCY_ADMIN, Role.ADMIN}),
    Permission.OPERATIONS: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.WATCH}),
    Permission.ENTER_OPERATIONS: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Permission.AGENCY_OPERATIONS: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.AGENCY_ADMIN}),
    Permission.CONFLICTS: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.WATCH}),
    Permission.RESOLVE_CONFLICTS: frozenset({Role.SUPERVISOR, Role.WATCH}),
    Permission.LOOKUP: frozenset({Role.DISPATCHER}),
    Permission.VERIFY: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.DISPATCHER, Role.WATCH}),
    Permission.NOTICES: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.DISPATCHER, Role.WATCH, Role.AGENCY_ADMIN}),
    # The host agency's supervisors, dispatchers and administrators answer for it (watch-commander-like roles).
    Permission.RESPOND_NOTICES: frozenset({Role.SUPERVISOR, Role.DISPATCHER, Role.AGENCY_ADMIN}),
    Permission.INCIDENTS: frozenset({Role.OFFICER, Role.SUPERVISOR, Role.DISPATCHER, Role.WATCH, Role.AGENCY_ADMIN}),
    # Who answers for a host or conflicting agency that it has heard of an incident, and the watch center.
    Permission.ACKNOWLEDGE_INCIDENTS: frozenset({Role.SUPERVISOR, Role.DISPATCHER, Role.AGENCY_ADMIN, Role.WATCH}),
    Permission.AUDIT: frozenset({Role.AUDITOR}),
    Permission.AUDIT_CHECKPOINTS: frozenset({Role.AUDITOR, Role.ADMIN}),
    Permission.DELIVERIES: frozenset({Role.AGENCY_ADMIN, Role.ADMIN}),
    Permission.WATCH_CENTER: frozenset({Role.WATCH}),
    Permission.INSTALLATION_PLACES: frozenset({Role.WATCH}),
    Permission.REPORTS: frozenset({Role.AUDITOR, Role.WATCH, Role.AGENCY_ADMIN}),
    Permission.CASE_TARGETS: frozenset({Role.OFFICER, Role.SUPERVISOR}),
}


# Roles an agency's own administrator answers for, and roles that reach past one agency: the watch
# reads every agency's operations, the auditor every agency's log, the admin everything.
AGENCY_ROLES: frozenset[Role] = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.DISPATCHER, Role.AGENCY_ADMIN})
INSTALLATION_ROLES: frozenset[Role] = frozenset({Role.WATCH, Role.AUDITOR, Role.ADMIN})


def grantable(roles: frozenset[Role]) -> frozenset[Role]:
    """Return the roles someone holding ``roles`` may grant: all for the admin, agency roles for an agency admin."""
    if Role.ADMIN in roles:
        return AGENCY_ROLES | INSTALLATION_ROLES
    if Role.AGENCY_ADMIN in roles:
        return AGENCY_ROLES
    return frozenset()


def permits(roles: frozenset[Role], permission: Permission) -> bool:
    """Say whether someone holding ``roles`` has ``permission``."""
    allowed = ROLES.get(permission)
    return allowed is None or bool(roles & allowed)

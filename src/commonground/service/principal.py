"""Who is asking: the signed-in user and their agency."""

from __future__ import annotations

from dataclasses import dataclass

from commonground.audit.chain import AuditEntry
from commonground.domain.disclosure import Viewer
from commonground.domain.model import Agency, Role, User
from commonground.domain.permissions import Permission, permits
from commonground.domain.scopes import Scope, reaches


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    agency: Agency
    scopes: frozenset[Scope] | None = None  # a scoped bearer token's; None: all the roles allow
    lookup_limit: int | None = None  # a bearer token's own hourly look-up quota; None: the installation's
    outside: bool = False  # reading for a file that leaves the installation (an export): disclosure says less

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.agency.id, self.agency.level, self.user.roles, self.agency.missions, outside=self.outside)

    def has(self, *roles: Role) -> bool:
        return self.user.has(*roles)

    def may(self, permission: Permission) -> bool:
        """Say whether the roles carry ``permission`` (the vocabulary routes declare) and the token reaches it."""
        return permits(self.user.roles, permission) and reaches(self.scopes, permission)

    def entry(
        self,
        action: str,
        outcome: str = "success",
        object_type: str | None = None,
        object_id: str | None = None,
        **details: object,
    ) -> AuditEntry:
        """Build an audit entry with this principal as the actor."""
        return AuditEntry(
            action=action,
            outcome=outcome,
            actor_user_id=self.user.id,
            actor_agency_id=self.agency.id,
            object_type=object_type,
            object_id=object_id,
            details=dict(details) or None,
        )

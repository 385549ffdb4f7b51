"""One operation entered and checked everywhere: here, at every peer, with the peers' notices.

The API's ``POST /operations`` and ``commonground import operations`` enter operations the same
way, so a row of a CSV file finds the conflicts an API submission would, across installations too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commonground.domain.model import Operation
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.domain.views import ConflictView, OperationView
from commonground.service.federation import Checked, Federation
from commonground.service.federation_notices import FederatedNotices
from commonground.service.federation_workflow import ConflictWorkflow
from commonground.service.operations import Operations
from commonground.service.principal import Principal


@dataclass(frozen=True, slots=True)
class Entered:
    """An entered operation with what was found: conflicts here, the peers' answer and the pairs with theirs."""

    view: OperationView
    conflicts: Sequence[ConflictView]
    checked: Checked
    remote: Sequence[RemoteConflict]


@dataclass(frozen=True, slots=True)
class Intake:
    operations: Operations
    federation: Federation
    workflow: ConflictWorkflow
    notices: FederatedNotices

    def submit(self, who: Principal, data: Mapping[str, Any]) -> Entered:
        """Store ``data`` as an operation of ``who``'s agency (or a phone-in's), check it here and at the peers."""
        acting = self.operations.acting_for(who, data)
        op, view, conflicts = self.operations.enter(acting, data)
        checked, remote = self.probe(acting, view, changed=False, op=op)
        self.notices.after_check(acting, view.id, checked, op)
        return Entered(view, conflicts, checked, remote)

    def probe(
        self, who: Principal, view: OperationView, *, changed: bool, op: Operation | None = None
    ) -> tuple[Checked, Sequence[RemoteConflict]]:
        """Probe the peers, close (on a change) the pairs they no longer find, and return the pairs still open.

        ``op`` is the operation as just stored, when the caller has it (else it is read)."""
        probed_at = self.federation.clock.now()
        checked = self.federation.check(who, view, op, new=not changed)
        return checked, self.workflow.moved_apart(who, view.id, checked, probed_at, changed=changed)

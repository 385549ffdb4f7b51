"""Read back what a use-case stored, without depending on the shape of what it returned."""

from __future__ import annotations

from typing import Any

from commonground.audit.chain import AuditEntry
from commonground.bootstrap import Services
from commonground.domain.model import Conflict, Operation
from commonground.service.ports import OperationFilter
from commonground.service.principal import Principal
from tests.conftest import World, operation_data


def audit_of(services: Services, action: str) -> list[AuditEntry]:
    """Every audit entry of ``action``, oldest first."""
    with services.store.read() as tx:
        return [r.entry for r in tx.audit.all() if r.entry.action == action]


def outcomes(services: Services, action: str) -> list[tuple[str | None, str]]:
    """(actor, outcome) of every audit entry of ``action``, oldest first."""
    return [(e.actor_user_id, e.outcome) for e in audit_of(services, action)]


def operation(services: Services, operation_id: str) -> Operation:
    with services.store.read() as tx:
        found = tx.operations.get(operation_id)
    assert found is not None
    return found


def operations_of(services: Services, who: Principal) -> list[Operation]:
    with services.store.read() as tx:
        return list(tx.operations.page(OperationFilter(who.agency.id), 1000, None).items)


def submitted(world: World, who: Principal, *args: Any, **data: Any) -> Operation:
    """Submit through the use-case and return the operation as stored (found by its case number)."""
    body = operation_data(*args, **data)
    world.services.operations.submit(who, body)
    [op] = [op for op in operations_of(world.services, who) if op.case_number == body["case_number"]]
    return op


def conflicts_of(services: Services, operation_id: str) -> list[Conflict]:
    with services.store.read() as tx:
        return tx.conflicts.of_operation(operation_id)


def conflict(services: Services, conflict_id: str) -> Conflict:
    with services.store.read() as tx:
        found = tx.conflicts.get(conflict_id)
    assert found is not None
    return found

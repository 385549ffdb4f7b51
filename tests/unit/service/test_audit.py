"""Audit use-cases: only auditors read the log and the report, each read is itself audited, the chain verifies."""

from __future__ import annotations

import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import Services
from commonground.domain.errors import NotPermitted
from commonground.service.ports import AuditFilter
from commonground.service.principal import Principal
from tests.conftest import World
from tests.unit.service.helpers import audit_of, submitted


@pytest.fixture
def auditor(world: World) -> Principal:
    return world.person(world.agency(), "auditor")


@pytest.mark.parametrize("role", ["supervisor", "watch", "agency_admin", "admin"])
def test_only_auditors_read_the_log_and_the_report(world: World, services: Services, role: str) -> None:
    """Every other role is refused, and a refused read leaves no read record."""
    who = world.person(world.agency(), role)
    with pytest.raises(NotPermitted):
        services.audit.search(who, AuditFilter(), 10, None)
    with pytest.raises(NotPermitted):
        services.audit.transparency(who)
    assert audit_of(services, Action.AUDIT_READ) == audit_of(services, Action.REPORT_READ) == []


def test_an_auditors_search_is_filtered_and_itself_recorded(
    world: World, services: Services, auditor: Principal
) -> None:
    """The filter narrows what is returned; the read is appended with how many records it returned."""
    submitted(world, world.person(world.agency()))
    page = services.audit.search(auditor, AuditFilter(action=Action.OPERATION_CREATE.value), 10, None)
    assert len(page.items) == 1 and page.next is None
    [record] = audit_of(services, Action.AUDIT_READ)
    assert (record.actor_user_id, record.details) == (auditor.user.id, {"returned": 1})
    services.audit.transparency(auditor)
    [report] = audit_of(services, Action.REPORT_READ)
    assert (report.actor_user_id, report.details) == (auditor.user.id, {"report": "transparency"})


def test_the_chain_verifies_over_everything_the_use_cases_wrote(
    world: World, services: Services, auditor: Principal
) -> None:
    """Every record written by the use-cases so far is checked, and the chain is intact."""
    one, two = world.person(world.agency()), world.person(world.agency())
    submitted(world, one)
    submitted(world, two, 44.9785, -93.2645)
    services.audit.search(auditor, AuditFilter(), 1000, None)
    with services.store.read() as tx:
        written = len(list(tx.audit.all()))
    verdict = services.audit.verify()
    assert verdict.intact and verdict.checked == written and written > 10

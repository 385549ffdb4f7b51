"""What a page an agency reads costs: it must not grow with what the agency has.

The measured finding (docs/performance.md, change 5): ``GET /api/v1/operations?limit=1`` sorted
all of the agency's operations by id to return one, about 4 ms of server CPU at 1,000; a 911
centre's notices (one for every operation entered in its city) were sorted whole the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from commonground.bootstrap import Services
from commonground.service.ports import ConflictFilter, OperationFilter, Page
from tests.integration.repository_kit import conflict, notice
from tests.integration.sqlite_steps import steps_of
from tests.unit import factories
from tests.unit.factories import T0


def _vm_steps_of_first_page(services: Services, agency_id: str, which: str = "operations") -> int:
    """SQLite steps a one-row page of ``which`` takes."""
    with services.store.read() as tx:
        pages: dict[str, Callable[[], Page[Any]]] = {
            "operations": lambda: tx.operations.page(OperationFilter(agency_id), 1, None),
            "conflicts": lambda: tx.conflicts.page(ConflictFilter(agency_id), 1, None),
            "notices": lambda: tx.notices.page(agency_id, 1, None),
        }
        steps, page = steps_of(tx, pages[which])
    assert len(page.items) == 1 and page.next is not None
    return steps


def test_a_page_of_an_agency_s_operations_does_not_sort_them_all(services: Services) -> None:
    if services.store.engine.dialect.name != "sqlite":  # type: ignore[attr-defined]
        pytest.skip("counts SQLite's virtual-machine steps")
    small, large = factories.agency(created_at=T0), factories.agency(created_at=T0)
    with services.store.write() as tx:
        tx.agencies.add(small)
        tx.agencies.add(large)
        for owner, n in ((small, 20), (large, 2000)):
            for i in range(n):
                tx.operations.add(factories.operation(owner, lon=-93.265 + i * 1e-4))
    few, many = _vm_steps_of_first_page(services, small.id), _vm_steps_of_first_page(services, large.id)
    print(f"first page, SQLite steps: {few} at 20 operations, {many} at 2,000")
    assert many < 3 * few, (few, many)


def test_a_page_of_an_agency_s_notices_does_not_sort_them_all(services: Services) -> None:
    if services.store.engine.dialect.name != "sqlite":  # type: ignore[attr-defined]
        pytest.skip("counts SQLite's virtual-machine steps")
    owner, quiet, centre = (factories.agency(created_at=T0) for _ in range(3))
    with services.store.write() as tx:
        for agency in (owner, quiet, centre):
            tx.agencies.add(agency)
        op = factories.operation(owner)
        tx.operations.add(op)
        for agency, n in ((quiet, 20), (centre, 2000)):
            for _ in range(n):
                tx.notices.add(notice(op, agency.id))
    few = _vm_steps_of_first_page(services, quiet.id, "notices")
    many = _vm_steps_of_first_page(services, centre.id, "notices")
    print(f"first page of notices, SQLite steps: {few} at 20, {many} at 2,000")
    assert many < 3 * few, (few, many)


def test_a_page_of_an_agency_s_conflicts_does_not_sort_them_all(services: Services) -> None:
    """The agency may be either side of a conflict: both sides' conflicts were gathered and sorted."""
    if services.store.engine.dialect.name != "sqlite":  # type: ignore[attr-defined]
        pytest.skip("counts SQLite's virtual-machine steps")
    quiet, busy, other = (factories.agency(created_at=T0) for _ in range(3))
    with services.store.write() as tx:
        for agency in (quiet, busy, other):
            tx.agencies.add(agency)
        theirs = factories.operation(other)
        tx.operations.add(theirs)
        for agency, n in ((quiet, 20), (busy, 2000)):
            for i in range(n):
                mine = factories.operation(agency, lon=-93.265 + i * 1e-4)
                tx.operations.add(mine)
                tx.conflicts.add(conflict(mine, theirs))
    few = _vm_steps_of_first_page(services, quiet.id, "conflicts")
    many = _vm_steps_of_first_page(services, busy.id, "conflicts")
    print(f"first page of conflicts, SQLite steps: {few} at 20, {many} at 2,000")
    assert many < 3 * few, (few, many)

"""open -> acknowledged per side -> resolved | dismissed, and who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.domain.errors import InvalidInput, NotFound, NotPermitted, StateConflict
from commonground.domain.model import ConflictStatus
from tests.conftest import World, operation_data, wire


def conflicted(world: World) -> tuple[Any, ...]:
    a, b = world.agency("local"), world.agency("federal")
    sgt_a, sgt_b = world.person(a), world.person(b)
    op_a, _ = wire(world.services.operations.submit(sgt_a, operation_data()))
    _, [conflict] = wire(world.services.operations.submit(sgt_b, operation_data()))
    return sgt_a, sgt_b, op_a, conflict


def test_each_side_acknowledges_and_both_make_it_acknowledged(world: World) -> None:
    sgt_a, sgt_b, _, conflict = conflicted(world)
    first = wire(world.services.conflicts.acknowledge(sgt_a, conflict["id"], {}))
    assert first["status"] == "open" and first["acknowledged"]["yours"] and not first["acknowledged"]["theirs"]
    both = wire(world.services.conflicts.acknowledge(sgt_b, conflict["id"], {}))
    assert both["status"] == "acknowledged"


def test_the_watch_center_acknowledges_on_behalf_of_a_side(world: World) -> None:
    sgt_a, _, op_a, conflict = conflicted(world)
    watch = world.person(world.agency(), "watch")
    with pytest.raises(InvalidInput):
        world.services.conflicts.acknowledge(watch, conflict["id"], {})
    seen = wire(world.services.conflicts.acknowledge(watch, conflict["id"], {"operation_id": op_a["id"]}))
    side = next(s for s in seen["sides"] if s["operation"]["id"] == op_a["id"])
    assert side["acknowledged"]["on_behalf"] is True
    assert wire(world.services.conflicts.get(sgt_a, conflict["id"]))["acknowledged"]["yours"]["on_behalf"] is True


def test_officers_see_only_their_own_operations_conflicts_and_cannot_resolve(world: World) -> None:
    sgt_a, _, _, conflict = conflicted(world)
    colleague = world.person(sgt_a.agency, "officer")
    with pytest.raises(NotFound):
        world.services.conflicts.get(colleague, conflict["id"])
    outsider = world.person(world.agency(), "supervisor")
    with pytest.raises(NotFound):
        world.services.conflicts.get(outsider, conflict["id"])
    with pytest.raises(NotPermitted):
        world.services.conflicts.close(colleague, conflict["id"], {"note": "x"}, ConflictStatus.RESOLVED)


def test_resolving_needs_a_note_and_happens_once(world: World) -> None:
    sgt_a, _, _, conflict = conflicted(world)
    with pytest.raises(InvalidInput) as caught:
        world.services.conflicts.close(sgt_a, conflict["id"], {}, ConflictStatus.RESOLVED)
    assert caught.value.field == "note"
    done = wire(world.services.conflicts.close(sgt_a, conflict["id"], {"note": "talked"}, ConflictStatus.DISMISSED))
    assert done["status"] == "dismissed" and done["note"] == "talked"
    with pytest.raises(StateConflict):
        world.services.conflicts.close(sgt_a, conflict["id"], {"note": "again"}, ConflictStatus.RESOLVED)

"""Repository contract, case targets and the conflicts one of whose sides is a target, on SQLite and PostGIS."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from commonground.domain.model import ConflictKind, Contact
from commonground.domain.policy import Purpose
from commonground.domain.targets import Target
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, conflict, covers, is_utc, postgres_template, seed, store, uid
from tests.unit.factories import T0, agency, operation

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def target(agency_id: str, n: int, **kw: object) -> Target:
    made = Target(
        id=f"0193-tg-{n:04d}",
        agency_id=agency_id,
        case_number=f"24-{n:06d}",
        purpose=Purpose.CRIMINAL,
        subjects=({"kind": "vehicle", "plate": f"PLT{n}", "state": "MN"},),
        contact=Contact("SA Rivera", "+1 612 555 0100", "TAC 2"),
        created_by="u-agent",
        created_at=(T0 + timedelta(minutes=n)).astimezone(CHICAGO),
        expires_at=(T0 + timedelta(days=100)).astimezone(CHICAGO),
    )
    return replace(made, **kw)  # type: ignore[arg-type]


@covers("targets.add", "targets.get", "targets.page", "targets.delete")
def test_targets_round_trip_page_newest_first_and_a_deleted_one_leaves_the_pages(store: Store) -> None:
    feds, city = agency("federal", created_at=T0), agency("local", created_at=T0)
    seed(store, feds, city)
    with store.write() as tx:
        for n in (1, 2, 3):
            tx.targets.add(target(feds.id, n))
        tx.targets.add(target(city.id, 4))
    with store.read() as tx:
        got = tx.targets.get("0193-tg-0002")
        assert got == target(feds.id, 2) and got is not None and is_utc(got.created_at) and is_utc(got.expires_at)
        assert tx.targets.get("0193-tg-9999") is None
        first = tx.targets.page(feds.id, 2, None)
        assert [t.id for t in first.items] == ["0193-tg-0003", "0193-tg-0002"] and first.next == "0193-tg-0002"
        rest = tx.targets.page(feds.id, 2, first.next)
        assert [t.id for t in rest.items] == ["0193-tg-0001"] and rest.next is None
    with store.write() as tx:
        tx.targets.delete("0193-tg-0002", T0 + timedelta(days=1))
        tx.targets.delete("0193-tg-0002", T0 + timedelta(days=2))  # once deleted, it stays deleted then
    with store.read() as tx:
        assert [t.id for t in tx.targets.page(feds.id, 10, None).items] == ["0193-tg-0003", "0193-tg-0001"]
        gone = tx.targets.get("0193-tg-0002")
        assert gone is not None and gone.deleted_at == T0 + timedelta(days=1) and not gone.live(T0)
        assert [t.id for t in tx.targets.page(city.id, 10, None).items] == ["0193-tg-0004"]


@covers("targets.with_keys")
def test_live_targets_are_found_by_their_subject_keys_and_expired_or_deleted_ones_are_not(store: Store) -> None:
    feds = agency("federal", created_at=T0)
    seed(store, feds)
    soon = T0 + timedelta(days=5)
    with store.write() as tx:
        tx.targets.add(target(feds.id, 1))
        tx.targets.add(target(feds.id, 2, expires_at=soon))
        tx.targets.add(target(feds.id, 3))
        for n in (1, 2, 3):
            tx.subjects.set_keys(f"0193-tg-{n:04d}", {"plate:KEY", f"own:{n}"})
        tx.targets.delete("0193-tg-0003", T0)
    with store.read() as tx:
        found = tx.targets.with_keys(["plate:KEY"], T0 + timedelta(days=1), exclude="none")
        assert [t.id for t in found] == ["0193-tg-0001", "0193-tg-0002"]
        assert [t.id for t in tx.targets.with_keys(["plate:KEY"], soon, exclude="none")] == ["0193-tg-0001"]
        assert tx.targets.with_keys(["plate:KEY"], T0, exclude="0193-tg-0001")[0].id == "0193-tg-0002"
        assert [t.id for t in tx.targets.with_keys(["own:2", "nothing"], T0, exclude="x")] == ["0193-tg-0002"]
        assert tx.targets.with_keys([], T0, exclude="x") == [] and tx.targets.with_keys(["own:3"], T0, "x") == []


@covers("conflicts.add", "conflicts.get", "conflicts.of_operation")
def test_a_conflict_side_that_is_a_target_is_kept_as_one(store: Store) -> None:
    feds, city = agency("federal", created_at=T0), agency("local", created_at=T0)
    op = operation(city)
    case = target(feds.id, 7, id=uid("zz-target"))  # sorts after the operation: side b
    made = replace(
        conflict(op, op),
        kind=ConflictKind.SUBJECT,
        operation_b=case.id,
        agency_b=feds.id,
        distance_m=None,
        target_b=True,
        match_kind="vehicle",
    )
    seed(store, feds, city, op, made)
    with store.write() as tx:
        tx.targets.add(case)
    with store.read() as tx:
        got = tx.conflicts.get(made.id)
        assert got == made and got is not None and got.is_target(case.id) and not got.is_target(op.id)
        assert [c.id for c in tx.conflicts.of_operation(case.id)] == [made.id]
        assert tx.conflicts.of_operation(op.id)[0].target_a is False


@covers("targets.retention_due", "targets.purge")
def test_targets_that_ended_before_the_cut_are_found_by_id_until_their_shell_is_written(store: Store) -> None:
    feds = agency("federal", created_at=T0)
    seed(store, feds)
    expired = target(feds.id, 1, expires_at=T0 + timedelta(days=1))
    withdrawn = target(feds.id, 2, deleted_at=T0 + timedelta(days=2))
    live = target(feds.id, 3)  # expires after 100 days
    cut = T0 + timedelta(days=30)
    with store.write() as tx:
        for t in (expired, withdrawn, live):
            tx.targets.add(t)
    with store.write() as tx:
        due = tx.targets.retention_due(cut, 10, None)
        assert [t.id for t in due.items] == [expired.id, withdrawn.id] and due.next is None
        first = tx.targets.retention_due(cut, 1, None)
        assert [t.id for t in first.items] == [expired.id] and first.next == expired.id
        assert [t.id for t in tx.targets.retention_due(cut, 10, first.next).items] == [withdrawn.id]
        shell = replace(expired, case_number="", subjects=(), contact=Contact("", ""), purged_at=cut)
        tx.targets.purge(shell)
    with store.read() as tx:
        assert tx.targets.get(expired.id) == shell and is_utc(shell.purged_at or cut)
        assert [t.id for t in tx.targets.retention_due(cut, 10, None).items] == [withdrawn.id]
        assert tx.targets.get(live.id) == live

"""Repository contract, near-misses and the operations they name, on SQLite and PostGIS."""

from __future__ import annotations

from datetime import timedelta

from commonground.domain.near_misses import Involved, NearMiss
from commonground.service.ports import Store
from tests.integration.repository_kit import CHICAGO, covers, is_utc, postgres_template, store
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest


def near_miss(n: int, *involved: tuple[str, str]) -> NearMiss:
    at = (T0 + timedelta(minutes=n)).astimezone(CHICAGO)
    return NearMiss(
        f"0193-nm-{n:04d}",
        at,
        f"met unannounced, number {n}",
        tuple(Involved(op, agency) for op, agency in involved),
        "u-reporter",
        involved[0][1],
        at + timedelta(hours=1),
    )


@covers("near_misses.add", "near_misses.page")
def test_pages_hold_an_agencys_near_misses_newest_first_with_every_operation_named(store: Store) -> None:
    with store.write() as tx:
        tx.near_misses.add(near_miss(1, ("op-a", "city"), ("op-b", "county")))
        tx.near_misses.add(near_miss(2, ("op-c", "county")))
        tx.near_misses.add(near_miss(3, ("op-d", "city"), ("op-e", "city"), ("op-f", "state")))
    with store.read() as tx:
        first = tx.near_misses.page("city", 1, None)
        assert [m.id for m in first.items] == ["0193-nm-0003"] and first.next == "0193-nm-0003"
        [newest] = first.items
        assert newest.agency_ids == {"city", "state"} and len(newest.involved) == 3
        assert is_utc(newest.at) and newest.at == T0 + timedelta(minutes=3)
        assert newest.recorded_at == T0 + timedelta(minutes=3, hours=1)
        assert newest.description == "met unannounced, number 3" and newest.reported_by == "u-reporter"
        rest = tx.near_misses.page("city", 1, first.next)
        assert [m.id for m in rest.items] == ["0193-nm-0001"] and rest.next is None
        assert {(i.operation_id, i.agency_id) for i in rest.items[0].involved} == {("op-a", "city"), ("op-b", "county")}
        assert [m.id for m in tx.near_misses.page("county", 10, None).items] == ["0193-nm-0002", "0193-nm-0001"]
        assert [m.id for m in tx.near_misses.page(None, 10, None).items] == [
            "0193-nm-0003",
            "0193-nm-0002",
            "0193-nm-0001",
        ]
        assert tx.near_misses.page("nobody", 10, None).items == []


@covers("participation.near_misses")
def test_involvement_counts_each_near_miss_once_per_agency_inside_the_period(store: Store) -> None:
    with store.write() as tx:
        tx.near_misses.add(near_miss(1, ("op-a", "city"), ("op-b", "county")))
        tx.near_misses.add(near_miss(2, ("op-d", "city"), ("op-e", "city")))  # two of the city's: counted once
        tx.near_misses.add(near_miss(90, ("op-f", "county")))  # outside the period
    with store.read() as tx:
        assert tx.participation.near_misses(T0, T0 + timedelta(minutes=60)) == {"city": 2, "county": 1}
        assert tx.participation.near_misses(T0 + timedelta(hours=2), T0 + timedelta(hours=3)) == {}

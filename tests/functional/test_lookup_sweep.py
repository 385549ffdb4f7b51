"""A look-up sweep over HTTP: look-ups spread over a grid alert the agencies operating there and the watch.

The measured finding: the dispatcher look-up is an oracle, and a planned week could be mapped cell by
cell. The limits bound how many look-ups there are; this is about where they fall.
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from commonground.notify.render import for_agency, for_channels, render
from commonground.service.lookup_sweeps import SweepRule
from commonground.service.ports import Event
from tests.conftest import World, bearer, operation_data, under_way
from tests.unit.test_sweeps import grid


def _look(http: httpx.Client, token: str, lon: float, lat: float) -> None:
    r = http.get("/api/v1/lookup", params={"lat": lat, "lon": lon, "radius_m": 300}, headers=bearer(token))
    assert r.status_code == 200, r.text


def _sweep_events(world: World) -> list[Event]:
    with world.services.store.read() as tx:
        return [e for e in tx.outbox.all_after(0, 10_000) if e.kind == "lookup.sweep_suspected"]


def test_a_dispatcher_sweeping_a_grid_alerts_the_agencies_operating_there_and_the_watch(
    world: World, http: httpx.Client
) -> None:
    places = grid(16)  # a 4 x 4 grid a kilometre apart over downtown
    inside, outside = world.agency("local", name="Minneapolis PD"), world.agency("federal", name="FBI Minneapolis")
    sweeper = world.agency("local", name="Elsewhere County")
    lon, lat = places[5]
    op = world.services.operations.submit(world.person(inside), operation_data(lat, lon, **under_way()))[0]
    world.services.operations.submit(world.person(outside), operation_data(45.30, -93.90, **under_way()))
    dispatcher = world.token(world.person(sweeper, "dispatcher"))

    for lon, lat in places[:12]:
        _look(http, dispatcher, lon, lat)
    assert _sweep_events(world) == []  # twelve cells is the limit, not past it
    _look(http, dispatcher, *places[12])
    for lon, lat in places[13:]:
        _look(http, dispatcher, lon, lat)  # one alert as the sweep crosses, not one per look-up after

    events = _sweep_events(world)
    assert len(events) == 2 and {(e.agency_id, e.for_watch) for e in events} == {(inside.id, False), (None, True)}
    told = next(e for e in events if e.agency_id == inside.id)
    details = told.details or {}
    assert details["operations"] == [op.id] and details["scope"] == "user" and details["cells"] == 13
    assert details["lookups"] == 13 and details["by_agency"] == "Elsewhere County"
    with world.services.store.read() as tx:
        city_view = render(tx, told, for_agency(inside))
        watch_view = for_channels(tx, next(e for e in events if e.for_watch), None)
        elsewhere = render(tx, told, for_agency(outside))
        audited = [r.entry for r in tx.audit.all() if r.entry.action == "dispatch:lookup:sweep"]
    assert city_view is not None and city_view["operations"] == [op.id] and city_view["id"] == told.object_id
    assert watch_view is not None and watch_view["agencies"] == [inside.id] and "operations" not in watch_view
    assert elsewhere is None
    [entry] = audited
    said = entry.details or {}
    assert (said["agencies"], said["cells"], said["operations"], entry.actor_agency_id) == (
        [inside.id],
        13,
        1,
        sweeper.id,
    )


def test_an_agency_s_dispatchers_sweeping_together_raise_it_too(world: World, http: httpx.Client) -> None:
    """Minting more dispatchers does not hide a sweep: the agency's look-ups count together."""
    world.services.lookups.sweeps = replace(SweepRule(), user_cells=100, agency_cells=8)
    places = grid(10)
    inside, sweeper = world.agency("local", name="Minneapolis PD"), world.agency("local", name="Elsewhere County")
    world.services.operations.submit(world.person(inside), operation_data(places[4][1], places[4][0], **under_way()))
    first, second = (world.token(world.person(sweeper, "dispatcher")) for _ in range(2))
    for i, (lon, lat) in enumerate(places):
        _look(http, first if i % 2 else second, lon, lat)
    events = _sweep_events(world)
    assert sorted(e.agency_id or "" for e in events) == sorted(["", inside.id])
    assert {(e.details or {})["scope"] for e in events} == {"agency"}

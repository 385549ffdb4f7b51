"""Critical incidents in headless Chromium: reported from the operation, seen and acknowledged by the host,
seen by the watch center (issue 13, Deliver 4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.domain.model import Agency
from commonground.service.principal import Principal
from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import PASSWORD, SIZES, browser, console, context, needs_chromium, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9778, -93.2650  # Minneapolis


def _square(half: float = 0.05) -> dict[str, Any]:
    ring = [[LON - half, LAT - half], [LON + half, LAT - half], [LON + half, LAT + half], [LON - half, LAT + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def federal_team(world: World) -> tuple[Agency, Principal, str]:
    """A host city around the spot, and a federal officer's withheld operation there, soon; return its id."""
    world.agency("local", name="Minneapolis PD", jurisdiction=_square())
    feds = world.agency("federal", name="ICE ERO St. Paul", policy={"allow_withheld": True})
    agent = world.person(feds, "officer", password=PASSWORD)
    starts = world.services.clock.now().replace(microsecond=0) + timedelta(minutes=10)
    body = operation_data(LAT, LON, starts=starts, notice="withheld", title="Op Dawn")
    op, _ = wire(world.services.operations.submit(agent, body))
    return feds, agent, str(op["id"])


def open_page(browser: Any, phone: bool, live: LiveServer, who: Principal, path: str) -> tuple[Any, Any]:
    """A new browser context signed in as ``who``, on ``path``; return (context, page)."""
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, who.user.username)
    page.goto(live.url + path)
    return ctx, page


@SIZES
def test_the_team_reports_an_incident_from_its_operation(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    _, agent, operation_id = federal_team(world)
    ctx, page = open_page(browser, phone, live, agent, "/operations")
    page.click(f"#mine li[data-id='{operation_id}'] button[data-act=incident]")
    page.wait_for_selector("#incident-form:not([hidden])")
    page.select_option("#incident-form select[name=kind]", "shots_fired")
    page.fill("#incident-form textarea[name=summary]", "Shots fired at the rear door")
    page.check("#incident-form input[name=assistance_requested]")
    page.click("#report-incident")
    answer = page.wait_for_selector("#incident-answer:has-text('Incident reported')").inner_text()
    assert "Shots fired" in answer and "Assistance requested" in answer and "SHOTS FIRED" in answer.upper()
    with world.services.store.read() as tx:
        [incident] = tx.incidents.of_operation(operation_id)
    assert incident.kind.value == "shots_fired" and incident.assistance_requested
    assert incident.location == (LON, LAT)  # the operation's own point
    ctx.close()


@SIZES
def test_the_host_sees_and_acknowledges_it_and_the_watch_sees_it(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    _, agent, operation_id = federal_team(world)
    body = {"kind": "vehicle_collision", "at": world.services.clock.now().isoformat(), "summary": "Unmarked car hit",
            "assistance_requested": True}  # fmt: skip
    made = world.services.incidents.report(agent, operation_id, body)
    with world.services.store.read() as tx:
        [host_id] = tx.incidents.told(made.id)
        city = tx.agencies.get(host_id)
    assert city is not None
    commander = world.person(city, "supervisor", password=PASSWORD)
    ctx, page = open_page(browser, phone, live, commander, "/notices")
    card = page.wait_for_selector(f"#incidents li[data-id='{made.id}']").inner_text().lower()  # badges in capitals
    assert "vehicle collision" in card and "ice ero st. paul" in card and "assistance requested" in card
    assert "unmarked car hit" not in card  # the summary is the operator's and the watch's
    page.click(f"#incidents button[data-ack='{made.id}']")
    page.wait_for_selector(f"#incidents li[data-id='{made.id}'] .ok:has-text('Acknowledged')")
    with world.services.store.read() as tx:
        kept = tx.incidents.get(made.id)
    assert kept is not None and kept.acknowledged_by == city.id
    ctx.close()

    watcher = world.person(world.agency("state", name="State Watch Center"), "watch", password=PASSWORD)
    ctx, page = open_page(browser, phone, live, watcher, "/watch")
    card = page.wait_for_selector(f"#incidents li[data-id='{made.id}']").inner_text().lower()
    assert "vehicle collision" in card and "unmarked car hit" in card
    assert "acknowledged" in card and "not yet acknowledged" not in card
    ctx.close()

"""The dispatcher page in headless Chromium: a map click only sets the point; the look-up runs on the button."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from commonground.demo import PLACES, TWIN_CITIES, seed
from commonground.domain.geometry import point_area
from commonground.domain.jurisdictions import serves
from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import SIZES, browser, console, context, needs_chromium, person, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul


def lookups(world: World, username: str) -> int:
    """How many look-ups the user has made, as the hourly limit counts them."""
    who = world.principal(username)
    with world.services.store.read() as tx:
        return tx.lookups.since(who.user.id, datetime(2000, 1, 1, tzinfo=world.services.clock.now().tzinfo))[0]


@SIZES
def test_a_map_click_sets_the_point_and_only_the_button_looks_up(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    dea = world.agency("federal", name="DEA Minneapolis")
    now = world.services.clock.now().replace(microsecond=0)
    wire(
        world.services.operations.submit(world.person(dea, "supervisor"), operation_data(LAT, LON, starts=now, hours=4))
    )
    dispatcher = person(world, world.agency("local", name="Ramsey County ECC"), "dispatcher")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, dispatcher)
    page.fill("input[name=lat]", str(LAT))
    page.fill("input[name=lon]", str(LON))
    page.click("#map", position={"x": 40, "y": 40})
    page.dblclick("#map", position={"x": 60, "y": 60})  # a double-click zoom: two more clicks
    page.wait_for_timeout(800)
    assert lookups(world, dispatcher) == 0
    assert page.inner_text("#teams") == ""
    clicked = float(page.input_value("input[name=lat]"))
    assert clicked != LAT  # the click moved the point, nothing else
    page.fill("input[name=lat]", str(LAT + 0.003))
    page.fill("input[name=lon]", str(LON))
    page.click("button:has-text('Look up')")
    page.wait_for_selector("#teams li:has-text('DEA Minneapolis')")
    assert lookups(world, dispatcher) == 1
    ctx.close()


def test_the_demo_has_teams_out_now(sqlite_world: World, tmp_path: Any) -> None:
    """A look-up over the demonstration city at start-up finds a team, as a dispatcher trying it would."""
    services = sqlite_world.services
    seed(services, token_file=tmp_path / "tokens.json")
    dispatcher = next(u for u, _, roles, _ in TWIN_CITIES.users if roles == ["dispatcher"])
    who = sqlite_world.principal(dispatcher)
    served = [(lat, lon) for lat, lon, _ in PLACES[:5] if serves(who.agency, point_area(lat, lon, 0.0))]
    assert len(served) >= 2  # look-ups are answered inside the dispatcher's service area only
    found = [len(services.lookups.lookup(who, lat, lon, 3000, None).operations) for lat, lon in served]
    assert sum(found) > 0, found


@SIZES
def test_an_officer_verifies_a_team_by_typed_coordinates_and_by_location(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    """ "Verify a team here" on the operations page: the teams near, with the identity they declared."""
    world, live = console
    hsi = world.agency("federal", name="HSI St. Paul")
    now = world.services.clock.now().replace(microsecond=0)
    team = {
        "personnel": 3,
        "attire": "plain_clothes",
        "members": [{"name": "SA J. Rivera", "badge_number": "4471", "role": "team leader"}],
        "vehicles_detail": [{"description": "grey Explorer", "plate": "abc-123", "state": "MN", "marked": False}],
        "talkgroup": "MN STAT 2",
        "recognition": "blue ball cap",
        "visible_identification": False,
    }
    data = operation_data(LAT, LON, starts=now, hours=4, team=team)
    wire(world.services.operations.submit(world.person(hsi, "supervisor"), data))
    officer = person(world, world.agency("local", name="Saint Paul PD"), "officer")
    size = {"viewport": {"width": 390, "height": 844}} if phone else {"viewport": {"width": 1280, "height": 800}}
    ctx = browser.new_context(
        **size, timezone_id="UTC", locale="en-US", geolocation={"latitude": LAT + 0.0005, "longitude": LON},
        permissions=["geolocation"],
    )  # fmt: skip
    page = ctx.new_page()
    sign_in(page, live.url, officer)
    page.goto(live.url + "/operations")
    page.wait_for_selector("#verify-title:has-text('Verify a team here')")
    page.fill("#verify-form input[name=here_lat]", str(LAT))
    page.fill("#verify-form input[name=here_lon]", str(LON))
    page.click("#verify-form button[type=submit]")
    card = page.wait_for_selector("#verify-teams li:has-text('HSI St. Paul')")
    text = card.inner_text()
    assert "SA J. Rivera" in text and "badge 4471" in text and "plate ABC123 (MN)" in text
    assert "MN STAT 2" in text and "blue ball cap" in text and "No visible identification" in text
    page.fill("#verify-form input[name=here_lat]", "")
    page.click("#verify-here")  # the phone's own location
    expect(page.locator("#verify-form input[name=here_lat]")).not_to_have_value("")
    assert abs(float(page.input_value("#verify-form input[name=here_lat]")) - (LAT + 0.0005)) < 1e-4
    page.wait_for_selector("#verify-teams li:has-text('HSI St. Paul')")
    assert lookups(world, officer) == 2
    ctx.close()


def test_the_demo_declares_a_team_s_identity_and_plate(sqlite_world: World, tmp_path: Any) -> None:
    """The demonstration has a team out now with members and a plate that GET /verify/plate finds."""
    services = sqlite_world.services
    seed(services, token_file=tmp_path / "tokens.json")
    officer = next(u for u, _, roles, _ in TWIN_CITIES.users if roles == ["officer"])
    answer = services.verifications.plate(sqlite_world.principal(officer), "dem-0413", "MN").to_dict()
    assert answer["registered"] is True
    team: Any = answer["team"]
    assert [m["badge_number"] for m in team["team"]["members"]] == ["4471", "5120"]
    assert team["team"]["vehicles_detail"][0]["plate"] == "DEM0413"

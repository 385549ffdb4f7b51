"""The console for the host agency and the team coming home (issue 13), in headless Chromium.

The host's notice card answers the notice (the operator then sees the answer on its operation);
completing an operation asks how it went and keeps the after-action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import SIZES, browser, console, context, needs_chromium, person, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul
HALF = 0.05
ST_PAUL = {
    "type": "Polygon",
    "coordinates": [
        [
            [LON - HALF, LAT - HALF],
            [LON + HALF, LAT - HALF],
            [LON + HALF, LAT + HALF],
            [LON - HALF, LAT + HALF],
            [LON - HALF, LAT - HALF],
        ]
    ],
}


@SIZES
def test_the_host_answers_a_notice_from_its_card(console: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    world, live = console
    city = world.agency("local", name="St. Paul Police", jurisdiction=ST_PAUL)
    ice = world.person(world.agency("federal", name="ICE ERO St. Paul"), "supervisor")
    starts = world.services.clock.now().replace(microsecond=0) + timedelta(hours=1)
    op, _ = wire(
        world.services.operations.submit(
            ice, operation_data(LAT, LON, starts=starts, purpose="civil_immigration", type="immigration_enforcement")
        )
    )
    page = context(browser, phone).new_page()
    sign_in(page, live.url, person(world, city, "supervisor"))
    page.goto(live.url + "/notices")
    card = page.wait_for_selector("#notices .card:has-text('ICE ERO St. Paul')")
    assert card.query_selector(".answered") is None  # not answered yet
    page.fill("#notices .card .note", "Our policy: no assistance with civil immigration enforcement.")
    page.click("#notices .card button[data-response=aware_not_assisting]")
    answered = page.wait_for_selector("#notices .card .answered")
    assert "Aware not assisting" in answered.inner_text() and "no assistance" in answered.inner_text()
    assert page.get_attribute("#notices .card button[data-response=aware_not_assisting]", "aria-pressed") == "true"

    # The operating agency sees the host's answer on its operation.
    seen = world.services.operations.get(ice, op["id"])
    [host] = wire(world.services.notice_responses.of_operation(ice, seen.id))
    assert host["response"] == "aware_not_assisting" and host["agency"]["name"] == "St. Paul Police"

    # A dispatcher answers for the agency too; an officer reads the card without the buttons.
    officer = context(browser, phone).new_page()
    sign_in(officer, live.url, person(world, city, "officer"))
    officer.goto(live.url + "/notices")
    officer.wait_for_selector("#notices .card:has-text('ICE ERO St. Paul')")
    assert officer.query_selector("#notices .card button[data-response]") is None


@SIZES
def test_completing_asks_how_it_went_and_keeps_the_after_action(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    username = person(world, city, "supervisor")
    starts = world.services.clock.now().replace(microsecond=0) + timedelta(hours=1)
    op, _ = wire(world.services.operations.submit(world.principal(username), operation_data(LAT, LON, starts=starts)))
    page = context(browser, phone).new_page()
    sign_in(page, live.url, username)
    page.goto(live.url + "/operations")
    card = f"#mine li[data-id='{op['id']}']"
    page.click(f"{card} button[data-act=complete]")
    page.select_option(f"{card} select[name=kind]", "local_response_to_911")
    page.click(f"{card} form.after-action button[type=submit]")
    error = page.wait_for_selector(f"{card} .error:not([hidden])")
    assert "Choose how it went" in error.inner_text()  # a report needs its outcome; nothing was sent

    page.select_option(f"{card} select[name=outcome]", "changed")
    page.fill(f"{card} textarea[name=summary]", "entry delayed 20 minutes")
    page.fill(f"{card} input[name=note]", "a patrol unit answered a 911 call about us")
    page.click(f"{card} form.after-action button[type=submit]")
    page.wait_for_selector(card, state="detached")  # completed: no longer among the live ones
    kept = wire(world.services.operations.get(world.principal(username), op["id"]))
    assert kept["status"] == "completed"
    assert kept["after_action"] == {
        "outcome": "changed",
        "summary": "entry delayed 20 minutes",
        "encounters": [{"kind": "local_response_to_911", "note": "a patrol unit answered a 911 call about us"}],
    }

"""The watch's assign / call / outcome flow in headless Chromium (issue 14, item 1): the analyst takes the
conflict, logs the calls to each side, and resolves it saying how it ended; both sides see who handles it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import SIZES, browser, console, context, needs_chromium, person, sign_in
from tests.functional.test_console_watch_center import pair

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]


@SIZES
def test_the_analyst_takes_a_conflict_logs_the_calls_and_resolves_it_with_an_outcome(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city, ice = world.agency("local", name="St. Paul Police"), world.agency("federal", name="ICE ERO St. Paul")
    watcher = person(world, world.agency("state", name="State Watch Center"), "watch")
    made = pair(world, city, ice, 1, world.services.clock.now().replace(microsecond=0) + timedelta(hours=1))
    conflict_id = made["conflicts"][0]["id"]
    page = context(browser, phone).new_page()
    sign_in(page, live.url, watcher)
    card = f"#conflicts > li[data-id='{conflict_id}']"
    page.click(f"{card} button[data-assign]")
    owner = page.wait_for_selector(f"{card} .owner")
    analyst = world.principal(watcher)
    assert "Being handled by" in owner.inner_text() and analyst.user.display_name in owner.inner_text()

    page.click(f"{card} summary")
    page.select_option(f"{card} form.contact select[name=side]", "b")
    page.select_option(f"{card} form.contact select[name=method]", "radio")
    page.fill(f"{card} form.contact input[name=note]", "no answer on TAC 1")
    page.click(f"{card} form.contact button[type=submit]")
    page.wait_for_selector(f"{card} ol.calls li")
    page.check(f"{card} form.contact input[name=reached]")
    page.select_option(f"{card} form.contact select[name=side]", "a")
    page.click(f"{card} form.contact button[type=submit]")
    page.wait_for_selector(f"{card} ol.calls li:nth-child(2)")
    calls = page.inner_text(f"{card} ol.calls")
    assert "Radio to ICE ERO St. Paul: not reached" in calls and "no answer on TAC 1" in calls, calls
    assert "Phone to St. Paul Police: reached" in calls, calls

    # Both sides see who handles it, in their own view of the conflict.
    city_side = world.person(city, "supervisor")
    [seen] = wire(world.services.conflicts.list(city_side, None, 10, None)).items
    assert seen["owner"]["name"] == analyst.user.display_name

    page.fill(f"{card} form.resolve input[name=note]", "teams will meet at the rally point")
    page.click(f"{card} form.resolve button[type=submit]")  # no outcome chosen: the browser asks for one
    assert page.eval_on_selector(f"{card} form.resolve select[name=outcome]", "s => !s.validity.valid")
    page.select_option(f"{card} form.resolve select[name=outcome]", "joint_operation")
    page.click(f"{card} form.resolve button[type=submit]")
    page.wait_for_selector(f"{card} .badge:has-text('Resolved')")
    done = wire(world.services.conflicts.get(analyst, conflict_id))
    assert done["status"] == "resolved" and done["outcome"] == "joint_operation"
    assert [c["reached"] for c in done["contacts"]] == [False, True]


@SIZES
def test_a_conflict_with_a_case_target_shows_the_case_side_and_takes_calls(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city, feds = world.agency("local", name="St. Paul Police"), world.agency("federal", name="FBI Minneapolis")
    watcher = person(world, world.agency("state", name="State Watch Center"), "watch")
    plate = {"kind": "vehicle", "plate": "XKD4471", "state": "WI"}
    now = world.services.clock.now()
    world.services.targets.register(
        world.person(feds, "officer"),
        {"case_number": "24-001234", "subjects": [plate], "expires_at": (now + timedelta(days=90)).isoformat()},
    )
    starts = now.replace(microsecond=0) + timedelta(hours=1)
    _, [found] = wire(
        world.services.operations.submit(
            world.person(city), operation_data(44.95, -93.09, starts=starts, subjects=[plate])
        )
    )
    page = context(browser, phone).new_page()
    sign_in(page, live.url, watcher)
    card = f"#conflicts > li[data-id='{found['id']}']"
    page.wait_for_selector(card)
    sides = page.inner_text(f"{card} .sides")
    assert "FBI Minneapolis" in sides and "case target" in sides and "St. Paul Police" in sides, sides
    page.click(f"{card} summary")
    options = page.inner_text(f"{card} form.contact select[name=side]")
    assert "FBI Minneapolis" in options and "St. Paul Police" in options, options

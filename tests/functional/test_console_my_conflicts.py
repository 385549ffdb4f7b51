"""Officers and supervisors in headless Chromium: their own conflicts, the other team, acknowledge, resolve."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.domain.model import ConflictStatus
from commonground.service.ports import ConflictFilter
from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import (
    PASSWORD,
    SIZES,
    browser,
    console,
    context,
    fill_operation,
    local,
    needs_chromium,
    sign_in,
)

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul
ICE_TEAM = {"personnel": 5, "attire": "tactical", "vehicles": "black Ford Explorer"}


def ice_operation(world: World, hours_from_now: float) -> None:
    starts = world.services.clock.now().replace(microsecond=0) + timedelta(hours=hours_from_now)
    ice = world.agency("federal", name="ICE ERO St. Paul")
    data = operation_data(
        LAT, LON, starts=starts, team=ICE_TEAM, contact={"name": "SDO Whitfield", "phone": "+1 612 555 0142"}
    )
    wire(world.services.operations.submit(world.person(ice, "supervisor"), data))


@SIZES
def test_an_officer_acknowledges_their_own_conflict(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    ice_operation(world, 2)
    officer = world.person(world.agency("local", name="St. Paul Police"), "officer", password=PASSWORD)
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, officer.user.username)
    starts = world.services.clock.now() + timedelta(hours=2)
    fill_operation(page, LAT, LON, local(starts), local(starts + timedelta(hours=2)))
    page.click("#submit")
    answer = page.wait_for_selector(".answer.conflict").inner_text()
    assert "Their team: 5 people · tactical · black Ford Explorer" in answer  # what they look like
    card = page.wait_for_selector("#my-conflicts li:has-text('ICE ERO St. Paul')")
    assert "tactical" in card.inner_text() and "black Ford Explorer" in card.inner_text()
    assert page.get_attribute("#my-conflicts a.tel", "href") == "tel:+16125550142"
    assert page.query_selector("#my-conflicts form.resolve") is None  # resolving is for supervisors
    if phone:  # the list comes before the map on a phone
        assert page.eval_on_selector("#my-conflicts", "e => e.getBoundingClientRect().top") < page.eval_on_selector(
            "#map", "e => e.getBoundingClientRect().top"
        )
    page.click("#my-conflicts button[data-ack]")
    page.wait_for_selector("#my-conflicts .ok:has-text('you acknowledged')")
    with world.services.store.read() as tx:
        (conflict,) = tx.conflicts.page(ConflictFilter(), 10, None).items
    mine = conflict.ack_a if conflict.agency_a == officer.agency.id else conflict.ack_b
    assert mine is not None and mine.by_user_id == officer.user.id and not mine.on_behalf
    ctx.close()


@SIZES
def test_a_supervisor_resolves_their_own_conflict(console: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    world, live = console
    ice_operation(world, 3)
    sup = world.person(world.agency("local", name="St. Paul Police"), "supervisor", password=PASSWORD)
    starts = world.services.clock.now().replace(microsecond=0) + timedelta(hours=3)
    wire(world.services.operations.submit(sup, operation_data(LAT, LON, starts=starts)))
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, sup.user.username)
    page.wait_for_selector("#my-conflicts li:has-text('ICE ERO St. Paul')")
    page.fill("#my-conflicts input[name=note]", "Spoke with SDO Whitfield: we go after 10:00")
    page.select_option("#my-conflicts form.resolve select[name=outcome]", "delayed")  # the console asks how it ended
    page.click("#my-conflicts form.resolve button[type=submit]")
    page.wait_for_selector("#no-conflicts:not([hidden])")
    with world.services.store.read() as tx:
        (conflict,) = tx.conflicts.page(ConflictFilter(), 10, None).items
    assert conflict.status == ConflictStatus.RESOLVED and conflict.closed_by == sup.user.id
    assert conflict.outcome is not None and conflict.outcome.value == "delayed"
    ctx.close()

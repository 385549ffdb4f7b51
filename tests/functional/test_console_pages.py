"""Every console page in headless Chromium: no sideways scrolling on a phone, dark theme, favicon, notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import SIZES, browser, console, context, needs_chromium, person, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul
PAGES = ("watch", "operations", "notices", "lookup", "admin", "auditor")
ST_PAUL = {
    "type": "Polygon",
    "coordinates": [
        [[-93.2077, 44.8906], [-93.0048, 44.8906], [-93.0048, 44.9920], [-93.2077, 44.9920], [-93.2077, 44.8906]]
    ],
}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def everyone(world: World) -> str:
    """A person of St. Paul with every console role, and another agency's operations inside St. Paul."""
    home = world.agency("local", name="St. Paul Police", jurisdiction=ST_PAUL)
    ice = world.person(world.agency("federal", name="ICE ERO St. Paul"), "supervisor")
    now = world.services.clock.now().replace(microsecond=0)
    for starts in (now - timedelta(minutes=5), now + timedelta(days=2)):
        wire(world.services.operations.submit(ice, operation_data(LAT, LON, starts=starts, hours=3)))
    return person(world, home, "watch", "supervisor", "dispatcher", "agency_admin", "auditor")


def test_no_page_scrolls_sideways_on_a_phone(console: tuple[World, LiveServer], browser: Any) -> None:
    world, live = console
    ctx = context(browser, phone=True)
    page = ctx.new_page()
    page.goto(live.url + "/login")
    assert page.evaluate(OVERFLOW) <= 0, "login"
    sign_in(page, live.url, everyone(world))
    for path in PAGES:
        page.goto(f"{live.url}/{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOW) <= 0, f"/{path} is wider than a 390 px phone"
    ctx.close()


@SIZES
def test_a_dark_room_gets_a_dark_console(console: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    world, live = console
    ctx = context(browser, phone)
    page = ctx.new_page()
    page.emulate_media(color_scheme="dark")
    sign_in(page, live.url, everyone(world))
    for path in PAGES:
        page.goto(f"{live.url}/{path}")
        rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert sum(int(c) for c in rgb[rgb.index("(") + 1 : -1].split(",")[:3]) < 120, (path, rgb)
    page.emulate_media(color_scheme="light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(244, 246, 248)"
    ctx.close()


@SIZES
def test_notices_are_grouped_by_when_the_team_is_out(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, everyone(world))
    page.goto(live.url + "/notices")
    page.wait_for_selector("#notices li.group")
    groups = page.eval_on_selector_all(
        "#notices > li.group", "gs => gs.map(g => [g.dataset.group, g.querySelectorAll('li.card').length])"
    )
    assert groups == [["now", 1], ["later", 1]]
    assert page.inner_text("#notices > li.group h2").startswith("Out now")
    ctx.close()


def test_the_favicon_is_there(console: tuple[World, LiveServer]) -> None:
    _, live = console
    answer = httpx.get(live.url + "/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<svg")

"""The watch center in headless Chromium: urgency order, a new conflict arriving live on top, compact cards."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from commonground.domain.model import Agency
from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import SIZES, browser, console, context, needs_chromium, person, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul


def pair(world: World, one: Agency, other: Agency, n: int, starts: datetime, hours: float = 2) -> dict[str, Any]:
    """Two agencies' operations on the same spot (the n-th spot, 5 km apart); return the second's answer."""
    lat = LAT + 0.05 * n
    contact = {"name": f"Det. {n}", "phone": f"+1 651 555 01{n:02d}", "radio": "TAC 1"}
    spot = {"lat": lat, "lon": LON, "radius_m": 100, "address": f"{n} Spot Ave"}
    ours = operation_data(starts=starts, location=spot)
    wire(world.services.operations.submit(world.person(one, "supervisor"), ours))
    theirs = operation_data(starts=starts, hours=hours, contact=contact, location=spot)
    op, found = wire(world.services.operations.submit(world.person(other, "supervisor"), theirs))
    assert found, "the pair must conflict"
    return {"id": op["id"], "conflicts": found}


def stream_receipts(world: World, conflict_id: str) -> int:
    with world.services.store.read() as tx:
        return sum(1 for d in tx.deliveries.of_object(conflict_id) if d.channel.value == "stream")


def cards(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all("#conflicts > li", "ls => ls.map(l => l.innerText)")
    return found


@SIZES
def test_most_urgent_first_and_a_new_conflict_arrives_on_top(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city, ice = world.agency("local", name="St. Paul Police"), world.agency("federal", name="ICE ERO St. Paul")
    watcher = person(world, world.agency("state", name="State Watch Center"), "watch")
    now = world.services.clock.now().replace(microsecond=0)
    pair(world, city, ice, 1, now + timedelta(hours=5))
    pair(world, city, ice, 2, now - timedelta(minutes=10))  # active now
    pair(world, city, ice, 3, now + timedelta(hours=30))  # tomorrow: outside the next 24 h
    acked = pair(world, city, ice, 4, now + timedelta(hours=1))
    pair(world, city, ice, 5, now + timedelta(hours=2))
    analyst = world.principal(watcher)
    conflict = acked["conflicts"][0]
    for op_id in (acked["id"], conflict["counterpart"]["id"]):
        world.services.conflicts.acknowledge(analyst, conflict["id"], {"operation_id": op_id})

    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, watcher)
    page.wait_for_selector("#conflicts > li")
    order = cards(page)
    assert ["2 Spot Ave" in order[0], "5 Spot Ave" in order[1], "1 Spot Ave" in order[2], "4 Spot Ave" in order[3]] == [
        True
    ] * 4, order
    assert len(order) == 4  # the next 24 h by default
    assert page.title().startswith("(4) ")  # four not yet acknowledged, the one of tomorrow too
    first = page.query_selector("#conflicts > li")
    assert first is not None
    assert "overlapping" in first.inner_text() and "0 m apart" not in first.inner_text()
    assert page.eval_on_selector("#conflicts > li", "l => l.querySelectorAll('a.tel[href^=\"tel:+1\"]').length") == 2
    assert "plain clothes" in first.inner_text() and "2 grey SUVs" in first.inner_text()
    if not phone:
        visible = page.eval_on_selector_all(
            "#conflicts > li", "ls => ls.filter(l => l.getBoundingClientRect().bottom <= innerHeight).length"
        )
        assert visible >= 4, f"only {visible} cards fit a desktop screen"
    assert page.is_checked("#sound")

    pair(world, city, ice, 6, now + timedelta(minutes=30))  # arrives live while the analyst watches
    page.wait_for_selector("#conflicts > li.fresh", timeout=15_000)
    assert "6 Spot Ave" in cards(page)[0]
    assert page.title().startswith("(5) ")
    assert page.get_attribute("#sound", "data-played") == "1"

    page.click("button[data-seen]")
    page.check("input[name=when][value=now]")
    assert len(cards(page)) == 1 and "2 Spot Ave" in cards(page)[0]
    page.check("input[name=when][value=all]")
    assert len(cards(page)) == 6
    page.uncheck("#sound")  # the analyst switches the sound off: the next arrival is silent, still on top
    seventh = pair(world, city, ice, 7, now + timedelta(minutes=45))["conflicts"][0]["id"]
    page.wait_for_selector("#conflicts > li.fresh:has-text('7 Spot Ave')", timeout=15_000)
    assert page.get_attribute("#sound", "data-played") == "1"

    # The delivery history names the person whose console the conflict reached, once per recipient.
    deadline = time.monotonic() + 15
    while not stream_receipts(world, seventh) and time.monotonic() < deadline:
        time.sleep(0.2)  # the stream's receipts are written in its next batch
    page.click("#conflicts > li.fresh summary")
    page.wait_for_selector("#conflicts > li.fresh p.history:has-text('by stream')")
    history = page.inner_text("#conflicts > li.fresh p.history").splitlines()
    name = analyst.user.display_name
    assert history == [h for h in dict.fromkeys(history)] and any("(stream" not in h and name in h for h in history)
    assert not any(analyst.user.id in h for h in history), history
    ctx.close()

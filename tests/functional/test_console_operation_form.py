"""The operation form in headless Chromium: the server's vocabulary, its defaults, errors in view, zoned times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from commonground.api.schemas.operations import OperationCreate
from commonground.domain.model import OPERATION_TYPES, Attire, Risk
from commonground.domain.policy import Purpose
from commonground.service.ports import OperationFilter
from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import (
    PASSWORD,
    SIZES,
    browser,
    console,
    context,
    fill_operation,
    in_view,
    needs_chromium,
    person,
    sign_in,
)

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul
CHICAGO = ZoneInfo("America/Chicago")


def options(page: Any, name: str) -> dict[str, str]:
    """The select's options as value → label."""
    pairs = page.eval_on_selector_all(
        f"select[name={name}] option", "os => os.map(o => [o.value, o.textContent.trim()])"
    )
    return dict(pairs)


@SIZES
def test_the_form_offers_exactly_what_the_api_accepts(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    """Types, purposes, attire and risk are the API's own lists, with human labels; the defaults match."""
    world, live = console
    officer = person(world, world.agency("local", name="St. Paul Police"), "officer")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, officer)
    types = options(page, "type")
    assert set(types) == set(OPERATION_TYPES)
    assert set(options(page, "purpose")) == {p.value for p in Purpose}
    assert set(options(page, "attire")) == {a.value for a in Attire}
    assert set(options(page, "risk")) == {r.value for r in Risk}
    assert types["knock_and_talk"] == "Knock and talk"
    assert options(page, "attire")["plain_clothes"] == "Plain clothes"
    assert all("_" not in label for label in types.values())
    assert page.input_value("select[name=risk]") == OperationCreate.model_fields["risk"].default.value
    ctx.close()


@SIZES
def test_an_undercover_meeting_from_the_demo_can_be_edited(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    sup = world.person(city, "supervisor", password=PASSWORD)
    wire(world.services.operations.submit(sup, operation_data(LAT, LON, type="undercover_meeting")))
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, sup.user.username)
    page.click("#mine button[data-act=edit]")
    assert page.input_value("select[name=type]") == "undercover_meeting"
    page.fill("input[name=title]", "UC meet, moved")
    page.click("#submit")
    page.wait_for_selector(".answer.clear, .answer.conflict")
    with world.services.store.read() as tx:
        ops = tx.operations.page(OperationFilter(agency_id=city.id), 10, None).items
    assert [(o.type, o.title) for o in ops] == [("undercover_meeting", "UC meet, moved")]
    ctx.close()


@SIZES
def test_an_error_is_scrolled_into_view_and_focused(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    officer = person(world, world.agency("local", name="St. Paul Police"), "officer")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, officer)
    soon = datetime.now(CHICAGO) + timedelta(days=2)
    fill_operation(page, 95.0, LON, soon.strftime("%Y-%m-%dT10:00"), soon.strftime("%Y-%m-%dT12:00"))
    page.click("#submit")  # the button is at the bottom of a long form: the answer's place is far above
    page.wait_for_selector(".answer.error")
    assert "lat" in page.inner_text(".answer.error")
    assert in_view(page, ".answer.error")
    assert page.evaluate("document.activeElement.id") == "answer"
    with world.services.store.read() as tx:
        assert tx.operations.count() == 0
    ctx.close()


@SIZES
def test_times_are_the_agencys_zone(console: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    """The browser runs in UTC; the agency is in Chicago: what is typed and shown is Chicago time."""
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    officer = person(world, city, "officer")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, officer)
    assert "America/Chicago" in page.inner_text("label:has(input[name=starts_at])")
    day = (datetime.now(CHICAGO) + timedelta(days=3)).date()
    fill_operation(page, LAT, LON, f"{day}T10:00", f"{day}T12:00")
    page.click("#submit")
    page.wait_for_selector(".answer.clear")
    with world.services.store.read() as tx:
        (op,) = tx.operations.page(OperationFilter(agency_id=city.id), 10, None).items
    typed = datetime(day.year, day.month, day.day, 10, tzinfo=CHICAGO)
    assert op.window.starts_at == typed.astimezone(UTC)
    zone = typed.tzname()
    assert zone is not None
    # The list first shows "None planned."; wait for the new card rather than the first <li>.
    expect(page.locator("#mine li").first).to_contain_text(f"10:00\u201312:00 {zone}")
    ctx.close()

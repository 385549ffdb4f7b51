"""Phone-in and after-the-fact entry in headless Chromium (issue 14, items 2 and 3): the watch types in an
operation for an agency that called, which then sees it as its own; a late start needs a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.service.ports import OperationFilter
from tests.conftest import LiveServer, World
from tests.functional.console_browser import (
    SIZES,
    browser,
    console,
    context,
    fill_operation,
    local,
    needs_chromium,
    person,
    sign_in,
)

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900


@SIZES
def test_the_watch_enters_an_operation_for_an_agency_that_phoned_in(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    watcher = person(world, world.agency("state", name="State Watch Center"), "watch")
    page = context(browser, phone).new_page()
    sign_in(page, live.url, watcher)
    page.goto(live.url + "/operations")
    page.wait_for_selector(f"select[name=on_behalf_agency] option[value='{city.id}']", state="attached")
    starts = world.services.clock.now().replace(microsecond=0) - timedelta(hours=1)  # already under way
    fill_operation(page, LAT, LON, local(starts), local(starts + timedelta(hours=3)), title="Phoned-in warrant")
    page.select_option("select[name=on_behalf_agency]", city.id)
    page.fill("input[name=caller_name]", "Ofc. Lind")
    page.fill("input[name=caller_phone]", "+1 651 555 0142")
    page.click("#submit")
    error = page.wait_for_selector("#answer.error, #answer:has-text('starts_at'), .field-error, [role=alert]:visible")
    assert "starts_at" in error.inner_text() or "15 minutes" in error.inner_text(), error.inner_text()
    page.fill("input[name=exigent_reason]", "entered after the door was breached")
    page.click("#submit")
    page.wait_for_selector("#answer.clear, #answer.conflict")
    sergeant = world.person(city, "supervisor")
    [op] = world.services.operations.list(sergeant, OperationFilter(agency_id=city.id), 10, None).items
    shown: dict[str, Any] = op.to_dict()
    assert op.full is not None and shown["title"] == "Phoned-in warrant"  # the caller's agency sees it as its own
    assert shown["exigent"] is True and shown["exigent_reason"] == "entered after the door was breached"
    assert shown["entered_on_behalf"]["caller_name"] == "Ofc. Lind", shown


@SIZES
def test_officers_see_no_phone_in_fields(console: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    world, live = console
    page = context(browser, phone).new_page()
    sign_in(page, live.url, person(world, world.agency("local", name="St. Paul Police"), "officer"))
    page.goto(live.url + "/operations")
    page.wait_for_selector("#op-form")
    assert page.query_selector("#phone-in") is None and page.query_selector("input[name=exigent_reason]") is not None

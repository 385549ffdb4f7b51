"""The reports page in headless Chromium (issue 14, item 7): a period, bars per agency, the table, a CSV,
and a screenshot in docs/screenshots/. The figures are the participation report's, audited as its reads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta
from typing import Any

import pytest

from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import (
    SHOTS,
    SIZES,
    browser,
    console,
    context,
    needs_chromium,
    person,
    sign_in,
)

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]


@SIZES
def test_the_reports_page_draws_each_agencys_figures_and_downloads_them(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city, county = world.agency("local", name="St. Paul Police"), world.agency("local", name="Ramsey County SO")
    starts = world.services.clock.now().replace(microsecond=0) + timedelta(hours=2)
    for i in range(3):
        wire(world.services.operations.submit(world.person(city), operation_data(44.9 + i * 0.1, starts=starts)))
    wire(world.services.operations.submit(world.person(county), operation_data(45.5, starts=starts)))
    auditor = person(world, world.admin.agency, "auditor")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, auditor)
    page.click("nav a[href='/reports']")
    page.wait_for_selector("#figures tbody tr")
    rows = {r.query_selector("th").inner_text(): r.inner_text() for r in page.query_selector_all("#figures tbody tr")}
    assert rows["St. Paul Police"].split("\t")[1] == "3" and rows["Ramsey County SO"].split("\t")[1] == "1"
    bars = page.eval_on_selector_all("figure.chart:first-child rect", "rs => rs.map(r => +r.getAttribute('width'))")
    assert max(bars) == 200 and sorted(bars)[-2] == pytest.approx(200 / 3, abs=0.5)  # 3 against 1, the longest full
    page.screenshot(path=str(SHOTS / f"reports-{'phone' if phone else 'desktop'}.png"), full_page=True)
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # the table scrolls inside its box, the page does not
    href = page.get_attribute("#csv", "href")
    assert href is not None
    got = ctx.request.get(live.url + href)
    assert got.status == 200 and got.headers["content-type"].startswith("text/csv")
    table = {r["agency"]: r for r in csv.DictReader(io.StringIO(got.text()))}
    assert table["St. Paul Police"]["operations"] == "3" and table["Ramsey County SO"]["operations"] == "1"
    with world.services.store.read() as tx:
        reads = [r.entry for r in tx.audit.all() if r.entry.action == "audit:report:read"]
    assert len(reads) == 2  # the page and the CSV, each audited like an API read

    officer = context(browser, phone).new_page()
    sign_in(officer, live.url, person(world, city, "officer"))
    assert officer.query_selector("nav a[href='/reports']") is None
    assert officer.goto(live.url + "/reports").status == 403


def test_the_reports_page_draws_operations_and_conflicts_over_time(
    console: tuple[World, LiveServer], browser: Any
) -> None:
    """A line per series, one point per day of the period, and the same figures as a table."""
    from playwright.sync_api import expect

    world, live = console
    city, county = world.agency("local", name="St. Paul Police"), world.agency("local", name="Ramsey County SO")
    now = world.services.clock.now()
    starts = now.replace(microsecond=0) + timedelta(hours=2)
    for i in range(3):
        wire(world.services.operations.submit(world.person(city), operation_data(44.9 + i * 0.1, starts=starts)))
    _, found = wire(
        world.services.operations.submit(world.person(county), operation_data(44.9, -93.2640, starts=starts))
    )
    assert len(found) == 1  # the county's operation meets the city's first
    today = now.astimezone(UTC).date()
    since, until = today - timedelta(days=6), today + timedelta(days=1)  # 7 days, today the last
    page = context(browser).new_page()
    sign_in(page, live.url, person(world, world.admin.agency, "watch"))
    page.goto(f"{live.url}/reports?since={since.isoformat()}T00:00:00Z&until={until.isoformat()}T00:00:00Z")
    chart = page.locator("#over-time")
    expect(chart.locator("figcaption")).to_have_text("Operations entered and conflicts per day")
    for series in ("operations", "conflicts"):
        expect(chart.locator(f"g.series[data-series={series}] circle")).to_have_count(7)
        points = chart.locator(f"g.series[data-series={series}] polyline").get_attribute("points")
        assert points is not None and len(points.split()) == 7
    expect(chart.locator("g.series[data-series=operations] circle").last.locator("title")).to_have_text(
        f"Operations entered, {today.isoformat()}: 4"
    )
    expect(chart.locator("g.series[data-series=conflicts] circle").last.locator("title")).to_have_text(
        f"Conflicts, {today.isoformat()}: 1"
    )
    expect(chart.locator("g.series[data-series=operations] circle").first.locator("title")).to_have_text(
        f"Operations entered, {since.isoformat()}: 0"
    )
    # The last point, the day's 4, is the highest: at the top of the plot; the first, 0, on its floor.
    cy = [float(c.get_attribute("cy") or "nan") for c in chart.locator("g.series[data-series=operations] circle").all()]
    assert cy[-1] == min(cy) and cy[0] == max(cy) and cy[-1] < cy[0]
    expect(chart.locator("svg title").first).to_have_text(
        f"Operations entered and conflicts per day, {since} to {today}"
    )
    rows = chart.locator("table.line-figures tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.last.locator("th, td")).to_have_text([today.isoformat(), "4", "1"])  # in a closed <details>
    chart.screenshot(path=str(SHOTS / "reports-over-time.png"))

"""Every console page through axe-core (WCAG 2.1 A and AA) in headless Chromium: no serious or critical violation.

axe-core is vendored from the npm registry into the test tree (`tests/functional/vendor/axe-core`),
never into the package: users are never served it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, World, operation_data, wire
from tests.functional.console_browser import (
    DESKTOP,
    PASSWORD,
    PHONE,
    SIZES,
    browser,
    console,
    needs_chromium,
    person,
    sign_in,
)
from tests.functional.test_console_pages import ST_PAUL

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
LAT, LON = 44.9537, -93.0900
PAGES = ("watch", "operations", "notices", "lookup", "admin", "auditor")
SERIOUS = """async () => {
  const wcag21aa = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const found = await axe.run(document, { runOnly: { type: "tag", values: wcag21aa } });
  return found.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


def serious(page: Any) -> list[str]:
    """The page's serious and critical WCAG 2.1 AA violations, as "rule: where" lines."""
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate(SERIOUS)
    return found


@SIZES
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_has_a_serious_accessibility_violation(
    console: tuple[World, LiveServer], browser: Any, phone: bool, scheme: str
) -> None:
    world, live = console
    home = world.agency("local", name="St. Paul Police", jurisdiction=ST_PAUL)
    ice = world.person(world.agency("federal", name="ICE ERO St. Paul"), "supervisor")
    now = world.services.clock.now().replace(microsecond=0)
    wire(world.services.operations.submit(ice, operation_data(LAT, LON, starts=now, hours=3)))
    everyone = person(world, home, "watch", "supervisor", "dispatcher", "agency_admin", "auditor")
    wire(world.services.operations.submit(world.principal(everyone), operation_data(LAT, LON, starts=now, hours=2)))
    # The test alone may run axe under the page's Content-Security-Policy: users never get it.
    ctx = browser.new_context(
        viewport=PHONE if phone else DESKTOP, timezone_id="UTC", locale="en-US", bypass_csp=True, color_scheme=scheme
    )
    page = ctx.new_page()
    problems: dict[str, list[str]] = {}
    page.goto(live.url + "/login")
    problems["login banner"] = serious(page)
    page.click("#accept")
    problems["login"] = serious(page)
    page.fill("input[name=username]", everyone)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/enrol")
    problems["enrol"] = serious(page)
    page.goto(live.url + "/login")
    sign_in(page, live.url, everyone)
    for path in PAGES:
        page.goto(f"{live.url}/{path}")
        problems[path] = serious(page)
    assert {where: found for where, found in problems.items() if found} == {}
    ctx.close()

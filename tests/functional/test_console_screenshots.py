"""The README's pictures: every main page at desktop and phone size, on the demonstration data, as its users.

`make screenshots` writes them to docs/screenshots/ (COMMONGROUND_SCREENSHOTS=1); a plain test run
takes them into a scratch folder, so the tracked pictures change only when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from commonground.demo import DEMO_PASSWORD, PLACES, seed
from tests.conftest import LiveServer, World
from tests.functional.console_browser import SHOTS, browser, console, context, needs_chromium, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

# Which demo user shows each page: the person who would use it.
PAGES = (
    ("watch", "watch"),
    ("operations", "mpd.sgt"),
    ("notices", "spd.sgt"),
    ("lookup", "hcso.911"),
    ("admin", "mpd.admin"),
    ("auditor", "auditor"),
)


def test_screenshots_of_each_page(console: tuple[World, LiveServer], browser: Any, tmp_path: Path) -> None:
    world, live = console
    seed(world.services, token_file=tmp_path / "demo-tokens.json")
    SHOTS.mkdir(parents=True, exist_ok=True)
    secrets: dict[str, str] = {}
    lat, lon, _ = PLACES[3]  # Nicollet Mall: a team is out there at start-up
    for phone in (False, True):
        size = "phone" if phone else "desktop"
        for n, (path, username) in enumerate(PAGES):
            ctx = context(browser, phone)
            page = ctx.new_page()
            shot = size if n == 0 else None  # the sign-in and enrolment pictures once per size
            secrets[username] = sign_in(page, live.url, username, secrets.get(username), shot, DEMO_PASSWORD)
            page.goto(f"{live.url}/{path}")
            page.wait_for_load_state("networkidle")
            if path == "lookup":
                page.fill("input[name=lat]", str(lat))
                page.fill("input[name=lon]", str(lon))
                page.click("button:has-text('Look up')")
                page.wait_for_selector("#teams li")
            if path == "operations":
                page.wait_for_selector("#mine li")
            if path == "watch":
                page.wait_for_selector("#conflicts > li")
                page.check("input[name=when][value=all]")
            page.wait_for_timeout(600)
            page.screenshot(path=str(SHOTS / f"{path}-{size}.png"), full_page=phone)
            ctx.close()

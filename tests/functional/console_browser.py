"""Helpers for the console's browser tests: headless Debian Chromium, sign-in with TOTP."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots go to docs/ only when asked (COMMONGROUND_SCREENSHOTS=1), so a test run
# leaves the tracked pictures alone; otherwise they land in a scratch folder.
SHOTS = (
    Path(__file__).parents[2] / "docs" / "screenshots"
    if os.environ.get("COMMONGROUND_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "commonground-screenshots"
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"browser tests need {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def context(browser: Any, phone: bool = False) -> Any:
    return browser.new_context(viewport=PHONE if phone else DESKTOP, timezone_id="UTC", locale="en-US")


def sign_in(page: Any, base: str, username: str, secret: str | None = None, shot: str | None = None) -> str:
    """Acknowledge the banner, give the password, enrol (or give the code); return the TOTP secret."""
    page.goto(base + "/")
    page.wait_for_url("**/login")
    if shot:
        page.screenshot(path=str(SHOTS / f"login-{shot}.png"))
    page.click("#accept")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=otp]", next_code(secret))
    page.click("button[type=submit].primary")
    if secret is None:
        page.wait_for_url("**/enrol")
        secret = page.inner_text("#secret").strip()
        if shot:
            page.screenshot(path=str(SHOTS / f"enrol-{shot}.png"))
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
        page.click("button[type=submit].primary")
    page.wait_for_function("!location.pathname.startsWith('/login') && !location.pathname.startsWith('/enrol')")
    return secret


def next_code(secret: str) -> str:
    """A code for the next 30-second step: the current one may already have been used."""
    return pyotp.TOTP(secret).at(time.time() + 30)

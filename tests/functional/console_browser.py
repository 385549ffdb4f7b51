"""Helpers for the console's browser tests: headless Debian Chromium, sign-in with TOTP."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pyotp
import pytest

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import LiveServer, World

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


def sign_in(
    page: Any, base: str, username: str, secret: str | None = None, shot: str | None = None, password: str = PASSWORD
) -> str:
    """Acknowledge the banner, give the password, enrol (or give the code); return the TOTP secret."""
    page.goto(base + "/")
    page.wait_for_url("**/login")
    if shot:
        page.screenshot(path=str(SHOTS / f"login-{shot}.png"))
    page.click("#accept")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
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
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith(("/login", "/enrol")))
    return secret


def next_code(secret: str) -> str:
    """A code for the next 30-second step: the current one may already have been used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


SIZES = pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
"""Every console test runs at both sizes the issue names: desktop 1280x800 and phone 390x844."""


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[World, LiveServer]]:
    """A real installation on a SQLite file behind a real server on loopback; yields (world, live)."""
    services = build_services(Settings(database_url=sqlite_url, console_cookie_secure=False))
    with LiveServer(services) as live:
        yield World(services), live
    services.close()


def in_view(page: Any, selector: str) -> bool:
    """Is the element's top edge inside the visible part of the window (not scrolled away)?"""
    return bool(
        page.eval_on_selector(
            selector,
            "e => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.top < innerHeight; }",
        )
    )


def fill_operation(page: Any, lat: float, lon: float, starts: str, ends: str, title: str = "Warrant service") -> None:
    """Fill the operation form's required fields; times are wall-clock times as typed."""
    page.fill("input[name=title]", title)
    page.fill("input[name=starts_at]", starts)
    page.fill("input[name=ends_at]", ends)
    page.fill("input[name=lat]", str(lat))
    page.fill("input[name=lon]", str(lon))
    page.fill("input[name=radius_m]", "100")
    page.fill("input[name=contact_name]", "Sgt. Rivera")
    page.fill("input[name=contact_phone]", "+1 651 555 0199")


def person(world: World, agency: Any, *roles: str) -> str:
    """A new user of ``agency`` with ``roles`` who signs in with the test password; return the username."""
    return world.person(agency, *roles, password=PASSWORD).user.username


AGENCY_ZONE = ZoneInfo("America/Chicago")  # every test agency's zone (tests/conftest.py World.agency)


def local(dt: datetime) -> str:
    """``dt`` as the agency's wall clock, the way a person types it into the form."""
    return dt.astimezone(AGENCY_ZONE).strftime("%Y-%m-%dT%H:%M")

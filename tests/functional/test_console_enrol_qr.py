"""The enrolment QR code in headless Chromium: a decoder reads the secret off a screenshot of the page."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from tests.conftest import LiveServer, World
from tests.functional.console_browser import PASSWORD, SIZES, browser, console, context, needs_chromium, person

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]


@SIZES
def test_the_enrolment_qr_code_scans(console: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    world, live = console
    officer = person(world, world.agency("local", name="St. Paul Police"), "officer")
    ctx = context(browser, phone)
    page = ctx.new_page()
    page.goto(live.url + "/login")
    page.click("#accept")
    page.fill("input[name=username]", officer)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/enrol")
    secret = page.inner_text("#secret").strip()
    found = decode(Image.open(io.BytesIO(page.screenshot(full_page=True))))
    assert found, "no QR code could be read off the enrolment page"
    uri = urlparse(found[0].data.decode())
    assert uri.scheme == "otpauth" and parse_qs(uri.query)["secret"] == [secret]
    box = page.eval_on_selector(".qr svg", "e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }")
    assert box[0] == box[1] and box[0] >= 150  # square, whole, and large enough for a phone camera
    ctx.close()

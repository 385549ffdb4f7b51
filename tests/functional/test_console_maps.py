"""The console's maps in headless Chromium: the agency's jurisdiction, names without tiles, my location, addresses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import LiveServer, World
from tests.functional.console_browser import (
    DESKTOP,
    PHONE,
    SIZES,
    browser,
    console,
    context,
    needs_chromium,
    person,
    sign_in,
)
from tests.functional.test_console_lookup_page import lookups
from tests.functional.test_console_pages import ST_PAUL

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

RICE_ST = (44.95568, -93.10571)  # University Ave W & Rice St


class Geocoder(BaseHTTPRequestHandler):
    """A Nominatim-shaped (/search) and a Pelias-shaped (/v1/search) address search, with CORS."""

    asked: list[str] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        lat, lon = RICE_ST
        if url.path == "/v1/search":
            Geocoder.asked.append(query["text"][0])
            label = "University Ave W & Rice St, Saint Paul, MN"
            body: Any = {"features": [{"geometry": {"coordinates": [lon, lat]}, "properties": {"label": label}}]}
        else:
            Geocoder.asked.append(query["q"][0])
            body = [{"lat": str(lat), "lon": str(lon), "display_name": "Rice Street, Saint Paul, Ramsey County"}]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=["nominatim", "pelias"])
def geocoded(sqlite_url: str, request: pytest.FixtureRequest) -> Iterator[tuple[World, LiveServer]]:
    """An installation whose console searches addresses with a real geocoder on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Geocoder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = "/search?format=jsonv2&q={q}" if request.param == "nominatim" else "/v1/search?text={q}"
    settings = Settings(
        database_url=sqlite_url,
        console_cookie_secure=False,
        console_geocoder_url=f"http://127.0.0.1:{server.server_port}{path}",
    )
    services = build_services(settings)
    with LiveServer(services) as live:
        yield World(services), live
    services.close()
    server.shutdown()


def bounds(page: Any) -> list[float]:
    """The map's view as west, south, east, north."""
    page.wait_for_selector("#map[data-bounds]")
    return [float(v) for v in str(page.get_attribute("#map", "data-bounds")).split(",")]


@SIZES
def test_maps_open_on_the_jurisdiction_with_names_and_say_why_there_are_no_streets(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    home = world.agency("local", name="St. Paul Police", jurisdiction=ST_PAUL)
    officer = person(world, home, "officer", "dispatcher")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, officer)
    for path in ("operations", "lookup"):
        page.goto(f"{live.url}/{path}")
        west, south, east, north = bounds(page)
        assert west < -93.1 < east and south < 44.95 < north  # St. Paul is on screen
        assert east - west < 1.5, "the map opened on more than the jurisdiction"
        assert "COMMONGROUND_CONSOLE_TILE_URL" in page.inner_text(".map-note")
        page.wait_for_selector(".place-label:has-text('Ramsey County')")
    assert "COMMONGROUND_CONSOLE_GEOCODER_URL" in page.inner_text("#no-geocoder")  # said plainly
    ctx.close()


@SIZES
def test_use_my_location_sets_the_point_without_a_look_up(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    dispatcher = person(world, world.agency("local", name="Ramsey County ECC"), "dispatcher")
    ctx = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        timezone_id="UTC",
        locale="en-US",
        geolocation={"latitude": RICE_ST[0], "longitude": RICE_ST[1]},
        permissions=["geolocation"],
    )
    page = ctx.new_page()
    sign_in(page, live.url, dispatcher)
    page.click("button.locate")
    expect(page.locator("input[name=lat]")).to_have_value(f"{RICE_ST[0]:.5f}")
    assert page.input_value("input[name=lon]") == f"{RICE_ST[1]:.5f}"
    # The point is set at once; the map's view settles when its zoom animation ends (moveend).
    for _ in range(100):
        west, south, east, north = bounds(page)
        if east - west < 0.05:
            break
        page.wait_for_timeout(50)
    assert east - west < 0.05 and south < RICE_ST[0] < north
    assert lookups(world, dispatcher) == 0
    ctx.close()


@SIZES
def test_an_address_search_sets_the_point(geocoded: tuple[World, LiveServer], browser: Any, phone: bool) -> None:
    world, live = geocoded
    city = world.agency("local", name="St. Paul Police")
    user = person(world, city, "officer", "dispatcher")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, user)
    page.goto(live.url + "/lookup")
    page.fill("input[name=address]", "Rice St & University Ave")
    page.click("#find-address")
    expect(page.locator("input[name=lat]")).to_have_value(f"{RICE_ST[0]:.5f}")
    assert "Saint Paul" in page.inner_text("#found")
    assert lookups(world, user) == 0  # finding the address is not a look-up
    page.goto(live.url + "/operations")
    page.fill("input[name=address]", "600 Rice St")
    page.click("#find-address")
    expect(page.locator("input[name=lon]")).to_have_value(f"{RICE_ST[1]:.5f}")
    assert Geocoder.asked[-2:] == ["Rice St & University Ave", "600 Rice St"]
    ctx.close()

"""The console says in plain words which installation could not be checked, and names a peer's operation.

Headless Chromium against real installations on loopback: the federal one up, the county's down."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import SOON, World, operation_data
from tests.functional.console_browser import PASSWORD, browser, context, local, needs_chromium, sign_in
from tests.functional.test_federation import install, running, submit, trust

__all__ = ["browser"]  # the fixture, imported for pytest
LAT, LON = 44.9778, -93.2650  # the federal operation's place


@pytest.mark.browser
@needs_chromium
def test_a_submission_names_the_peer_conflict_and_the_installation_it_could_not_check(
    tmp_path: Path, browser: Any
) -> None:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    county = install(tmp_path, "county", "local")
    trust(city, feds)
    trust(city, county)  # never started
    services = build_services(Settings(database_url=city.db, federation_name=city.name, public_url=city.url))
    try:
        world = World(services)
        officer = world.person(world.agency("local", name="City Police"), "officer", password=PASSWORD)
    finally:
        services.close()
    env = {"COMMONGROUND_CONSOLE_COOKIE_SECURE": "false", "COMMONGROUND_FEDERATION_TIMEOUT_SECONDS": "0.5"}
    ctx = context(browser)
    page = ctx.new_page()
    with running(city, feds, **env):
        submit(feds, operation_data(LAT, LON, contact={"name": "SA Rivera", "phone": "+1 612 555 0199"}))
        sign_in(page, city.url, officer.user.username)
        page.fill("input[name=title]", "Warrant service, Hennepin Ave")
        page.fill("input[name=starts_at]", local(SOON))
        page.fill("input[name=ends_at]", local(SOON + timedelta(hours=2)))
        page.fill("input[name=lat]", str(LAT))
        page.fill("input[name=lon]", str(LON))
        page.fill("input[name=radius_m]", "100")
        page.fill("input[name=contact_name]", "Sgt. Olson")
        page.fill("input[name=contact_phone]", "+1 612 555 0123")
        page.click("#submit")
        text = page.wait_for_selector(".answer.conflict").inner_text()
    ctx.close()
    assert "Conflict: feds agency (installation feds)" in text and "SA Rivera" in text
    assert "Could not check installation county" in text and "will keep trying" in text
    assert "Clear." not in text

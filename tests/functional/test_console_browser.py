"""The console in headless Chromium: sign-in with TOTP, a live conflict, look-up, policy, screenshots."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from commonground.domain.errors import NotAuthenticated
from commonground.service.channels import Channels
from commonground.service.ports import ConflictFilter
from tests.conftest import SOON, LiveServer, World, operation_data, wire
from tests.functional.console_browser import (
    PASSWORD,
    browser,
    console,
    context,
    local,
    needs_chromium,
    next_code,
    person,
    sign_in,
)

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

LAT, LON = 44.9537, -93.0900  # St. Paul


def test_enter_a_conflicting_operation_and_watch_it_arrive_live(
    console: tuple[World, LiveServer], browser: Any
) -> None:
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    ice = world.agency("federal", name="ICE ERO St. Paul")
    theirs = world.person(ice, "supervisor")
    wire(
        world.services.operations.submit(
            theirs,
            operation_data(
                LAT + 0.0019,
                LON,
                radius_m=50,
                contact={"name": "SDO Whitfield", "phone": "+1 612 555 0142", "radio": "ERO 1"},
            ),
        )
    )
    officer = person(world, city, "officer")
    watcher = person(world, world.agency("state", name="State Watch Center"), "watch")

    watch_ctx, officer_ctx = context(browser), context(browser)
    watch = watch_ctx.new_page()
    sign_in(watch, live.url, watcher)
    assert watch.url.endswith("/watch")
    watch.wait_for_selector("#empty:not([hidden])")

    page = officer_ctx.new_page()
    secret = sign_in(page, live.url, officer)
    assert page.url.endswith("/operations")
    page.fill("input[name=title]", "Warrant service, Rice St")
    page.fill("input[name=starts_at]", local(SOON))
    page.fill("input[name=ends_at]", local(SOON + timedelta(hours=2)))
    page.fill("input[name=lat]", str(LAT))
    page.fill("input[name=lon]", str(LON))
    page.fill("input[name=radius_m]", "100")
    page.fill("input[name=contact_name]", "Sgt. Rivera")
    page.fill("input[name=contact_phone]", "+1 651 555 0199")
    page.click("#submit")
    answer = page.wait_for_selector(".answer.conflict")
    text = answer.inner_text()
    assert "Conflict: ICE ERO St. Paul" in text and "SDO Whitfield" in text and "+1 612 555 0142" in text
    assert page.get_attribute("a.tel", "href") == "tel:+16125550142"

    card = watch.wait_for_selector("li.conflict.open", timeout=15_000)
    assert "ICE ERO St. Paul" in card.inner_text() and "St. Paul Police" in card.inner_text()
    watch.click("button[data-ack][aria-label='Acknowledge for St. Paul Police']")
    watch.wait_for_selector("li.conflict .ok:has-text('acknowledged')")
    with world.services.store.read() as tx:
        conflicts = tx.conflicts.page(ConflictFilter(), 10, None)
    assert len(conflicts.items) == 1 and (conflicts.items[0].ack_a or conflicts.items[0].ack_b)

    # The second sign-in needs the code; a wrong one is refused.
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login")
    page.click("#accept")
    page.fill("input[name=username]", officer)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp]", "000000")
    page.click("button[type=submit].primary")
    assert "wrong username, password or code" in page.inner_text(".error")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp]", next_code(secret))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/operations")
    watch_ctx.close()
    officer_ctx.close()


def test_dispatcher_sees_teams_nearby(console: tuple[World, LiveServer], browser: Any) -> None:
    world, live = console
    dea = world.agency("federal", name="DEA Minneapolis")
    now = datetime.now(SOON.tzinfo)
    wire(
        world.services.operations.submit(
            world.person(dea, "supervisor"),
            operation_data(
                LAT,
                LON,
                starts=now.replace(microsecond=0),
                hours=4,
                team={"personnel": 6, "attire": "plain_clothes", "vehicles": "2 unmarked grey SUVs"},
            ),
        )
    )
    dispatcher = person(world, world.agency("local", name="Ramsey County ECC"), "dispatcher")
    ctx = context(browser)
    page = ctx.new_page()
    sign_in(page, live.url, dispatcher)
    assert page.url.endswith("/lookup")
    page.fill("input[name=lat]", str(LAT + 0.003))
    page.fill("input[name=lon]", str(LON))
    page.click("button:has-text('Look up')")
    team = page.wait_for_selector("#teams li")
    words = team.inner_text()
    assert "DEA Minneapolis" in words and "plain clothes" in words and "2 unmarked grey SUVs" in words
    assert page.get_attribute("#teams a.tel", "href", timeout=2000).startswith("tel:")
    ctx.close()


def test_agency_admin_changes_the_sharing_policy(console: tuple[World, LiveServer], browser: Any) -> None:
    world, live = console
    city = world.agency("local", name="Minneapolis Police")
    admin = person(world, city, "agency_admin")
    ctx = context(browser)
    page = ctx.new_page()
    sign_in(page, live.url, admin)
    assert page.url.endswith("/admin")
    page.select_option("select[name=federal]", "operational")
    page.check("input[name=restricted][value=civil_immigration]")
    page.click("#save-policy")
    page.wait_for_selector("p.ok:has-text('Sharing policy saved')")
    policy = world.services.accounts.get_agency(city.id).policy
    assert policy.level_for("federal").value == "operational"
    assert [p.value for p in policy.restricted_purposes] == ["civil_immigration"]
    # The same administrator names where the agency hears of conflicts besides the console.
    page.wait_for_selector("textarea[name=emails]")
    page.fill("textarea[name=emails]", "duty-desk@mpd.example.org conflict.created conflict.urgent")
    page.click("#save-channels")
    page.wait_for_selector("#channels-status:has-text('Saved.')")
    saved = Channels(world.services.store, world.services.clock).get(world.principal(admin), city.id)
    assert saved["emails"] == [
        {"address": "duty-desk@mpd.example.org", "events": ["conflict.created", "conflict.urgent"]}
    ]
    # A CAD link's token is lost: the administrator revokes it and it stops working at once.
    cad = world.token(world.person(city, "dispatcher"))
    page.goto(f"{live.url}/admin")
    page.click("#tokens button[data-revoke]")
    page.wait_for_selector("p.ok:has-text('Token revoked')")
    with pytest.raises(NotAuthenticated):
        world.services.accounts.authenticate(cad)
    ctx.close()


CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_the_console_works_under_its_content_security_policy(console: tuple[World, LiveServer], browser: Any) -> None:
    """Sign-in, enrolment, every page and an operation's entry: no CSP violation reported, none in the console."""
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    wire(
        world.services.operations.submit(
            world.person(world.agency("federal", name="ICE ERO St. Paul"), "supervisor"),
            operation_data(LAT + 0.0019, LON, radius_m=50),
        )
    )
    everyone = person(world, city, "watch", "supervisor", "dispatcher", "agency_admin", "auditor")
    ctx = context(browser)
    ctx.add_init_script(CSP_WATCH)
    page = ctx.new_page()
    reported: list[str] = []
    page.on("console", lambda m: reported.append(m.text) if "Content Security Policy" in m.text else None)
    seen: list[str] = []

    def collect() -> None:
        assert page.evaluate("document.querySelector('meta[http-equiv]')") is None  # the header, not a meta tag
        seen.extend(page.evaluate("window.__csp || []"))

    response = page.goto(live.url + "/login")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    collect()
    sign_in(page, live.url, everyone)
    collect()
    for path in ("watch", "operations", "notices", "lookup", "admin", "auditor"):
        page.goto(f"{live.url}/{path}")
        page.wait_for_load_state("networkidle")
        page.wait_for_selector(".leaflet-container, main")
        collect()
    page.goto(f"{live.url}/operations")
    page.fill("input[name=title]", "Warrant service, Rice St")
    page.fill("input[name=starts_at]", local(SOON))
    page.fill("input[name=ends_at]", local(SOON + timedelta(hours=2)))
    page.fill("input[name=lat]", str(LAT))
    page.fill("input[name=lon]", str(LON))
    page.fill("input[name=radius_m]", "100")
    page.fill("input[name=contact_name]", "Sgt. Rivera")
    page.fill("input[name=contact_phone]", "+1 651 555 0199")
    page.click("#submit")
    page.wait_for_selector(".answer.conflict")  # the page's script ran and drew the answer
    assert page.locator(".leaflet-container").count() == 1
    collect()
    assert seen == [] and reported == [], (seen, reported)
    ctx.close()

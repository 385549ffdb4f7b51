"""HTML and script in every text field stay text on every console page, map popups included (issue 16).

Markup is entered through the console's own forms where it has one (an operation, a token, a
conflict's note) and through the use-cases otherwise (agency names, display names, the other
agency's operation). Each page is then opened in headless Chromium and must show the markup as
text, create no element from it, and never run it. The content security policy would stop an
inline handler anyway, so the DOM check is the one that can fail: no element with the payload's
class may exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from commonground.service.ports import ConflictFilter
from tests.conftest import SOON, LiveServer, World, operation_data, wire
from tests.functional.console_browser import PASSWORD, browser, console, context, local, needs_chromium, sign_in
from tests.functional.test_console_browser import LAT, LON

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]

SCRIPT = "<script class=xss>window.__xss=1</script>"
IMG = "<img class=xss src=x onerror=window.__xss=1>"
SVG = '"><svg class=xss onload=window.__xss=1>'
BOLD = "'><b class=xss>bold</b>"
PHONE = "<b class=xss>+1 651 555 0199</b>"

# Before the page's own scripts: note every layer that gets a popup, so the test can open them all.
POPUP_PROBE = """
window.__popups = [];
let leaflet;
Object.defineProperty(window, "L", { configurable: true, get() { return leaflet; }, set(value) {
  leaflet = value;
  if (value && value.Layer && !value.__probed) {
    value.__probed = true;
    const bind = value.Layer.prototype.bindPopup;
    value.Layer.prototype.bindPopup = function (...args) { window.__popups.push(this); return bind.apply(this, args); };
  }
} });
"""
OPEN_POPUPS = """() => {
  const shown = [];
  for (const layer of window.__popups) {
    if (!layer._map) continue;
    layer.openPopup();
    const content = layer.getPopup().getElement();
    shown.push({ text: content ? content.innerText : "", markup: document.querySelectorAll(".xss").length });
  }
  return shown;
}"""


def inert(page: Any, *shown: str) -> str:
    """Assert nothing from a payload became an element or ran; each of ``shown`` is on the page as text."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelectorAll('.xss').length") == 0, page.url
    assert page.evaluate("typeof window.__xss") == "undefined", page.url
    text = page.inner_text("body")
    for words in shown:
        assert words in text, (page.url, words)
    return str(text)


def popups(page: Any, *shown: str) -> None:
    """Open every map popup of the page; each stays text, and together they show ``shown``."""
    opened = page.evaluate(OPEN_POPUPS)
    assert opened, page.url
    assert all(p["markup"] == 0 for p in opened), (page.url, opened)
    assert page.evaluate("typeof window.__xss") == "undefined"
    texts = " ".join(p["text"] for p in opened)
    for words in shown:
        assert words in texts, (page.url, words, texts)


def test_markup_in_every_text_field_is_shown_as_text_on_every_page(
    console: tuple[World, LiveServer], browser: Any
) -> None:
    world, live = console
    square = [[LON - 0.1, LAT - 0.1], [LON + 0.1, LAT - 0.1], [LON + 0.1, LAT + 0.1], [LON - 0.1, LAT + 0.1]]
    home = world.agency(
        "local", name=f"St. Paul {IMG}", jurisdiction={"type": "Polygon", "coordinates": [[*square, square[0]]]}
    )
    ice = world.agency("federal", name=f"ICE {SCRIPT}")
    theirs = {"name": f"SDO {IMG}", "phone": "<b class=xss>+1 612 555 0142</b>", "radio": SCRIPT}
    now = datetime.now(SOON.tzinfo).replace(microsecond=0)
    wire(
        world.services.operations.submit(
            world.person(ice, "supervisor"),
            operation_data(
                LAT,
                LON,
                radius_m=80,
                starts=now - timedelta(minutes=5),
                hours=5,
                contact=theirs,
                title=f"Raid {BOLD}",
                notes=SCRIPT,
                team={"personnel": 4, "attire": "plain_clothes", "vehicles": BOLD},
                location={"lat": LAT, "lon": LON, "radius_m": 80, "address": f"1 {SVG} St"},
            ),
        )
    )
    everyone = world.person(home, "watch", "supervisor", "dispatcher", "agency_admin", "auditor", password=PASSWORD)
    world.services.lifecycle.update(world.admin, everyone.user.id, {"display_name": f"Sgt {SVG}"})
    ctx = context(browser)
    ctx.add_init_script(POPUP_PROBE)
    page = ctx.new_page()
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)  # an alert() means a refused request, or script that ran
        dialog.dismiss()

    page.on("dialog", refuse)
    sign_in(page, live.url, everyone.user.username)

    # Operations: every field of the form carries markup; the answer, the list and the popups stay text.
    page.goto(f"{live.url}/operations")
    for name, value in (
        ("title", f"Warrant {BOLD}"),
        ("case_number", "C-<b class=xss>1</b>"),
        ("address", f"1 {IMG} Ave"),
        ("contact_name", f"Sgt {SCRIPT}"),
        ("contact_phone", PHONE),
        ("contact_radio", "<i class=xss>TAC 2</i>"),
        ("vehicles", SVG),
        ("notes", f"{SCRIPT}\n{IMG}"),
    ):
        page.fill(f"[name={name}]", value)
    page.fill("input[name=starts_at]", local(now))
    page.fill("input[name=ends_at]", local(now + timedelta(hours=2)))
    page.fill("input[name=lat]", str(LAT))
    page.fill("input[name=lon]", str(LON))
    page.fill("input[name=radius_m]", "100")
    page.click("#submit")
    page.wait_for_selector(".answer.conflict")
    page.wait_for_selector("#mine li.card")
    inert(page, f"Conflict: ICE {SCRIPT}", f"SDO {IMG}", f"Warrant {BOLD}", f"1 {IMG} Ave", f"Sgt {SVG}")
    popups(page, f"ICE {SCRIPT}", f"SDO {IMG}")
    with world.services.store.read() as tx:
        [conflict] = tx.conflicts.page(ConflictFilter(), 10, None).items
        mine = tx.operations.get(conflict.operation_b) or tx.operations.get(conflict.operation_a)
    assert mine is not None
    page.click("#mine button[data-act=edit]")  # the form is filled back with the stored text, as values
    assert page.input_value("[name=title]") in (f"Warrant {BOLD}", f"Raid {BOLD}")
    inert(page)

    # Watch center: both sides' cards, their popups, the delivery history.
    page.goto(f"{live.url}/watch")
    page.wait_for_selector("li.conflict.open")
    inert(page, f"ICE {SCRIPT}", f"St. Paul {IMG}", f"SDO {IMG}", f"Sgt {SCRIPT}", "+1 651 555 0199", BOLD, SVG)
    popups(page, f"ICE {SCRIPT}", f"SDO {IMG}", f"St. Paul {IMG}", f"Sgt {SCRIPT}")
    page.click("details.more summary")
    page.locator("details.more p.history").filter(has_not_text="Loading").wait_for()
    inert(page)

    # Notices: the other agency's operation inside our jurisdiction.
    page.goto(f"{live.url}/notices")
    page.wait_for_selector("#notices li.card")
    inert(page, f"ICE {SCRIPT}", f"SDO {IMG}", BOLD)
    popups(page, f"ICE {SCRIPT}")

    # Look-up: the team operating here now.
    page.goto(f"{live.url}/lookup")
    page.fill("input[name=lat]", str(LAT + 0.001))
    page.fill("input[name=lon]", str(LON))
    page.click("button:has-text('Look up')")
    page.wait_for_selector("#teams li")
    inert(page, f"ICE {SCRIPT}", f"SDO {IMG}", BOLD)
    popups(page, f"ICE {SCRIPT}", f"SDO {IMG}")

    # Admin: the agency's name, the people, a token named with markup through the page's own form.
    page.goto(f"{live.url}/admin")
    page.fill(f"tr:has-text('{everyone.user.username}') input[name=name]", f"CAD {IMG}")
    page.click(f"tr:has-text('{everyone.user.username}') button:has-text('New token')")
    page.wait_for_selector("#new-token")
    page.wait_for_selector("#channels textarea")
    inert(page, f"St. Paul {IMG}", f"Sgt {SVG}", f"CAD {IMG}")

    # Auditor: the records, and the search fields echoed back.
    page.goto(f"{live.url}/auditor?" + urlencode({"action": SVG, "actor": SCRIPT, "since": IMG}))
    inert(page)
    # The action is a picker of the documented actions: an unknown one selects none, and adds no option.
    assert page.input_value("select[name=action]") == "" and page.input_value("input[name=actor]") == SCRIPT

    # Resolve the conflict from the watch page with markup in the note; the list redraws as text.
    page.goto(f"{live.url}/watch")
    page.click("li.conflict details.more summary")
    page.fill("li.conflict form.contact input[name=note]", f"{SCRIPT} left a message")  # a logged call too
    page.click("li.conflict form.contact button[type=submit]")
    page.wait_for_selector("li.conflict ol.calls li")
    inert(page)
    page.fill("li.conflict form.resolve input[name=note]", f"{SCRIPT} spoke on TAC 2")
    page.select_option("li.conflict form.resolve select[name=outcome]", "proceed")
    page.click("li.conflict form.resolve button[type=submit]")
    page.wait_for_selector("li.conflict.resolved")  # a resolved conflict stays, sunk to the bottom
    inert(page)
    with world.services.store.read() as tx:
        closed = tx.conflicts.get(conflict.id)
    assert closed is not None and closed.note == f"{SCRIPT} spoke on TAC 2"
    assert dialogs == []
    ctx.close()


def test_markup_stays_text_on_the_sign_in_pages(console: tuple[World, LiveServer], browser: Any) -> None:
    """The login page echoes the username typed, enrolment greets the display name, set-password echoes its token."""
    world, live = console
    newcomer = world.person(world.agency("local", name=f"Ramsey {SCRIPT}"), "officer", password=PASSWORD)
    world.services.lifecycle.update(world.admin, newcomer.user.id, {"display_name": f"Sgt {SVG}"})
    ctx = context(browser)
    page = ctx.new_page()
    page.goto(f"{live.url}/login")
    page.click("#accept")
    page.fill("input[name=username]", SVG)
    page.fill("input[name=password]", "wrong password, twelve+")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".error")
    inert(page)
    assert page.input_value("input[name=username]") == SVG
    page.fill("input[name=username]", newcomer.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/enrol")
    inert(page, f"Sgt {SVG}")
    page.goto(f"{live.url}/set-password")
    page.fill("input[name=token]", SVG)
    page.fill("input[name=password]", "a new password, long enough")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".error")
    inert(page)
    ctx.close()

"""The auditor's page in headless Chromium: newest first, paging, names, the action picker."""

from __future__ import annotations

import re
from typing import Any

import pytest

from commonground.audit.tags import Action
from tests.conftest import LiveServer, World
from tests.functional.console_browser import SIZES, browser, console, context, needs_chromium, person, sign_in

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["browser", "console"]


def column(page: Any, n: int) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        f"#audit tbody tr td:nth-child({n})", "ts => ts.map(t => t.innerText.trim())"
    )
    return found


@SIZES
def test_the_auditor_reads_the_newest_first_by_name(
    console: tuple[World, LiveServer], browser: Any, phone: bool
) -> None:
    world, live = console
    city = world.agency("local", name="St. Paul Police")
    for _ in range(50):  # each creation is audited: more than one page of records
        world.person(city, "officer")
    auditor = person(world, city, "auditor")
    ctx = context(browser, phone)
    page = ctx.new_page()
    sign_in(page, live.url, auditor)
    assert page.url.endswith("/auditor")
    seqs = [int(s) for s in column(page, 1)]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    with world.services.store.read() as tx:
        bounds = tx.audit.bounds()
    assert bounds is not None and seqs[0] >= bounds[1] - 1  # the newest (this read itself is appended after)
    actors = column(page, 5)
    assert not [a for a in actors if re.fullmatch(r"[0-9a-f]{8}", a)], actors
    assert any("(root)" in a for a in actors)  # the installation admin who made the users, by name
    assert any(re.match(r"user User \d+ \(user", o) for o in column(page, 6))  # the user created, by name

    page.click("a[rel=next]")
    older = [int(s) for s in column(page, 1)]
    assert older and max(older) < min(seqs)

    picker = page.eval_on_selector_all("select[name=action] option", "os => os.map(o => o.value).filter(Boolean)")
    assert picker == sorted(a.value for a in Action)
    page.select_option("select[name=action]", "admin:user:create")
    page.click("button:has-text('Search')")
    assert set(column(page, 3)) == {"admin:user:create"}
    assert "Chain intact" in page.inner_text("#chain")
    ctx.close()

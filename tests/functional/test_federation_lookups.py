"""Dispatcher look-ups across real installations: separate server processes, separate SQLite files, on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, bearer, operation_data
from tests.functional.console_browser import PASSWORD, browser, context, needs_chromium, sign_in
from tests.functional.sse_client import SseClient
from tests.functional.test_federation import (
    CITY_SECRETS,
    Installation,
    city_operation,
    install,
    running,
    signed,
    submit,
    trust,
)

__all__ = ["browser"]  # the fixture, imported for the console test
LOOKUP = "/federation/v1/lookup"
POINT = {"lat": 44.9778, "lon": -93.2650}


def dispatcher(inst: Installation, level: str = "federal") -> str:
    """A dispatcher's look-up token in ``inst``, of a dispatch agency of its own."""
    services = build_services(Settings(database_url=inst.db, federation_name=inst.name, public_url=inst.url))
    try:
        world = World(services)
        who = world.person(world.agency(level, name=f"{inst.name} dispatch"), "dispatcher")
        return world.token(who, "lookup")
    finally:
        services.close()


def now_on() -> dict[str, Any]:
    """A window starting in five minutes: a look-up asks about now or the next two hours."""
    starts = datetime.now(UTC) + timedelta(minutes=5)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat()}


def look(inst: Installation, token: str) -> httpx.Response:
    when = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    return httpx.get(f"{inst.url}/api/v1/lookup", params={**POINT, "at": when}, headers=bearer(token), timeout=30)


def ask_body(ref: str = "lookup-test", **extra: Any) -> bytes:
    body = {
        "ref": ref, **POINT, "radius_m": 300, "at": datetime.now(UTC).isoformat(),
        "agency": {"name": "Stranger PD", "ori": "MN0000000", "level": "local"}, **extra,
    }  # fmt: skip
    return json.dumps(body).encode()


def test_a_dispatcher_finds_a_peer_team_at_safety_and_the_team_is_told(tmp_path: Path) -> None:
    """The federal dispatcher finds the restricting city's team: whom to call, and nothing of the case."""
    city = install(tmp_path, "city", "local", restricted_purposes=["civil_immigration"])
    feds = install(tmp_path, "feds", "federal")
    trust(city, feds)
    token = dispatcher(feds)
    with running(city, feds):
        mine = submit(city, {**city_operation(), **now_on()})
        with SseClient(city.url, city.supervisor) as stream:
            looked = look(feds, token)
            assert looked.status_code == 200, looked.text
            body = looked.json()
            assert body["federation"] == {"checked": ["city"], "unchecked": []}
            (hit,) = body["operations"]
            assert hit["installation"] == {"name": "city"} and hit["id"] == mine["id"]
            assert hit["level_disclosed"] == "safety" and hit["distance_m"] == 0.0
            assert hit["contact"]["phone"] == "+1 612 555 0100"
            assert {"title", "case_number", "notes", "subjects", "purpose", "address"}.isdisjoint(hit)
            assert not any(secret in looked.text for secret in CITY_SECRETS)
            # The city's team hears that federal units are coming, and from which installation.
            told = stream.next()
            assert told.event == "lookup.nearby", told
            assert told.data["operation_id"] == mine["id"]
            assert told.data["by_installation"] == "feds" and told.data["by_agency"] == "feds dispatch"
    sent = feds.audit(Action.FEDERATION_LOOKUP_SEND)
    assert [(s["checked"], s["unchecked"], s["hits"]) for s in sent] == [(["city"], [], {"city": 1})]
    (answered,) = city.audit(Action.FEDERATION_LOOKUP_ANSWER)
    assert answered["peer"] == "feds" and answered["hits"] == 1 and answered["levels"] == ["safety"]
    assert answered["operations"] == [mine["id"]]
    # The place is a keyed hash (each installation's own key) in both chains, never the point.
    for record in (sent[0], answered):
        assert str(record["place"]).startswith("hmac:") and "44.9778" not in json.dumps(record), record
    assert not any(secret in json.dumps(answered) for secret in CITY_SECRETS)


def test_a_stopped_peer_is_unchecked_never_a_clean_nothing(tmp_path: Path) -> None:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    trust(city, feds)
    token = dispatcher(feds)
    with running(city, feds, COMMONGROUND_FEDERATION_TIMEOUT_SECONDS="0.5"):
        submit(city, operation_data(**now_on()))
        assert look(feds, token).json()["federation"] == {"checked": ["city"], "unchecked": []}
    with running(feds, COMMONGROUND_FEDERATION_TIMEOUT_SECONDS="0.5"):  # the city is down now
        looked = look(feds, token)
    assert looked.status_code == 200, looked.text
    assert looked.json()["operations"] == []
    assert looked.json()["federation"] == {"checked": [], "unchecked": ["city"]}
    sent = feds.audit(Action.FEDERATION_LOOKUP_SEND)
    assert [(s["unchecked"], s["why_unchecked"]) for s in sent] == [([], {}), (["city"], {"city": "unreachable"})]


def test_replayed_unknown_key_and_over_limit_lookups_are_refused_and_audited(tmp_path: Path) -> None:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    stranger = install(tmp_path, "stranger", "local")
    trust(city, feds)
    with running(city, COMMONGROUND_FEDERATION_LOOKUP_LIMIT_PER_HOUR="2"):
        post = httpx.Client(base_url=city.url, timeout=10)
        first = ask_body("first")
        headers = signed(feds, city, first, path=LOOKUP)
        ok = post.post(LOOKUP, content=first, headers=headers)
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"installation": "city", "ref": "first", "operations": []}
        replayed = post.post(LOOKUP, content=first, headers=headers)
        unknown = post.post(LOOKUP, content=first, headers=signed(stranger, city, first, path=LOOKUP))
        assert (replayed.status_code, unknown.status_code) == (401, 401)
        second = ask_body("second")
        assert post.post(LOOKUP, content=second, headers=signed(feds, city, second, path=LOOKUP)).status_code == 200
        third = ask_body("third")
        limited = post.post(LOOKUP, content=third, headers=signed(feds, city, third, path=LOOKUP))
        assert limited.status_code == 429, limited.text
        assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["Retry-After"]) > 0
        extra = ask_body("extra", title="a title a look-up never carries")
        refused = post.post(LOOKUP, content=extra, headers=signed(feds, city, extra, path=LOOKUP))
        assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "title"
    reasons = sorted(d["reason"] for d in city.audit(Action.FEDERATION_REFUSE))
    assert reasons == ["replay", "unknown-key"]
    answers = city.audit(Action.FEDERATION_LOOKUP_ANSWER)
    assert [(a["ref"], a.get("reason")) for a in answers] == [
        ("first", None),
        ("second", None),
        ("third", "peer rate limit"),
    ]


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_limited_peer_is_unchecked_at_the_asking_side(
    tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    """The answering city on SQLite, then on PostGIS: its per-peer count holds on either store."""
    db = request.getfixturevalue("postgres_url") if store == "postgres" else None
    city, feds = install(tmp_path, "city", "local", db=db), install(tmp_path, "feds", "federal")
    trust(city, feds)
    token = dispatcher(feds)
    with running(city, COMMONGROUND_FEDERATION_LOOKUP_LIMIT_PER_HOUR="1"), running(feds):
        submit(city, operation_data(**now_on()))
        first, second = look(feds, token), look(feds, token)
    assert first.json()["federation"]["checked"] == ["city"] and len(first.json()["operations"]) == 1
    assert second.status_code == 200 and second.json()["federation"] == {"checked": [], "unchecked": ["city"]}
    assert feds.audit(Action.FEDERATION_LOOKUP_SEND)[-1]["why_unchecked"] == {"city": "limited"}


@pytest.mark.browser
@needs_chromium
def test_the_console_names_the_peer_team_and_never_shows_a_clear_while_a_peer_is_unchecked(
    tmp_path: Path, browser: Any
) -> None:
    """In headless Chromium: the city's team card names its installation; with the city down, no "no one"."""
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    trust(city, feds)
    services = build_services(Settings(database_url=feds.db, federation_name=feds.name, public_url=feds.url))
    try:
        world = World(services)
        who = world.person(world.agency("federal", name="feds dispatch"), "dispatcher", password=PASSWORD)
    finally:
        services.close()
    console = {"COMMONGROUND_CONSOLE_COOKIE_SECURE": "false", "COMMONGROUND_FEDERATION_TIMEOUT_SECONDS": "0.5"}
    ctx = context(browser)
    page = ctx.new_page()
    with running(feds, **console):
        with running(city):
            submit(
                city, operation_data(starts=datetime.now(UTC) - timedelta(minutes=10))
            )  # on now: the console asks now
            secret = sign_in(page, feds.url, who.user.username)
            page.fill("input[name=lat]", str(POINT["lat"]))
            page.fill("input[name=lon]", str(POINT["lon"]))
            page.click("button:has-text('Look up')")
            card = page.wait_for_selector("#teams li").inner_text()
            assert "(installation city)" in card and "+1 612 555 0100" in card
            assert page.query_selector("#unchecked") is None
        page.click("button:has-text('Look up')")  # the city is down now
        warning = page.wait_for_selector("#unchecked").inner_text()
        assert "Could not check city" in warning
        assert "No one else is operating" not in page.inner_text("#result")
        assert page.query_selector_all("#teams li") == []
    ctx.close()
    assert secret


def test_peer_lookups_count_towards_the_installation_limit(tmp_path: Path) -> None:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    trust(city, feds)
    with running(city, COMMONGROUND_LOOKUP_INSTALLATION_LIMIT_PER_HOUR="1"):
        post = httpx.Client(base_url=city.url, timeout=10)
        statuses = []
        for ref in ("one", "two"):
            body = ask_body(ref)
            answer = post.post(LOOKUP, content=body, headers=signed(feds, city, body, path=LOOKUP))
            statuses.append(answer.status_code)
    assert statuses == [200, 429]
    assert "this installation" in answer.json()["error"]["message"]

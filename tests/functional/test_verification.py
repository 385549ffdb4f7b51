"""On-scene verification over HTTP (issue 13, Deliver 2): an officer asks "is that a registered team?".

A caller reports armed people in plain clothes near a house; the city's patrol officer asks
before walking up. The answer names the teams active now or starting within 2 hours, with the
identity their agency declared; the team is told at once; the question is audited and counted
against the look-up limit; it is answered only inside the city's own jurisdiction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from commonground.domain.model import Agency
from tests.conftest import LiveServer, World, bearer, operation_data
from tests.functional.sse_client import SseClient
from tests.functional.test_notice_responses import _square
from tests.functional.test_policy_sharing import call

API = "/api/v1"
SPOT = (44.9778, -93.2650)
NEAR = (44.9786, -93.2650)  # about 90 m north of SPOT
FAR_AWAY = (45.5, -94.0)  # outside the city's square


def _city(world: World) -> Agency:
    return world.agency("local", name="Minneapolis PD", jurisdiction=_square(*SPOT))


def _starting_in(minutes: float, hours: float = 3) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    return {"starts": starts, "hours": hours}


def _team_op(http: httpx.Client, token: str, at: tuple[float, float] = SPOT, **when: Any) -> Any:
    body = operation_data(*at, radius_m=50, **(when or _starting_in(-5)))
    return call(http, token, "POST", "/operations", body, status=201)


def _verify(http: httpx.Client, token: str, lat: float, lon: float, **extra: Any) -> httpx.Response:
    return http.get(f"{API}/verify", params={"lat": lat, "lon": lon, **extra}, headers=bearer(token))


def test_an_officer_inside_the_city_finds_the_team_and_the_team_is_told(world: World, live: LiveServer) -> None:
    world.services.settings.notify_worker = False
    with httpx.Client(base_url=live.url, timeout=10) as http:
        city = _city(world)
        feds = world.agency("federal", name="HSI St. Paul")
        fed_token = world.token(world.person(feds, "supervisor"))
        active = _team_op(http, fed_token)
        soon = _team_op(http, fed_token, **_starting_in(90))
        _team_op(http, fed_token, **_starting_in(180))  # forming up later than 2 h: not yet
        _team_op(http, fed_token, at=(SPOT[0] + 0.02, SPOT[1]))  # 2 km off: outside the radius
        officer = world.person(city, "officer")
        with SseClient(live.url, fed_token) as stream:
            r = _verify(http, world.token(officer), *NEAR)
            assert r.status_code == 200, r.text
            told = [stream.next(), stream.next()]
        teams = r.json()["teams"]
        assert [t["distance_m"] for t in teams] == sorted(t["distance_m"] for t in teams)
        assert {t["id"] for t in teams} == {active["id"], soon["id"]}
        for team in teams:
            assert team["level_disclosed"] == "safety"
            assert team["agency"]["name"] == "HSI St. Paul" and team["contact"]["phone"] == "+1 612 555 0100"
            assert 0 < team["distance_m"] <= 200
            assert "title" not in team and "subjects" not in team
        assert {e.event for e in told} == {"verify.nearby"}
        assert {e.data["operation_id"] for e in told} == {active["id"], soon["id"]}
        assert all(e.data["by_agency"] == "Minneapolis PD" and e.data["by_ori"] == city.ori for e in told)
        assert all("a local officer of Minneapolis PD is verifying your team at" in e.data["message"] for e in told)
    with world.services.store.read() as tx:
        [audited] = [r.entry for r in tx.audit.all() if r.entry.action == "field:verify:query"]
    assert audited.actor_user_id == officer.user.id and audited.outcome == "success"
    assert sorted((audited.details or {})["results"]) == sorted([active["id"], soon["id"]])
    assert "44.9786" not in str(audited.details)  # the place is a keyed hash, never kept


def test_outside_the_jurisdiction_is_refused_naming_the_reason(world: World, http: httpx.Client) -> None:
    city = _city(world)
    feds = world.agency("federal")
    _team_op(http, world.token(world.person(feds, "supervisor")), at=FAR_AWAY)
    officer = world.token(world.person(city, "officer"))
    r = _verify(http, officer, *FAR_AWAY)
    assert r.status_code == 403, r.text
    assert "outside Minneapolis PD's service area (its jurisdiction)" in r.json()["error"]["message"]
    with world.services.store.read() as tx:
        denied = [r.entry for r in tx.audit.all() if r.entry.action == "field:verify:query"]
        assert [(e.outcome, (e.details or {}).get("reason")) for e in denied] == [
            ("denied", "outside the service area")
        ]
        assert not [e for e in tx.outbox.all_after(0, 1000) if e.kind == "verify.nearby"]
    # An agency without a jurisdiction (a state patrol) may verify anywhere; so may the watch.
    trooper = world.token(world.person(world.agency("state"), "officer"))
    assert len(_verify(http, trooper, *FAR_AWAY).json()["teams"]) == 1
    watch = world.token(world.person(world.agency("state"), "watch"))
    assert len(_verify(http, watch, *FAR_AWAY).json()["teams"]) == 1


def test_an_ended_operation_is_not_found(world: World, http: httpx.Client) -> None:
    city = _city(world)
    feds = world.agency("federal")
    fed_token = world.token(world.person(feds, "supervisor"))
    op = _team_op(http, fed_token)
    call(http, fed_token, "POST", f"/operations/{op['id']}/complete")
    assert _verify(http, world.token(world.person(city, "dispatcher")), *SPOT).json()["teams"] == []


@pytest.mark.parametrize("radius", [0, -5, 1000.5, 5000])
def test_the_radius_is_bounded(world: World, http: httpx.Client, radius: float) -> None:
    officer = world.token(world.person(_city(world), "officer"))
    r = _verify(http, officer, *SPOT, radius_m=radius)
    assert r.status_code == 422, r.text
    assert "radius_m" in r.text
    assert _verify(http, officer, *SPOT, radius_m=1000).status_code == 200


def test_verifications_share_the_look_up_limit(world: World, http: httpx.Client) -> None:
    world.services.lookups.limit_per_hour = 2
    officer = world.token(world.person(_city(world), "officer"))
    assert _verify(http, officer, *SPOT).status_code == 200
    assert _verify(http, officer, *SPOT).status_code == 200
    r = _verify(http, officer, *SPOT)
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    # Another officer has a budget of their own.
    assert _verify(http, world.token(world.person(_city(world), "officer")), *SPOT).status_code == 200


def test_only_field_roles_verify(world: World, http: httpx.Client) -> None:
    city = _city(world)
    for role in ("auditor", "agency_admin"):
        assert _verify(http, world.token(world.person(city, role)), *SPOT).status_code == 403


def test_a_verification_answers_geojson_with_the_same_teams(world: World, http: httpx.Client) -> None:
    city = _city(world)
    fed_token = world.token(world.person(world.agency("federal"), "supervisor"))
    op = _team_op(http, fed_token)
    officer = world.token(world.person(city, "officer"))
    as_json = _verify(http, officer, *NEAR).json()
    r = http.get(
        f"{API}/verify",
        params={"lat": NEAR[0], "lon": NEAR[1]},
        headers=bearer(officer) | {"Accept": "application/geo+json"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json"), r.text
    features = r.json()["features"]
    assert [f["properties"] for f in features] == as_json["teams"] and features[0]["properties"]["id"] == op["id"]
    assert features[0]["geometry"]["type"] == "Point"

"""Each token can carry its own look-up quota (issue 15, item 3): a CAD link serving a whole 911 centre
needs far more than one dispatcher's hourly limit. Over HTTP, against a server whose per-user limit is 3."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import LiveServer, bearer
from tests.functional.test_signin_abuse import serving

API = "/api/v1"
POINT = {"lat": 44.9778, "lon": -93.2650}


def _lookups(live: LiveServer, token: str, n: int) -> list[int]:
    with httpx.Client(base_url=live.url, timeout=20) as client:
        return [client.get(f"{API}/lookup", params=POINT, headers=bearer(token)).status_code for _ in range(n)]


def test_a_token_with_its_own_quota_looks_up_past_the_per_user_limit(sqlite_url: str) -> None:
    with serving(sqlite_url, lookup_limit_per_hour=3) as (_, world, live):
        centre = world.agency("local", name="Hennepin County 911")
        person = world.person(centre, "dispatcher")
        admin = world.token(world.person(centre, "agency_admin"))
        with httpx.Client(base_url=live.url, timeout=20) as client:
            made = client.post(
                f"{API}/tokens",
                json={"user_id": person.user.id, "name": "CAD link", "scopes": ["lookup"], "lookup_limit_per_hour": 6},
                headers=bearer(admin),
            )
            assert made.status_code == 201, made.text
            assert made.json()["lookup_limit_per_hour"] == 6
            listed = client.get(f"{API}/tokens", headers=bearer(admin)).json()["items"]
            assert [t["lookup_limit_per_hour"] for t in listed if t["name"] == "CAD link"] == [6]
        assert _lookups(live, made.json()["token"], 7) == [200] * 6 + [429]

        other = world.person(centre, "dispatcher")  # the per-user limit still holds for everyone else
        assert _lookups(live, world.token(other), 4) == [200] * 3 + [429]


def test_a_quota_is_refused_where_it_could_not_apply(sqlite_url: str) -> None:
    with serving(sqlite_url) as (_, world, live):
        centre = world.agency("local", name="Hennepin County 911")
        dispatcher, officer = world.person(centre, "dispatcher"), world.person(centre, "officer")
        admin = world.token(world.person(centre, "agency_admin"))
        cases: list[tuple[dict[str, Any], str]] = [
            ({"user_id": dispatcher.user.id, "lookup_limit_per_hour": 0}, "lookup_limit_per_hour"),
            ({"user_id": dispatcher.user.id, "lookup_limit_per_hour": 20_001}, "lookup_limit_per_hour"),
            ({"user_id": dispatcher.user.id, "lookup_limit_per_hour": "many"}, "lookup_limit_per_hour"),
            ({"user_id": officer.user.id, "lookup_limit_per_hour": 100}, "lookup_limit_per_hour"),  # no look-ups
            (
                {"user_id": dispatcher.user.id, "lookup_limit_per_hour": 100, "scopes": ["notices"]},
                "lookup_limit_per_hour",
            ),
        ]
        with httpx.Client(base_url=live.url, timeout=20) as client:
            for body, field in cases:
                r = client.post(f"{API}/tokens", json={"name": "CAD link", **body}, headers=bearer(admin))
                assert r.status_code == 422, (body, r.text)
                assert field in [d["field"].split(".")[-1] for d in r.json()["error"]["details"]], r.text
            listed = client.get(f"{API}/tokens", headers=bearer(admin)).json()["items"]
            assert [t for t in listed if t["name"] == "CAD link"] == []  # nothing refused was made

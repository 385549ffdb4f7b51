"""The live stream over real HTTP: who hears what, rendered through the disclosure function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from commonground.bootstrap import Services
from tests.conftest import LiveServer, World, bearer, operation_data
from tests.functional.sse_client import SseClient


def test_both_sides_and_watch_hear_a_conflict_each_at_their_level(services: Services, world: World) -> None:
    fed = world.agency("federal", name="Federal Task Force")
    city = world.agency("local", name="City PD")
    agent, sergeant = world.person(fed, "officer"), world.person(city, "supervisor")
    analyst = world.person(world.agency("state", name="Watch Center"), "watch")
    outsider = world.person(world.agency("local", name="Elsewhere PD"), "supervisor")
    with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        with (
            SseClient(live.url, world.token(sergeant)) as city_stream,
            SseClient(live.url, world.token(analyst)) as watch_stream,
            SseClient(live.url, world.token(outsider)) as other_stream,
        ):
            first = http.post("/api/v1/operations", json=operation_data(), headers=bearer(world.token(agent)))
            assert first.status_code == 201
            second = http.post(
                "/api/v1/operations", json=operation_data(lon=-93.2640), headers=bearer(world.token(sergeant))
            )
            assert second.status_code == 201 and second.json()["conflicts"]
            conflict_id = second.json()["conflicts"][0]["id"]

            seen = city_stream.next()
            assert seen.event == "conflict.created" and seen.data["id"] == conflict_id
            assert seen.data["your_operation_id"] == second.json()["id"]
            assert seen.data["counterpart"]["agency"]["name"] == "Federal Task Force"
            # The federal default discloses only `safety` to locals: nothing above it crosses.
            assert seen.data == second.json()["conflicts"][0] | {"acknowledged": seen.data["acknowledged"]}

            watched = watch_stream.next()
            assert watched.event == "conflict.created" and watched.data["id"] == conflict_id
            assert len(watched.data["sides"]) == 2
            assert watch_stream.drain(0.5) == []  # once, not once per side

            assert other_stream.drain(0.5) == []

            # acknowledging is an update both sides hear; the stream resumes without gaps
            ack = http.post(f"/api/v1/conflicts/{conflict_id}/ack", headers=bearer(world.token(sergeant)))
            assert ack.status_code == 200
            updated = city_stream.next()
            assert updated.event == "conflict.updated" and updated.id > seen.id
        with SseClient(live.url, world.token(sergeant), last_event_id=seen.id) as resumed:
            again = resumed.next()
            assert again.id == updated.id and again.event == "conflict.updated"


def test_an_officer_hears_only_conflicts_of_operations_they_entered(services: Services, world: World) -> None:
    city, county = world.agency("local"), world.agency("local")
    mine, colleague = world.person(city, "officer"), world.person(city, "officer")
    deputy = world.person(county, "officer")
    with (
        LiveServer(services) as live,
        httpx.Client(base_url=live.url, timeout=10) as http,
        SseClient(live.url, world.token(mine)) as stream,
    ):
        http.post("/api/v1/operations", json=operation_data(), headers=bearer(world.token(colleague)))
        http.post("/api/v1/operations", json=operation_data(lon=-93.2640), headers=bearer(world.token(deputy)))
        assert stream.drain(1.0) == []
        own = http.post(
            "/api/v1/operations", json=operation_data(lat=45.1, lon=-93.0), headers=bearer(world.token(mine))
        )
        http.post(
            "/api/v1/operations", json=operation_data(lat=45.1, lon=-93.0005), headers=bearer(world.token(deputy))
        )
        event = stream.next()
        assert event.data["your_operation_id"] == own.json()["id"]


def test_the_stream_needs_a_token(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=5) as http:
        assert http.get("/api/v1/stream").status_code == 401


def test_a_scoped_token_hears_conflicts_on_the_stream_only_with_the_conflicts_scope(
    services: Services, world: World
) -> None:
    fed, city = world.agency("federal"), world.agency("local")
    agent, sergeant = world.person(fed, "officer"), world.person(city, "supervisor")
    dispatcher = world.person(world.agency("local"), "dispatcher")
    soon = datetime.now(UTC) + timedelta(minutes=5)
    with (
        LiveServer(services) as live,
        httpx.Client(base_url=live.url, timeout=10) as http,
        SseClient(live.url, world.token(sergeant, "notices")) as narrow,
        SseClient(live.url, world.token(sergeant, "notices", "conflicts")) as wide,
    ):
        mine = http.post("/api/v1/operations", json=operation_data(starts=soon), headers=bearer(world.token(sergeant)))
        theirs = operation_data(starts=soon, lon=-93.2640)
        assert http.post("/api/v1/operations", json=theirs, headers=bearer(world.token(agent))).status_code == 201
        at = (soon + timedelta(minutes=30)).isoformat()
        point: dict[str, str | float] = {"lat": 44.9778, "lon": -93.2650, "at": at}
        looked = http.get("/api/v1/lookup", params=point, headers=bearer(world.token(dispatcher, "lookup")))
        assert looked.status_code == 200 and len(looked.json()["operations"]) == 2
        assert wide.next().event == "conflict.created"
        assert wide.next().event == "lookup.nearby"
        heard = narrow.next()
        assert heard.event == "lookup.nearby" and mine.json()["id"] in str(heard.data)
        assert narrow.drain(0.5) == []

"""A remote conflict's workflow reaches the other side: real installations on loopback, each its own process."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from commonground.audit.tags import Action
from tests.conftest import bearer, operation_data, server_process
from tests.functional.sse_client import SseClient
from tests.functional.test_federation import Installation, install, running, signed, submit, trust
from tests.functional.test_federation_conflicts import remote_conflicts

STATUS = "/federation/v1/conflict-status"
# The delivery loop on, polling and retrying quickly: a step reaches the peer within about a second.
FAST = {
    "COMMONGROUND_NOTIFY_WORKER": "true",
    "COMMONGROUND_NOTIFY_POLL_SECONDS": "0.2",
    "COMMONGROUND_DELIVERY_BACKOFF_SECONDS": "0.2",
    "COMMONGROUND_DELIVERY_BACKOFF_MAX_SECONDS": "0.5",
}
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 20.0) -> T:
    """Poll until ``probe`` returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def pair_of(inst: Installation, status: str | None = None) -> dict[str, Any] | None:
    """The installation's one remote conflict (optionally: once it has ``status``)."""
    items = remote_conflicts(inst)
    assert len(items) <= 1, items
    if not items or (status is not None and items[0]["status"] != status):
        return None
    return items[0]


def paired(tmp_path: Path) -> tuple[Installation, Installation]:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    trust(city, feds)
    return city, feds


def conflict_api(inst: Installation, conflict_id: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{inst.url}/api/v1/conflicts/{conflict_id}", headers=bearer(inst.supervisor), timeout=30
    )


def test_ack_on_one_side_shows_on_the_other_and_resolve_closes_it_there_with_the_outcome(tmp_path: Path) -> None:
    city, feds = paired(tmp_path)
    with running(city, feds, **FAST), SseClient(city.url, city.supervisor) as city_stream:
        mine = submit(city, operation_data())
        theirs = submit(feds, operation_data(notes="federal SECRET-NOTE"))
        # The submission's conflicts list carries the remote pair, naming the other installation.
        listed = [c for c in theirs["conflicts"] if "installation" in c["counterpart"]]
        assert [(c["counterpart"]["id"], c["counterpart"]["installation"]) for c in listed] == [
            (mine["id"], {"name": "city"})
        ]
        assert city_stream.next().event == "conflict.created"
        fed_side, city_side = pair_of(feds), pair_of(city)
        assert fed_side and city_side and city_side["acknowledged"]["theirs"] is None

        fed_api = conflict_api(feds, fed_side["id"])
        assert fed_api.post("/ack").status_code == 200
        seen = eventually(lambda: (p := pair_of(city)) and p["acknowledged"]["theirs"] and p)
        assert seen["status"] == "open" and seen["acknowledged"]["yours"] is None
        heard = city_stream.next()
        assert heard.event == "conflict.updated" and heard.data["acknowledged"]["theirs"] is not None
        # The city acknowledges too: both sides have, so its copy is acknowledged.
        city_ack = conflict_api(city, city_side["id"]).post("/ack")
        assert city_ack.status_code == 200 and city_ack.json()["status"] == "acknowledged"
        eventually(lambda: pair_of(feds, "acknowledged"))

        done = fed_api.post("/resolve", json={"note": "called the city's contact about SECRET-NOTE"})
        assert done.status_code == 200 and done.json()["status"] == "resolved"
        closed = eventually(lambda: pair_of(city, "resolved"))
        assert closed["note"] == "resolved by installation feds"  # the note stays: safety carries none
        assert conflict_api(city, city_side["id"]).post("/dismiss", json={"note": "late"}).status_code == 409
        city_texts = json.dumps([closed, heard.data, *(e.data for e in city_stream.drain(1.0))])
    assert "SECRET-NOTE" not in city_texts
    sent = feds.audit(Action.FEDERATION_STATUS_SEND)
    assert [(s["state"], s["applied"]) for s in sent] == [("acknowledged", True), ("resolved", True)]
    answered = city.audit(Action.FEDERATION_STATUS_ANSWER)
    assert sorted(a["state"] for a in answered) == ["acknowledged", "resolved"]
    assert all(a["applied"] for a in answered)


def test_cancelling_an_operation_closes_the_other_sides_copy(tmp_path: Path) -> None:
    city, feds = paired(tmp_path)
    with running(city, feds, **FAST):
        submit(city, operation_data())
        theirs = submit(feds, operation_data())
        assert pair_of(city, "open")
        gone = httpx.post(f"{feds.url}/api/v1/operations/{theirs['id']}/cancel", headers=bearer(feds.supervisor))
        assert gone.status_code == 200, gone.text
        assert pair_of(feds, "resolved")
        closed = eventually(lambda: pair_of(city, "resolved"))
        assert closed["note"] == "closed by installation feds: operation cancelled"
    assert [a["state"] for a in city.audit(Action.FEDERATION_STATUS_ANSWER)] == ["closed"]


def test_a_change_that_moves_the_operation_far_away_closes_the_pair_on_both_sides(tmp_path: Path) -> None:
    city, feds = paired(tmp_path)
    with running(city, feds, **FAST):
        submit(city, operation_data())
        theirs = submit(feds, operation_data())
        assert pair_of(city, "open") and pair_of(feds, "open")
        moved = httpx.patch(
            f"{feds.url}/api/v1/operations/{theirs['id']}",
            json={"location": {"lat": 46.7867, "lon": -92.1005, "radius_m": 100}},  # Duluth, ~220 km away
            headers={**bearer(feds.supervisor), "If-Match": str(theirs["version"])},
            timeout=30,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["federation"]["checked"] == ["city"] and moved.json()["federation"]["hits"] == []
        assert [c for c in moved.json()["conflicts"] if "installation" in c["counterpart"]] == []
        assert (pair_of(feds) or {}).get("note") == "operation moved away"
        closed = eventually(lambda: pair_of(city, "resolved"))
        assert closed["note"] == "closed by installation feds: operation moved away"


def test_an_ack_made_while_the_peer_is_down_reaches_it_once_it_is_back(tmp_path: Path) -> None:
    city, feds = paired(tmp_path)
    with running(feds, **FAST):
        with server_process(city.db, port=city.port, env=city.env(**FAST)):
            submit(city, operation_data())
            submit(feds, operation_data())
        fed_side = pair_of(feds)
        assert fed_side
        assert conflict_api(feds, fed_side["id"]).post("/ack").status_code == 200  # the city is down
        time.sleep(2.0)  # several delivery passes fail meanwhile
        assert feds.audit(Action.FEDERATION_STATUS_SEND) == []
        with server_process(city.db, port=city.port, env=city.env(**FAST)):
            seen = eventually(lambda: (p := pair_of(city)) and p["acknowledged"]["theirs"] and p)
            assert seen["status"] == "open"
            time.sleep(1.0)  # a later pass must not send it again
    assert [s["state"] for s in feds.audit(Action.FEDERATION_STATUS_SEND)] == ["acknowledged"]
    # On a loaded machine a send can time out after the city took it, and is sent again: the city
    # answers each (audited), and the step is recorded once (the sender's one `send` above).
    assert {a["state"] for a in city.audit(Action.FEDERATION_STATUS_ANSWER)} == {"acknowledged"}


def test_a_replayed_status_request_is_refused_and_audited(tmp_path: Path) -> None:
    city, feds = paired(tmp_path)
    with running(city):
        body = json.dumps({
            "ref": "status-1", "operation_id": "op-feds", "counterpart_operation_id": "op-city",
            "state": "acknowledged", "at": "2026-12-02T17:00:00Z", "agency": {"name": "feds agency"},
        }).encode()  # fmt: skip
        headers = signed(feds, city, body, path=STATUS)
        post = httpx.Client(base_url=city.url, timeout=10)
        first = post.post(STATUS, content=body, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json() == {"installation": "city", "ref": "status-1", "applied": False}
        assert post.post(STATUS, content=body, headers=headers).status_code == 401
        bad = json.dumps({**json.loads(body), "ref": "status-2", "state": "forgotten"}).encode()
        refused = post.post(STATUS, content=bad, headers=signed(feds, city, bad, path=STATUS))
        assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "state"
    refusals = city.audit(Action.FEDERATION_REFUSE)
    assert [(r["reason"], r.get("endpoint")) for r in refusals] == [("replay", "conflict-status")]
    assert [(a["ref"], a["applied"]) for a in city.audit(Action.FEDERATION_STATUS_ANSWER)] == [("status-1", False)]

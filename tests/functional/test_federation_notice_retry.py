"""A jurisdiction notice a peer could not take is sent again until it lands, never silently lost.

Real servers on loopback, each its own process and SQLite file; the city is stopped and started."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from commonground.audit.tags import Action
from tests.conftest import bearer, server_process
from tests.functional.test_federation import install, trust
from tests.functional.test_federation_notices import FEDERAL_SECRETS, federal, host_city, notices, submit
from tests.functional.test_federation_reprobe import until

FAST = {"COMMONGROUND_FEDERATION_REPROBE_SECONDS": "0.5"}
QUIET = {"COMMONGROUND_FEDERATION_REPROBE_SECONDS": "0"}  # the city has nothing of its own to re-probe


def kinds(city_notices: list[dict[str, object]]) -> list[object]:
    return [n["kind"] for n in city_notices]


def test_notices_a_stopped_peer_missed_reach_it_once_it_is_back_each_once(tmp_path: Path) -> None:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    trust(city, feds)
    with server_process(city.db, port=city.port, env=city.env(**QUIET)):
        host_city(city)
    with server_process(feds.db, port=feds.port, env=feds.env(**FAST)):
        # The city is down when a federal operation inside its limits is submitted.
        inside = submit(feds, federal(notice="at_submit"))
        assert inside["federation"]["unchecked"] == ["city"]
        time.sleep(1.5)  # the loop tries while the city is down
        with server_process(city.db, port=city.port, env=city.env(**QUIET)):
            assert until(lambda: kinds(notices(city)[0]) == ["entry"]), "the entry never reached the city"
            (entry,) = notices(city)[0]
            assert entry["operation"]["id"] == inside["id"] and entry["operation"]["level_disclosed"] == "safety"
        # Down again when the federal operation is cancelled: its exit cannot be told now.
        gone = httpx.post(
            f"{feds.url}/api/v1/operations/{inside['id']}/cancel", headers=bearer(feds.supervisor), timeout=30
        )
        assert gone.status_code == 200, gone.text
        time.sleep(1.5)  # several failed rounds
        with server_process(city.db, port=city.port, env=city.env(**QUIET)):
            assert until(lambda: kinds(notices(city)[0]) == ["exit", "entry"]), "the exit never reached the city"
            time.sleep(1.5)  # later rounds owe nothing: no second exit
            after, raw = notices(city)
            assert kinds(after) == ["exit", "entry"]
    for secret in FEDERAL_SECRETS:
        assert secret not in raw
    sends = [(s["sent"], s["failed"], s.get("by")) for s in feds.audit(Action.FEDERATION_NOTICE_SEND)]
    assert sends[0] == ({"city": "entry"}, [], "retry")  # owed by the re-probe that reached the city
    assert sends[1] == ({}, ["city"], None)  # the cancellation's exit, refused by a stopped city
    assert sends[-1] == ({"city": "exit"}, [], "retry") and all(s[0] == {} for s in sends[2:-1])
    assert [a["kind"] for a in city.audit(Action.FEDERATION_NOTICE_ANSWER)] == ["entry", "exit"]

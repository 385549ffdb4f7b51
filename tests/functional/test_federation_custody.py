"""Custody across installations: nothing of the city beyond what its policy allows reaches the federal side.

Every path that crosses is taken once (probe both ways, re-probe on a change, jurisdiction notice,
dispatcher look-up, the workflow's steps both ways), then the federal installation's API answers,
stream events, server log, audit chain and the bytes of its database file are searched."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from commonground.audit.tags import Action
from tests.conftest import bearer, operation_data
from tests.functional.sse_client import SseClient
from tests.functional.test_federation import CITY_SECRETS, Installation, install, submit, trust
from tests.functional.test_federation_conflicts import remote_conflicts, serving
from tests.functional.test_federation_lookups import dispatcher, look, now_on
from tests.functional.test_federation_notices import host
from tests.functional.test_federation_subjects import CLEAR_PHONE, CLEAR_VALUES, PERSON, SAME_PERSON, blinded
from tests.functional.test_federation_workflow import FAST, eventually

CLOSING_NOTE = "spoke to SECRET-INFORMANT-K about the back door"
NEVER_ACROSS = (*CITY_SECRETS, *CLEAR_VALUES, CLOSING_NOTE, "SECRET-PATCHED-NOTES")


def database_bytes(inst: Installation) -> bytes:
    """The SQLite file and its write-ahead log, as a disk image would hold them (freed pages too)."""
    path = Path(inst.db.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def city_operation() -> dict[str, Any]:
    """Everything the city's policy keeps: title, case number, notes and clear and blinded subjects."""
    return operation_data(
        title=CITY_SECRETS[0],
        case_number=CITY_SECRETS[1],
        notes=CITY_SECRETS[2],
        subjects=[{"kind": "vehicle", "plate": CITY_SECRETS[3], "state": "MN"}, PERSON, CLEAR_PHONE, blinded(PERSON)],
    )


def test_nothing_of_a_restricting_city_beyond_safety_is_in_the_federal_db_api_stream_or_log(tmp_path: Path) -> None:
    city = install(tmp_path, "city", "local", restricted_purposes=["civil_immigration"])
    feds = install(tmp_path, "feds", "federal")
    trust(city, feds)
    token = dispatcher(feds)
    federal: list[str] = []  # every federal answer and event
    with serving(city, feds, logs=tmp_path, **FAST), SseClient(feds.url, feds.supervisor) as stream:
        host(feds, "feds agency")  # the city's operation is inside the federal agency's jurisdiction
        mine = submit(city, {**city_operation(), **now_on()})  # on now: the look-up asks about now
        ops = operation_data(
            purpose="civil_immigration", type="immigration_enforcement", subjects=[blinded(SAME_PERSON)], **now_on()
        )
        theirs = submit(feds, ops)
        federal.append(json.dumps(theirs))
        (hit,) = theirs["federation"]["hits"]
        assert hit["operation"]["id"] == mine["id"] and hit["operation"]["level_disclosed"] == "safety"

        # A proximity conflict at safety on both sides; the same person blinded on both is no match.
        (fed_side,) = remote_conflicts(feds)
        (city_side,) = remote_conflicts(city)
        assert (fed_side["kind"], city_side["kind"]) == ("proximity", "proximity")
        assert fed_side["counterpart"]["level_disclosed"] == "safety"

        # The city changes its operation: the re-probe and the notice update cross again.
        patched = httpx.patch(
            f"{city.url}/api/v1/operations/{mine['id']}",
            json={"notes": "SECRET-PATCHED-NOTES"},
            headers={**bearer(city.supervisor), "If-Match": str(mine["version"])},
            timeout=30,
        )
        assert patched.status_code == 200, patched.text
        found = look(feds, token)  # the federal dispatcher finds the city's team
        assert found.status_code == 200 and mine["id"] in found.text, found.text
        federal.append(found.text)

        # The workflow crosses both ways; the city's closing note stays with the city.
        assert httpx.post(f"{feds.url}/api/v1/conflicts/{fed_side['id']}/ack", headers=bearer(feds.supervisor))
        resolved = httpx.post(
            f"{city.url}/api/v1/conflicts/{city_side['id']}/resolve",
            json={"note": CLOSING_NOTE},
            headers=bearer(city.supervisor),
        )
        assert resolved.status_code == 200, resolved.text
        closed = eventually(lambda: [c for c in remote_conflicts(feds) if c["status"] == "resolved"])
        assert closed[0]["note"] == "resolved by installation city"
        for path in ("conflicts", f"conflicts/{fed_side['id']}", "notices", f"operations/{theirs['id']}"):
            r = httpx.get(f"{feds.url}/api/v1/{path}", headers=bearer(feds.supervisor), timeout=30)
            assert r.status_code == 200, r.text
            federal.append(r.text)
        notices = json.loads(federal[-2])["items"]
        assert {n["operation"]["id"] for n in notices} == {mine["id"]}
        assert {n["operation"]["level_disclosed"] for n in notices} == {"safety"}
        time.sleep(0.5)
        federal += [json.dumps(e.data) for e in stream.drain(1.0)]
    federal.append((tmp_path / "feds.log").read_text())
    federal.append(json.dumps([feds.audit(a) for a in Action]))
    image = database_bytes(feds)
    assert mine["id"].encode() in image  # the search reads the federal database, where the pair is kept
    for secret in NEVER_ACROSS:
        assert not any(secret in text for text in federal), secret
        assert secret.encode() not in image, secret
    # Both audit chains hold the crossings, counted; the city's its own withheld subject match.
    assert [a["state"] for a in feds.audit(Action.FEDERATION_STATUS_ANSWER)] == ["resolved"]
    assert [a["state"] for a in city.audit(Action.FEDERATION_STATUS_ANSWER)] == ["acknowledged"]
    assert feds.audit(Action.FEDERATION_NOTICE_ANSWER) and feds.audit(Action.FEDERATION_LOOKUP_SEND)

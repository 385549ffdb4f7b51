"""After-action on completion (issue 13, item 5): kept with the operation, shown at `full` only, never required."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World, bearer, operation_data
from tests.functional.test_policy_sharing import call

OPEN = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")}
SAFETY = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "safety")}


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [d["field"] for d in response.json()["error"]["details"]]


def test_a_completion_keeps_how_it_went_and_shows_it_by_policy(http: httpx.Client, world: World) -> None:
    feds = world.agency("federal", name="FBI Minneapolis", policy=OPEN)
    ice = world.agency("federal", name="ICE ERO St. Paul", policy=SAFETY)
    city = world.agency("local", name="Minneapolis PD", policy=OPEN)
    city_token, fed_token, ice_token = (world.token(world.person(a)) for a in (city, feds, ice))
    mine = call(http, fed_token, "POST", "/operations", operation_data(), 201)
    call(http, city_token, "POST", "/operations", operation_data(lon=-93.2648), 201)
    theirs = call(http, ice_token, "POST", "/operations", operation_data(lon=-93.2646), 201)
    after = {
        "outcome": "changed",
        "summary": "entry delayed 20 minutes; one arrest",
        "encounters": [
            {
                "kind": "local_response_to_911",
                "note": "a patrol unit answered a 911 call about us",
                "with_agency_id": city.id,
            },
            {"kind": "crowd", "note": "a crowd gathered at the rear"},
        ],
    }
    done = call(http, fed_token, "POST", f"/operations/{mine['id']}/complete", after)
    assert done["status"] == "completed" and done["after_action"] == after  # the own agency: in full
    assert call(http, fed_token, "GET", f"/operations/{mine['id']}")["after_action"] == after

    # The city's side of their conflict sees it (FBI's policy: full); ICE's after-action stays with ICE (safety).
    call(http, ice_token, "POST", f"/operations/{theirs['id']}/complete", {"outcome": "aborted", "summary": "ICE-ONLY"})
    conflicts = call(http, city_token, "GET", "/conflicts")["items"]
    by_agency = {c["counterpart"]["agency"]["name"]: c["counterpart"] for c in conflicts}
    assert "after_action" not in by_agency.get("ICE ERO St. Paul", {})
    assert all("ICE-ONLY" not in str(c) for c in conflicts)
    seen = call(http, city_token, "GET", f"/operations/{mine['id']}")
    assert seen["level_disclosed"] == "full" and seen["after_action"]["outcome"] == "changed"

    with world.services.store.read() as tx:
        [entry] = [
            r.entry
            for r in tx.audit.all()
            if r.entry.action == "ops:operation:complete" and r.entry.object_id == mine["id"]
        ]
    assert entry.details is not None and entry.details["encounters"] == ["local_response_to_911", "crowd"]
    assert "summary" not in entry.details and "delayed" not in str(entry.details)  # counted, never the words


def test_nothing_is_required_to_complete_and_bad_parts_are_named(http: httpx.Client, world: World) -> None:
    agency = world.agency("local", name="St. Paul PD")
    token = world.token(world.person(agency))
    ops = [call(http, token, "POST", "/operations", operation_data(44.0 + i * 0.1), 201) for i in range(2)]
    bad: list[tuple[dict[str, Any], str]] = [
        ({"outcome": "fine"}, "outcome"),
        ({"summary": "no outcome"}, "outcome"),
        ({"outcome": "changed", "encounters": [{"kind": "ufo", "note": "x"}]}, "encounters.0.kind"),
        ({"outcome": "changed", "encounters": [{"kind": "crowd"}]}, "encounters.0.note"),
        (
            {"outcome": "changed", "encounters": [{"kind": "crowd", "note": "x", "with_agency_id": "nope"}]},
            "encounters.0.with_agency_id",
        ),
        ({"outcome": "changed", "colour": "red"}, "colour"),
    ]
    for body, field in bad:
        r = http.post(f"/api/v1/operations/{ops[0]['id']}/complete", json=body, headers=bearer(token))
        assert any(f == field or f.endswith("." + field) or f.startswith(field) for f in _fields(r)), (body, r.text)
    still = call(http, token, "GET", f"/operations/{ops[0]['id']}")
    assert still["status"] != "completed" and "after_action" not in still  # a refused body changed nothing

    bare = call(http, token, "POST", f"/operations/{ops[1]['id']}/complete")  # no body at all, as in v1
    assert bare["status"] == "completed" and "after_action" not in bare

"""Participation and public reports over HTTP (issue 14, item 7): the figures equal a count of this test's
own submissions, each reader sees what its role allows, and the public report hides every count below 10."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from commonground.domain.participation import HIDDEN
from tests.conftest import World, bearer, operation_data
from tests.functional.test_policy_sharing import call
from tests.functional.test_watch_entry import audited, first_field

NOW = datetime.now(UTC).replace(microsecond=0)
# Read at import, so the period runs well past now: a long suite reaches these tests an hour or more later.
PERIOD = {"from": (NOW - timedelta(hours=1)).isoformat(), "to": (NOW + timedelta(hours=12)).isoformat()}
OPEN = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")}
LATE = {"reason": "entered after the door was breached"}


def _submissions(world: World, http: httpx.Client) -> dict[str, Any]:
    """Enter a known mix: 12 city operations (3 exigent, 2 phoned in), 4 county ones, 2 conflicts; return them."""
    city = world.agency("local", name="Aaa City PD", policy=OPEN)
    county = world.agency("local", name="Bbb County SO", policy=OPEN)
    city_token, county_token = world.token(world.person(city)), world.token(world.person(county))
    watch_token = world.token(world.person(world.agency("state", name="Zzz Watch"), "watch"))
    made: list[dict[str, Any]] = []
    for i in range(12):
        lat = 44.0 + i * 0.1  # far apart: no conflicts among them
        kind = "surveillance" if i % 3 == 0 else "search_warrant"
        if i < 3:
            body = operation_data(lat, -93.0, type=kind, starts=NOW - timedelta(hours=2), exigent=LATE)
            made.append(call(http, city_token, "POST", "/operations", body, 201))
        elif i < 5:
            phoned = {"agency_id": city.id, "caller_name": "Ofc. Lind", "caller_phone": "+1 651 555 0142"}
            made.append(
                call(
                    http,
                    watch_token,
                    "POST",
                    "/operations",
                    operation_data(lat, -93.0, type=kind, on_behalf_of=phoned),
                    201,
                )
            )
        else:
            made.append(call(http, city_token, "POST", "/operations", operation_data(lat, -93.0, type=kind), 201))
    # Two county operations on top of two city ones: two conflicts; one acknowledged and resolved.
    conflicts = []
    for i in (5, 6):
        theirs = call(http, county_token, "POST", "/operations", operation_data(44.0 + i * 0.1, -93.0), 201)
        conflicts.extend(theirs["conflicts"])
    for i in (20, 21):
        call(http, county_token, "POST", "/operations", operation_data(44.0 + i * 0.1, -93.0), 201)
    first = conflicts[0]["id"]
    call(http, county_token, "POST", f"/conflicts/{first}/ack")
    call(http, watch_token, "POST", f"/conflicts/{first}/resolve", {"note": "joined", "outcome": "joint_operation"})
    return {"city": city, "county": county, "made": made, "conflicts": conflicts, "watch": watch_token}


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["agency"]: a for a in report["agencies"]}


def test_the_figures_equal_a_direct_count_of_the_submissions(world: World, http: httpx.Client) -> None:
    seen = _submissions(world, http)
    auditor = world.token(world.person(world.admin.agency, "auditor"))
    r = http.get("/api/v1/reports/participation", params=PERIOD, headers=bearer(auditor))
    assert r.status_code == 200, r.text
    report = r.json()
    city, county = _by_name(report)["Aaa City PD"], _by_name(report)["Bbb County SO"]
    made = seen["made"]
    assert city["operations"] == len(made) == 12
    assert city["operations_by_type"] == dict(Counter(op["type"] for op in made))
    assert city["exigent"] == sum(1 for op in made if op.get("exigent")) == 3
    assert city["phone_in"] == sum(1 for op in made if "entered_on_behalf" in op) == 2
    assert city["notices_by_timing"] == dict(Counter(op["notice"] for op in made))
    assert county["operations"] == 4 and county["exigent"] == 0
    for side in (city, county):
        assert side["conflicts"] == len(seen["conflicts"]) == 2
        assert side["conflicts_by_kind"] == {"proximity": 2}
        assert side["conflicts_by_outcome"] == {"joint_operation": 1, "open": 1}
    assert county["acknowledgements"] == 1 and county["ack_median_s"] is not None and city["acknowledgements"] == 0
    assert city["ack_median_s"] is None
    (entry,) = [e for e in audited(world, "audit:report:read") if (e.details or {}).get("report") == "participation"]
    assert entry.details is not None and entry.details["period"][0].startswith(PERIOD["from"][:16])

    # The public report: the same figures, every count below 10 as "<10".
    public = http.get("/api/v1/reports/public", params=PERIOD)
    assert public.status_code == 200, public.text
    shown = _by_name(public.json())
    assert shown["Aaa City PD"]["operations"] == 12
    assert shown["Aaa City PD"]["exigent"] == HIDDEN and shown["Aaa City PD"]["phone_in"] == HIDDEN
    assert shown["Bbb County SO"]["operations"] == HIDDEN and shown["Bbb County SO"]["conflicts"] == HIDDEN
    assert shown["Bbb County SO"]["ack_median_s"] is None
    assert "search_warrant" in shown["Aaa City PD"]["operations_by_type"]
    for agency in public.json()["agencies"]:
        for key, value in agency.items():
            values = value.values() if isinstance(value, dict) else [value]
            for v in values:
                assert not (isinstance(v, int) and not isinstance(v, bool) and v < 10), (key, agency)


def test_who_reads_which_report(world: World, http: httpx.Client) -> None:
    seen = _submissions(world, http)
    admin = world.token(world.person(seen["city"], "agency_admin"))
    own = http.get("/api/v1/reports/participation", params=PERIOD, headers=bearer(admin)).json()
    assert [a["agency"] for a in own["agencies"]] == ["Aaa City PD"]
    everyone = http.get("/api/v1/reports/participation", params=PERIOD, headers=bearer(seen["watch"])).json()
    assert {"Aaa City PD", "Bbb County SO"} <= set(_by_name(everyone))
    for roles in (("officer",), ("supervisor",), ("dispatcher",)):
        token = world.token(world.person(seen["city"], *roles))
        assert http.get("/api/v1/reports/participation", params=PERIOD, headers=bearer(token)).status_code == 403
    assert http.get("/api/v1/reports/participation", params=PERIOD).status_code == 401
    # Bad periods name the field; a period with nothing in it counts nothing.
    for params, field in (
        ({"from": "2026-11-01T00:00:00", "to": PERIOD["to"]}, "from"),
        ({"from": PERIOD["to"], "to": PERIOD["from"]}, "to"),
        ({"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
        ({"to": PERIOD["to"]}, "from"),
    ):
        r = http.get("/api/v1/reports/public", params=params)
        assert r.status_code == 422 and first_field(r) == field, (params, r.text)
    empty = http.get("/api/v1/reports/public", params={"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"})
    assert {a["operations"] for a in empty.json()["agencies"]} == {HIDDEN}


def test_the_public_report_can_be_switched_off(world: World, http: httpx.Client) -> None:
    world.services.participation.public_enabled = False
    r = http.get("/api/v1/reports/public", params=PERIOD)
    assert r.status_code == 404


def test_the_timeline_counts_the_submissions_per_day(world: World, http: httpx.Client) -> None:
    """16 operations (12 city, 4 county) and 2 conflicts today; an agency administrator's line is its own.

    The public line hides every count below 10, as its figures do."""
    first_day = datetime.now(UTC).date()
    seen = _submissions(world, http)
    today = datetime.now(UTC).date()
    if today != first_day:  # once a day at most: the submissions fell on both sides of UTC midnight
        pytest.skip("the submissions straddled UTC midnight; their days are split")
    days = {"from": f"{today - timedelta(days=2)}T00:00:00Z", "to": f"{today + timedelta(days=1)}T00:00:00Z"}
    report = call(http, seen["watch"], "GET", f"/reports/participation?from={days['from']}&to={days['to']}")
    assert report["interval"] == "day"
    points = [(p["starts_on"], p["operations"], p["conflicts"]) for p in report["timeline"]]
    assert points == [
        (str(today - timedelta(days=2)), 0, 0),
        (str(today - timedelta(days=1)), 0, 0),
        (str(today), 16, 2),
    ]
    assert sum(a["operations"] for a in report["agencies"]) == 16
    county_admin = world.token(world.person(seen["county"], "agency_admin"))
    own = call(http, county_admin, "GET", f"/reports/participation?from={days['from']}&to={days['to']}")
    assert own["timeline"][-1] == {"starts_on": str(today), "operations": 4, "conflicts": 2}
    public = http.get("/api/v1/reports/public", params=days).json()
    assert public["timeline"][-1] == {"starts_on": str(today), "operations": 16, "conflicts": HIDDEN}
    assert public["timeline"][0] == {
        "starts_on": str(today - timedelta(days=2)),
        "operations": HIDDEN,
        "conflicts": HIDDEN,
    }

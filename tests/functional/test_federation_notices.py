"""Jurisdiction notices across installations (rule 4): real servers, own SQLite files, on loopback."""

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
from commonground.notify.render import for_channels
from commonground.service.clock import ManualClock
from tests.conftest import SOON, bearer, operation_data
from tests.functional.test_federation import Installation, install, running, signed, trust

NOTICE = "/federation/v1/notice"
FEDERAL_SECRETS = ("Operation NIGHTJAR", "FED-CASE-99120", "informant meets at the loading dock")
CITY_LIMITS = {  # around the default operation point (44.9778, -93.2650)
    "type": "Polygon",
    "coordinates": [[[-93.33, 44.94], [-93.20, 44.94], [-93.20, 45.02], [-93.33, 45.02], [-93.33, 44.94]]],
}


@pytest.fixture
def city_and_feds(tmp_path: Path) -> tuple[Installation, Installation]:
    city = install(tmp_path, "city", "local")
    feds = install(tmp_path, "feds", "federal", allow_withheld=True)
    trust(city, feds)
    return city, feds


def host_city(city: Installation) -> None:
    """The city's admin sets its agency's jurisdiction over the API, as in the console."""
    host(city, "city agency")


def host(inst: Installation, agency_name: str) -> None:
    """The installation's admin gives one of its agencies the jurisdiction ``CITY_LIMITS``."""
    agencies = httpx.get(f"{inst.url}/api/v1/agencies", headers=bearer(inst.admin), timeout=30).json()["items"]
    (agency,) = [a for a in agencies if a["name"] == agency_name]
    r = httpx.put(
        f"{inst.url}/api/v1/agencies/{agency['id']}/jurisdiction",
        json=CITY_LIMITS,
        headers=bearer(inst.admin),
        timeout=30,
    )
    assert r.status_code == 200, r.text


def federal(lat: float = 44.9778, lon: float = -93.2650, **extra: Any) -> dict[str, Any]:
    return operation_data(
        lat, lon, title=FEDERAL_SECRETS[0], case_number=FEDERAL_SECRETS[1], notes=FEDERAL_SECRETS[2], **extra
    )


def submit(inst: Installation, data: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{inst.url}/api/v1/operations", json=data, headers=bearer(inst.supervisor), timeout=30)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def notices(inst: Installation) -> tuple[list[dict[str, Any]], str]:
    r = httpx.get(f"{inst.url}/api/v1/notices", headers=bearer(inst.supervisor), timeout=30)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items, r.text


def test_a_federal_operation_in_the_citys_jurisdiction_is_noticed_there_at_submit_and_exits_on_cancel(
    city_and_feds: tuple[Installation, Installation],
) -> None:
    city, feds = city_and_feds
    with running(city, feds):
        host_city(city)
        outside = submit(feds, federal(45.5, -94.5, notice="at_submit"))  # far from the city's limits
        assert outside["federation"]["checked"] == ["city"]
        assert notices(city)[0] == []
        inside = submit(feds, federal(notice="at_submit"))
        items, raw = notices(city)
        (entry,) = items
        assert entry["kind"] == "entry" and entry["installation"] == {"name": "feds"}
        assert entry["operation"]["id"] == inside["id"] and entry["operation"]["level_disclosed"] == "safety"
        assert entry["operation"]["contact"]["phone"] == "+1 612 555 0100" and entry["sent_at"] is not None
        for secret in FEDERAL_SECRETS:
            assert secret not in raw  # title, case number and notes stay with the federal side
        r = httpx.post(
            f"{feds.url}/api/v1/operations/{inside['id']}/cancel", headers=bearer(feds.supervisor), timeout=30
        )
        assert r.status_code == 200, r.text
        after, _ = notices(city)
        assert [n["kind"] for n in after] == ["exit", "entry"]
    (answered_entry, answered_exit) = city.audit(Action.FEDERATION_NOTICE_ANSWER)
    assert answered_entry["kind"] == "entry" and answered_entry["sent"] == 1 and answered_entry["level"] == "safety"
    assert answered_exit["kind"] == "exit" and answered_exit["sent"] == 1
    told = [d["sent"] for d in feds.audit(Action.FEDERATION_NOTICE_SEND)]
    assert sorted(json.dumps(t) for t in told) == sorted(json.dumps(t) for t in ({"city": "entry"}, {"city": "exit"}))
    for record in city.audit(Action.FEDERATION_NOTICE_ANSWER):
        assert not any(secret in json.dumps(record) for secret in FEDERAL_SECRETS)
    assert [(e["kind"], e["installation"]) for e in rendered_notices(city)] == [
        ("entry", {"name": "feds"}),
        ("exit", {"name": "feds"}),
    ]


def rendered_notices(city: Installation) -> list[dict[str, Any]]:
    """The city's notice events as its webhooks and e-mail render them (the outbox, through render)."""
    services = build_services(Settings(database_url=city.db))
    try:
        with services.store.read() as tx:
            found = [e for e in tx.outbox.all_after(0, 1000) if e.kind == "notice.created"]
            rendered = []
            for event in found:
                agency = tx.agencies.get(event.agency_id or "")
                assert agency is not None and agency.name == "city agency"
                assert for_channels(tx, event, None) is None  # the watch center is not its recipient
                view = for_channels(tx, event, agency)
                assert view is not None and view["operation"]["level_disclosed"] == "safety"
                assert not any(secret in json.dumps(view) for secret in FEDERAL_SECRETS)
                rendered.append(view)
            return rendered
    finally:
        services.close()


def test_at_start_waits_for_the_start_and_withheld_sends_nothing(
    city_and_feds: tuple[Installation, Installation],
) -> None:
    city, feds = city_and_feds
    with running(city, feds):
        host_city(city)
        later = submit(feds, federal(notice="at_start"))
        withheld = submit(feds, federal(notice="withheld"))
        assert notices(city)[0] == []  # neither is due
        # The city's own scheduled delivery, run as its sweep does, once the start has come.
        services = build_services(Settings(database_url=city.db), clock=ManualClock(SOON + timedelta(minutes=1)))
        try:
            assert services.notices.deliver_due() == 1
        finally:
            services.close()
        (entry,) = notices(city)[0]
        assert entry["operation"]["id"] == later["id"] and entry["kind"] == "entry"
    assert withheld["id"] not in json.dumps(city.audit(Action.FEDERATION_NOTICE_ANSWER))
    sends = feds.audit(Action.FEDERATION_NOTICE_SEND)
    assert {"sent": {}, "withheld": ["city"]}.items() <= {
        k: v for r in sends for k, v in r.items() if not r["sent"]
    }.items()


def notice_body(ref: str) -> bytes:
    starts = datetime.now(UTC) + timedelta(days=2)
    return json.dumps({
        "ref": ref, "kind": "entry", "timing": "at_submit",
        "operation": {
            "id": "fed-op-1", "level_disclosed": "safety",
            "agency": {"name": "feds agency", "ori": "F1", "level": "federal"},
            "contact": {"name": "SA Test", "phone": "+1 612 555 0199", "radio": None},
            "area": {"type": "Point", "coordinates": [-93.265, 44.9778], "radius_m": 100},
            "window": {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat()},
            "team": {"personnel": 4, "attire": "tactical", "vehicles": None},
        },
    }).encode()  # fmt: skip


def test_a_replayed_unregistered_or_oversharing_notice_is_refused_and_audited(
    city_and_feds: tuple[Installation, Installation], tmp_path: Path
) -> None:
    city, feds = city_and_feds
    stranger = install(tmp_path, "stranger", "federal")
    body = notice_body("n-1")
    with running(city):
        host_city(city)
        post = httpx.Client(base_url=city.url, timeout=10)
        good = signed(feds, city, body, path=NOTICE)
        ok = post.post(NOTICE, content=body, headers=good)
        assert ok.status_code == 200, ok.text
        replayed = post.post(NOTICE, content=body, headers=good)
        stranger_body = notice_body("n-2")
        unknown = post.post(NOTICE, content=stranger_body, headers=signed(stranger, city, stranger_body, path=NOTICE))
        assert (replayed.status_code, unknown.status_code) == (401, 401)
        over = json.loads(body)
        over["ref"], over["operation"]["title"] = "n-3", "Operation NIGHTJAR"
        raw = json.dumps(over).encode()
        refused = post.post(NOTICE, content=raw, headers=signed(feds, city, raw, path=NOTICE))
        assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "operation.title"
        bad = json.loads(body)
        bad["ref"], bad["operation"]["team"]["attire"] = "n-4", "raid_jackets"
        raw = json.dumps(bad).encode()
        unlistable = post.post(NOTICE, content=raw, headers=signed(feds, city, raw, path=NOTICE))
        assert unlistable.status_code == 422, unlistable.text
        assert unlistable.json()["error"]["details"][0]["field"] == "operation.team.attire"
        items, _ = notices(city)
        assert [n["operation"]["id"] for n in items] == ["fed-op-1"]  # the refused ones changed nothing
    reasons = sorted(d["reason"] for d in city.audit(Action.FEDERATION_REFUSE))
    assert reasons == ["replay", "unknown-key"]
    assert [d["sent"] for d in city.audit(Action.FEDERATION_NOTICE_ANSWER)] == [1]


def test_the_city_on_postgis_keeps_and_delivers_a_federal_notice_by_its_timing(
    tmp_path: Path, postgres_url: str
) -> None:
    city = install(tmp_path, "city", "local", db=postgres_url)
    feds = install(tmp_path, "feds", "federal")
    trust(city, feds)
    with running(city, feds):
        host_city(city)
        now = submit(feds, federal(notice="at_submit"))
        later = submit(feds, federal(notice="at_start"))
        assert [n["operation"]["id"] for n in notices(city)[0]] == [now["id"]]
        services = build_services(Settings(database_url=city.db), clock=ManualClock(SOON + timedelta(minutes=1)))
        try:
            assert services.notices.deliver_due() == 1
        finally:
            services.close()
        assert [n["operation"]["id"] for n in notices(city)[0]] == [later["id"], now["id"]]


def test_a_patch_inside_gives_an_update_and_one_moving_out_gives_the_exit(
    city_and_feds: tuple[Installation, Installation],
) -> None:
    city, feds = city_and_feds
    with running(city, feds):
        host_city(city)
        op = submit(feds, federal(notice="at_submit"))

        def patch(version: int, lat: float, lon: float) -> None:
            r = httpx.patch(
                f"{feds.url}/api/v1/operations/{op['id']}",
                json={"location": {"lat": lat, "lon": lon, "radius_m": 100, "address": "2 Test Plaza"}},
                headers={**bearer(feds.supervisor), "If-Match": str(version)},
                timeout=30,
            )
            assert r.status_code == 200, r.text

        patch(1, 44.9800, -93.2600)  # still inside the city's limits
        patch(2, 45.5, -94.5)  # out of them
        items, raw = notices(city)
        assert [n["kind"] for n in items] == ["exit", "update", "entry"]
        assert items[1]["operation"]["area"]["coordinates"] == [-93.26, 44.98]  # the update carries the new place
        assert FEDERAL_SECRETS[1] not in raw

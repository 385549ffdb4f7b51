"""Federation between real installations: separate server processes, separate SQLite files, on loopback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from commonground.audit.tags import Action
from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.federation.link import Ed25519Link
from commonground.service.ports import AuditFilter
from tests.conftest import World, bearer, free_port, operation_data, server_process

PROBE = "/federation/v1/probe"
CITY_SECRETS = ("Joint warrant SECRET-TITLE", "CASE-CITY-7731", "SECRET-NOTES back door", "Q7RX42")


@dataclass
class Installation:
    name: str
    url: str
    port: int
    db: str
    public_key: str
    private_key: str
    admin: str  # bearer tokens
    supervisor: str

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "COMMONGROUND_FEDERATION_NAME": self.name,
            "COMMONGROUND_PUBLIC_URL": self.url,
            "COMMONGROUND_NOTIFY_WORKER": "false",
            **extra,
        }

    def audit(self, action: str) -> list[dict[str, Any]]:
        services = build_services(Settings(database_url=self.db))
        try:
            with services.store.read() as tx:
                page = tx.audit.records(AuditFilter(action=action), 1000, None)
            return [r.entry.details or {} for r in page.items]
        finally:
            services.close()


def install(tmp_path: Path, name: str, level: str, db: str | None = None, **policy: Any) -> Installation:
    """Make an installation's database: an admin, one agency of ``level`` with a supervisor, its key."""
    port = free_port()
    url, db = f"http://127.0.0.1:{port}", db or f"sqlite:///{tmp_path / f'{name}.db'}"
    services = build_services(Settings(database_url=db, federation_name=name, public_url=url))
    try:
        world = World(services)
        agency = world.agency(level, name=f"{name} agency")
        if policy:
            services.accounts.set_policy(world.person(agency, "agency_admin"), agency.id, policy)
        supervisor = world.token(world.person(agency, "supervisor"))
        return Installation(
            name,
            url,
            port,
            db,
            services.federation.public_key(),
            services.federation.private_key(),
            world.token(world.admin),
            supervisor,
        )
    finally:
        services.close()


def trust(a: Installation, b: Installation) -> None:
    """Register each with the other, as both admins would (the CLI's way: no server needed)."""
    for here, there in ((a, b), (b, a)):
        services = build_services(Settings(database_url=here.db, federation_name=here.name, public_url=here.url))
        try:
            services.federation.add_peer(None, {"name": there.name, "url": there.url, "public_key": there.public_key})
        finally:
            services.close()


@contextmanager
def running(*installations: Installation, **env: str) -> Iterator[None]:
    with ExitStack() as stack:
        for inst in installations:
            stack.enter_context(server_process(inst.db, port=inst.port, env=inst.env(**env)))
        yield


def submit(inst: Installation, data: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{inst.url}/api/v1/operations", json=data, headers=bearer(inst.supervisor), timeout=30)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def city_operation() -> dict[str, Any]:
    return operation_data(
        title=CITY_SECRETS[0],
        case_number=CITY_SECRETS[1],
        notes=CITY_SECRETS[2],
        subjects=[{"kind": "vehicle", "plate": CITY_SECRETS[3], "state": "MN"}],
    )


@pytest.fixture
def city_and_feds(tmp_path: Path) -> tuple[Installation, Installation]:
    city = install(tmp_path, "city", "local", restricted_purposes=["civil_immigration"])
    feds = install(tmp_path, "feds", "federal")
    trust(city, feds)
    return city, feds


def test_conflicts_are_found_both_ways_at_safety_and_the_city_keeps_custody(
    city_and_feds: tuple[Installation, Installation],
) -> None:
    """A city (restricting civil immigration) and a federal civil-immigration operation next door."""
    city, feds = city_and_feds
    with running(city, feds):
        mine = submit(city, city_operation())
        assert mine["federation"] == {"checked": ["feds"], "unchecked": [], "hits": []}
        federal = operation_data(purpose="civil_immigration", type="immigration_enforcement")
        federal["subjects"] = [{"kind": "vehicle", "plate": CITY_SECRETS[3], "state": "MN"}]
        raw = httpx.post(f"{feds.url}/api/v1/operations", json=federal, headers=bearer(feds.supervisor), timeout=30)
        assert raw.status_code == 201, raw.text
        theirs = raw.json()
        # The federal side learns there is a city operation here, whom to call, and nothing more.
        assert theirs["federation"]["checked"] == ["city"] and theirs["federation"]["unchecked"] == []
        (hit,) = theirs["federation"]["hits"]
        assert hit["installation"] == {"name": "city"}
        assert hit["operation"]["id"] == mine["id"] and hit["operation"]["level_disclosed"] == "safety"
        assert hit["distance_m"] == 0.0
        assert {"title", "case_number", "notes", "subjects", "purpose", "subject_summary"}.isdisjoint(hit["operation"])
        # The federal operation names the same plate itself; the city's title, case and notes appear nowhere.
        assert not any(secret in raw.text for secret in CITY_SECRETS[:3])
        assert not any(secret in json.dumps(hit) for secret in CITY_SECRETS)
        # And the city side, asked the other way, finds the federal operation.
        again = submit(city, city_operation())
        (back,) = [h for h in again["federation"]["hits"] if h["operation"]["id"] == theirs["id"]]
        assert back["installation"] == {"name": "feds"}
        peers = httpx.get(f"{feds.url}/api/v1/federation/peers", headers=bearer(feds.admin)).json()["items"]
        assert [(p["name"], p["status"]) for p in peers] == [("city", "reachable")]
    # Each side's own audit chain: the probe it sent, the probes it answered (never subject values).
    answered = city.audit(Action.FEDERATION_PROBE_ANSWER)
    assert any(a["peer"] == "feds" and a["hits"] == 1 and a["levels"] == ["safety"] for a in answered)
    assert any(s["checked"] == ["city"] for s in feds.audit(Action.FEDERATION_PROBE_SEND))
    assert not any(secret in json.dumps(answered) for secret in CITY_SECRETS)


def signed(
    sender: Installation, receiver: Installation, body: bytes, *, method: str = "POST", path: str = PROBE, **kw: Any
) -> dict[str, str]:
    link = Ed25519Link()
    headers = {"Content-Type": "application/json"}
    return link.sign(sender.private_key, method, f"{receiver.url}{path}", headers, body, **kw)


def probe_body(ref: str = "probe-test") -> bytes:
    now = datetime.now(UTC) + timedelta(days=2)
    return json.dumps({
        "ref": ref, "area": {"type": "Point", "coordinates": [-93.265, 44.9778]}, "radius_m": 100,
        "window": {"starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=2)).isoformat()},
        "proximity_m": 500, "time_buffer_min": 30, "purpose": "criminal", "agency_level": "federal",
    }).encode()  # fmt: skip


def test_altered_old_replayed_and_unknown_requests_are_refused(
    city_and_feds: tuple[Installation, Installation], tmp_path: Path
) -> None:
    city, feds = city_and_feds
    stranger = install(tmp_path, "stranger", "local")
    body = probe_body()
    with running(city):
        post = httpx.Client(base_url=city.url, timeout=10)
        good = signed(feds, city, body)
        ok = post.post(PROBE, content=body, headers=good)
        assert ok.status_code == 200, ok.text
        # The answer is signed by the city's key, bound to this request's method and path.
        Ed25519Link().verify(city.public_key, "POST", f"{city.url}{PROBE}", dict(ok.headers), ok.content, 60, 200)
        assert ok.json()["ref"] == "probe-test" and ok.json()["installation"] == "city"
        refused = {
            "replayed": post.post(PROBE, content=body, headers=good),
            "body": post.post(PROBE, content=body.replace(b"criminal", b"training"), headers=signed(feds, city, body)),
            "method": post.post(PROBE, content=body, headers=signed(feds, city, body, method="PUT")),
            "path": post.post(PROBE, content=body, headers=signed(feds, city, body, path="/federation/v1/other")),
            "time": post.post(
                PROBE, content=body, headers=signed(feds, city, body, created=datetime.now(UTC) - timedelta(minutes=5))
            ),
            "unknown key": post.post(PROBE, content=body, headers=signed(stranger, city, body)),
            "unsigned": post.post(PROBE, content=body, headers={"Content-Type": "application/json"}),
        }
        assert {why: r.status_code for why, r in refused.items()} == dict.fromkeys(refused, 401)
        assert all(r.json()["error"]["code"] == "signature_refused" for r in refused.values())
    reasons = sorted(d["reason"] for d in city.audit(Action.FEDERATION_REFUSE))
    assert reasons == sorted(["replay", "digest", "signature", "signature", "too-old", "unknown-key", "malformed"])


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers: a peer that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_a_peer_that_hangs_or_is_down_is_unchecked_and_the_submission_is_accepted(tmp_path: Path) -> None:
    city, feds, county = (
        install(tmp_path, n, lvl) for n, lvl in (("city", "local"), ("feds", "federal"), ("county", "local"))
    )
    with silent_port() as hung:
        county.url = f"http://127.0.0.1:{hung}"  # county's registration points at a port that never answers
        trust(city, feds)
        trust(city, county)
        down = install(tmp_path, "down", "state")
        trust(city, down)  # never started
        with running(city, feds, COMMONGROUND_FEDERATION_TIMEOUT_SECONDS="0.5"):
            started = datetime.now(UTC)
            answer = submit(city, city_operation())
            took = datetime.now(UTC) - started
    assert answer["federation"]["checked"] == ["feds"]
    assert answer["federation"]["unchecked"] == ["county", "down"]
    assert took < timedelta(seconds=5)


def test_identity_and_peers_over_the_api_with_field_named_refusals(
    city_and_feds: tuple[Installation, Installation],
) -> None:
    city, feds = city_and_feds
    with running(city):
        api = httpx.Client(base_url=f"{city.url}/api/v1", timeout=10)
        me = api.get("/federation/identity", headers=bearer(city.supervisor))
        assert me.status_code == 200 and me.json() == {"name": "city", "url": city.url, "public_key": city.public_key}
        assert api.get("/federation/identity").status_code == 401
        assert api.get("/federation/peers", headers=bearer(city.supervisor)).status_code == 403
        (peer,) = api.get("/federation/peers", headers=bearer(city.admin)).json()["items"]
        assert peer["name"] == "feds" and peer["public_key"] == feds.public_key
        key = Ed25519Link().public_key(Ed25519Link().new_private_key())

        def add(**body: str) -> httpx.Response:
            sent = {"name": "x", "url": "https://x.example", "public_key": key, **body}
            return api.post("/federation/peers", json=sent, headers=bearer(city.admin))

        fields = {
            "public_key": add(public_key="c2hvcnQ="),
            "public_key ": add(public_key="not base64!!"),
            "url": add(url="http://cg.example.gov"),
            "url ": add(url="ftp://127.0.0.1"),
            "name": add(name="no spaces allowed"),
        }
        for field, r in fields.items():
            assert r.status_code == 422, r.text
            assert r.json()["error"]["details"][0]["field"] == field.strip()
        assert add(name="feds").status_code == 409
        assert add(public_key=feds.public_key).status_code == 409
        added = add(name="region", url="http://localhost:9")
        assert (
            added.status_code == 201 and added.json()["status"] == "unknown" and added.json()["last_contact_at"] is None
        )
        gone = api.delete(f"/federation/peers/{added.json()['id']}", headers=bearer(city.admin))
        assert gone.status_code == 204
        assert api.delete(f"/federation/peers/{added.json()['id']}", headers=bearer(city.admin)).status_code == 404
    tags = [d.get("name") for d in city.audit(Action.PEER_ADD)] + [
        d.get("name") for d in city.audit(Action.PEER_REMOVE)
    ]
    assert tags == ["feds", "region", "region"]


def test_three_installations_one_on_postgis_find_each_other(tmp_path: Path, postgres_url: str) -> None:
    """City and county on SQLite, the federal office on PostGIS: every pair is found from both sides."""
    city = install(tmp_path, "city", "local", restricted_purposes=["civil_immigration"])
    feds = install(tmp_path, "feds", "federal", db=postgres_url)
    county = install(tmp_path, "county", "local")
    for a, b in ((city, feds), (city, county), (feds, county)):
        trust(a, b)
    with running(city, feds, county):
        first = submit(city, city_operation())
        second = submit(feds, operation_data(purpose="civil_immigration", type="immigration_enforcement"))
        third = submit(county, operation_data(lat=44.9790))
        # Each side keeps its two pairs, each naming the other installation (the federal one in PostGIS).
        kept = {
            inst.name: sorted(
                (c["counterpart"]["installation"]["name"], c["counterpart"]["level_disclosed"])
                for c in httpx.get(f"{inst.url}/api/v1/conflicts", headers=bearer(inst.supervisor)).json()["remote"]
            )
            for inst in (city, feds, county)
        }
    assert kept == {
        "city": [("county", "safety"), ("feds", "safety")],
        "feds": [("city", "safety"), ("county", "safety")],
        "county": [("city", "safety"), ("feds", "safety")],
    }
    assert first["federation"] == {"checked": ["county", "feds"], "unchecked": [], "hits": []}
    assert second["federation"]["checked"] == ["city", "county"]
    assert {(h["installation"]["name"], h["operation"]["id"]) for h in second["federation"]["hits"]} == {
        ("city", first["id"])
    }
    assert second["federation"]["hits"][0]["operation"]["level_disclosed"] == "safety"
    assert {(h["installation"]["name"], h["operation"]["id"]) for h in third["federation"]["hits"]} == {
        ("city", first["id"]),
        ("feds", second["id"]),
    }

"""TAK channels: a real CoT listener on loopback receives each operation an agency hears of, and its removal.

Issue 15 item 5. The listener is a plain TCP (or TLS) server that parses every event it is sent with
``xml.etree``; nothing in between is a stand-in.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from commonground.bootstrap import Services, build_deliveries, build_services
from commonground.config import Settings
from commonground.domain.errors import DeliveryError
from commonground.domain.model import Agency, OperationStatus
from commonground.notify.tak import SocketTakSender
from commonground.notify.webhook import parse_networks
from commonground.service.principal import Principal
from tests.conftest import LiveServer, World, bearer, operation_data, wire
from tests.integration.notify_receivers import TakListener

SPOT = (44.9778, -93.2650)
FAR = (46.7867, -92.1005)  # Duluth: outside the city
# What an insider must never find in a TAK feed: the operation's title, case number, notes and subjects.
SECRETS: dict[str, Any] = {
    "title": "Operation NIGHTJAR-TITLE",
    "case_number": "CASE-QUIXOTE-7731",
    "notes": "NOTE-ZEBULON informant at rear door",
    "subjects": [{"kind": "person", "first_name": "Zebulon", "last_name": "Quixotesque", "dob": "1980-02-03"}],
}


def square(lat: float, lon: float, half: float = 0.05) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.fixture
def loopback(store_url: str) -> Iterator[Services]:
    """Services that may reach loopback targets (COMMONGROUND_WEBHOOK_ALLOWED_NETWORKS), deliveries run by hand."""
    built = build_services(
        Settings(database_url=store_url, webhook_allowed_networks="127.0.0.0/8", notify_worker=False)
    )
    yield built
    built.close()


def city_with_tak(world: World, listener: TakListener, **server: Any) -> tuple[Agency, Principal]:
    city = world.agency("local", name="Minneapolis PD")
    world.services.accounts.set_jurisdiction(world.admin, city.id, square(*SPOT))
    admin = world.person(city, "agency_admin")
    world.services.channels.put(admin, city.id, {"tak": [{"host": listener.host, "port": listener.port, **server}]})
    return city, admin


def by_uid(events: list[ET.Element]) -> dict[str, list[ET.Element]]:
    found: dict[str, list[ET.Element]] = {}
    for event in events:
        link = event.find("detail/link[@uid]")
        uid = link.get("uid") if event.get("type") == "t-x-d-d" and link is not None else event.get("uid")
        found.setdefault(str(uid), []).append(event)
    return found


def check_area(event: ET.Element, op_id: str, lat: float, lon: float) -> None:
    """A circle at the operation's point, its radius, whom to call, and gone from the map when it ends."""
    assert event.tag == "event" and event.get("version") == "2.0" and event.get("how") == "h-e"
    assert event.get("uid") == f"commonground-{op_id}" and event.get("type") == "u-d-c-c"
    point = event.find("point")
    assert point is not None
    assert abs(float(point.get("lat", "0")) - lat) < 1e-6 and abs(float(point.get("lon", "0")) - lon) < 1e-6
    ellipse = event.find("detail/shape/ellipse")
    assert ellipse is not None and float(ellipse.get("major", "0")) == 100.0
    contact = event.find("detail/contact")
    assert contact is not None and "Sgt. Test" in contact.get("callsign", "")
    remarks = event.findtext("detail/remarks") or ""
    assert "+1 612 555 0100" in remarks and "ICE ERO St. Paul" in remarks
    start, stale = (dt.datetime.fromisoformat(str(event.get(k)).replace("Z", "+00:00")) for k in ("start", "stale"))
    assert stale > start


def test_the_tak_server_gets_each_operation_the_agency_hears_of_and_its_removal(
    loopback: Services, tmp_path: Path
) -> None:
    world = World(loopback)
    with TakListener() as listener:
        city, _ = city_with_tak(world, listener)
        feds = world.agency("federal", name="ICE ERO St. Paul")
        agent = world.person(feds, "supervisor")
        first = wire(loopback.operations.submit(agent, operation_data(*SPOT, **SECRETS)))[0]
        second = wire(loopback.operations.submit(agent, operation_data(SPOT[0] + 0.01, SPOT[1], hours=5, **SECRETS)))[0]
        wire(loopback.operations.submit(agent, operation_data(*FAR, **SECRETS)))  # not the city's: never sent
        assert loopback.deliveries.run_once() >= 2
        events = listener.wait(2)
        assert len(events) == 2, [ET.tostring(e) for e in events]
        seen = by_uid(events)
        assert set(seen) == {f"commonground-{first['id']}", f"commonground-{second['id']}"}
        check_area(seen[f"commonground-{first['id']}"][0], first["id"], *SPOT)
        check_area(seen[f"commonground-{second['id']}"][0], second["id"], SPOT[0] + 0.01, SPOT[1])

        # The first ends (cancelled): the map is told to remove it, by the CoT delete convention.
        loopback.operations.finish(agent, first["id"], OperationStatus.CANCELLED)
        loopback.deliveries.run_once()
        events = listener.wait(3)
        assert len(events) == 3
        removal = events[-1]
        assert removal.get("type") == "t-x-d-d" and removal.find("detail/__forcedelete") is not None
        link = removal.find("detail/link")
        assert link is not None and link.get("uid") == f"commonground-{first['id']}"
        assert removal.find("detail/remarks") is None

        # Every delivery is recorded as sent, once; a later pass sends nothing again.
        assert loopback.deliveries.run_once() == 0 and len(listener.events) == 3
        with loopback.store.read() as tx:
            sent = tx.deliveries.of_agency(city.id, "sent", 50, None).items
            failed = tx.deliveries.of_agency(city.id, "failed", 50, None).items
        assert [d.channel.value for d in sent] == ["tak"] * 3 and not failed

        # The insider check: nothing above `safety` ever reached the TAK server.
        everything = b"".join(listener.raw).decode()
        for value in ("NIGHTJAR", "QUIXOTE", "Quixotesque", "Zebulon", "ZEBULON", "informant", "1 Test Plaza"):
            assert value not in everything


def test_a_conflict_draws_both_operations_even_the_agency_s_own_at_safety(loopback: Services) -> None:
    """The channel's ``events`` filter holds (only ``conflict.created``); its own operation's title never leaves."""
    world = World(loopback)
    with TakListener() as listener:
        city = world.agency("local", name="Minneapolis PD")  # no jurisdiction: no notices, only the conflict
        admin = world.person(city, "agency_admin")
        tak = {"host": listener.host, "port": listener.port, "events": ["conflict.created"]}
        loopback.channels.put(admin, city.id, {"tak": [tak]})
        mine = wire(loopback.operations.submit(world.person(city, "supervisor"), operation_data(*SPOT, **SECRETS)))[0]
        agent = world.person(world.agency("federal", name="ICE ERO St. Paul"), "supervisor")
        theirs, found = wire(loopback.operations.submit(agent, operation_data(SPOT[0], SPOT[1] + 0.001, **SECRETS)))
        assert found, "the two operations conflict"
        loopback.deliveries.run_once()
        events = listener.wait(2 * len(found))  # one conflict per kind (here: near, and the same subject)
        assert listener.connections == len(found) and len(events) == 2 * len(found)  # each delivery: both areas
        assert {e.get("uid") for e in events} == {f"commonground-{mine['id']}", f"commonground-{theirs['id']}"}
        everything = b"".join(listener.raw).decode()
        assert "NIGHTJAR" not in everything and "QUIXOTE" not in everything and "Zebulon" not in everything


def self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A TAK server's TLS context with a fresh certificate for 127.0.0.1, and a client context trusting only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tak.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "tak.pem", tmp_path / "tak.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


def test_over_tls_the_server_certificate_is_checked(sqlite_url: str, tmp_path: Path) -> None:
    services = build_services(
        Settings(database_url=sqlite_url, webhook_allowed_networks="127.0.0.0/8", notify_worker=False)
    )
    try:
        world = World(services)
        server_tls, client_tls = self_signed(tmp_path)
        with TakListener(server_tls) as listener:
            city_with_tak(world, listener, tls=True)
            agent = world.person(world.agency("federal", name="ICE ERO St. Paul"), "supervisor")
            op = wire(services.operations.submit(agent, operation_data(*SPOT, **SECRETS)))[0]
            loopback = parse_networks("127.0.0.0/8")
            # The system's CAs do not know the test's certificate: refused, retried later, nothing read.
            untrusting = build_deliveries(services.settings, services.store, services.clock)
            assert untrusting.run_once() == 0 and listener.events == []
            trusting = build_deliveries(
                services.settings, services.store, services.clock, tak=SocketTakSender(5, loopback, tls=client_tls)
            )
            with services.store.write() as tx:  # due again now rather than after the backoff
                for d in tx.deliveries.due(services.clock.now() + dt.timedelta(hours=1), 10):
                    tx.deliveries.update(replace(d, next_attempt_at=services.clock.now()))
            assert trusting.run_once() == 1
            [event] = listener.wait(1)
            check_area(event, op["id"], *SPOT)
            assert "NIGHTJAR" not in b"".join(listener.raw).decode()
    finally:
        services.close()


@pytest.mark.parametrize(
    ("server", "field"),
    [
        ({"host": "127.0.0.1", "port": 0}, "tak.0.port"),
        ({"host": "127.0.0.1", "port": 70000}, "tak.0.port"),
        ({"host": "127.0.0.1", "port": "8089x"}, "tak.0.port"),
        ({"host": "", "port": 8089}, "tak.0.host"),
        ({"host": "tak.example.org/path", "port": 8089}, "tak.0.host"),
        ({"host": "127.0.0.1", "port": 8089, "tls": "yes"}, "tak.0.tls"),
        ({"host": "127.0.0.1", "port": 8089, "events": ["delivery.failing"]}, "tak.0.events"),
        ({"host": "127.0.0.1", "port": 8089, "colour": "red"}, "tak.0.colour"),
    ],
)
def test_a_bad_tak_server_names_its_field_and_changes_nothing(
    sqlite_url: str, server: dict[str, Any], field: str
) -> None:
    kept = {"webhooks": [], "emails": [{"address": "desk@example.org", "events": []}], "tak": [], "cad": []}
    with channels_api(sqlite_url) as api:
        assert api.put({"emails": [{"address": "desk@example.org"}]}).status_code == 200
        api.refused({"tak": [server]}, field)
        assert api.http.get(api.path, headers=api.admin).json() == kept


@dataclass
class ChannelsApi:
    """An agency admin's channel settings over HTTP, on a live server."""

    http: httpx.Client
    admin: dict[str, str]
    path: str
    world: World

    def put(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.put(self.path, json=body, headers=self.admin)

    def refused(self, body: dict[str, Any], field: str, path: str | None = None) -> None:
        """PUT ``body`` (to ``path``, else the agency's channels) and see a 422 naming ``field``."""
        r = self.http.put(path or self.path, json=body, headers=self.admin if path is None else self.watch)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["message"].startswith(f"{field}:"), r.text
        assert field in [d["field"] for d in error["details"] or []], r.text

    @property
    def watch(self) -> dict[str, str]:
        return bearer(self.world.token(self.world.admin))


@contextmanager
def channels_api(sqlite_url: str) -> Iterator[ChannelsApi]:
    services = build_services(Settings(database_url=sqlite_url, notify_worker=False))
    try:
        world = World(services)
        agency = world.agency("local")
        admin = bearer(world.token(world.person(agency, "agency_admin")))
        with LiveServer(services) as live, httpx.Client(base_url=live.url) as http:
            yield ChannelsApi(http, admin, f"/api/v1/agencies/{agency.id}/channels", world)
    finally:
        services.close()


def test_a_loopback_tak_server_is_refused_unless_its_network_is_allowed() -> None:
    """The webhook target rule: an internal address is refused for good, and nothing is sent."""
    with TakListener() as listener:
        target = f"tcp://{listener.host}:{listener.port}"
        with pytest.raises(DeliveryError) as refused:
            SocketTakSender(5, []).send(target, [b"<event/>"], "k1")
        assert refused.value.retry is False and "non-public" in str(refused.value)
        SocketTakSender(5, parse_networks("127.0.0.0/8")).send(target, [b'<event uid="x"></event>'], "k2")
        [event] = listener.wait(1)
        assert event.get("uid") == "x" and listener.connections == 1

"""Webhook targets checked at connection: resolved once, refused when internal, never redirected."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from commonground.domain.errors import DeliveryError
from commonground.notify.webhook import HttpWebhookSender, parse_networks

LOOPBACK = parse_networks("127.0.0.0/8")


class Receiver:
    """A loopback receiver that records each POST's Host header and answers with ``status``."""

    def __init__(self, status: int = 200, location: str = "") -> None:
        self.hosts: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.hosts.append(self.headers.get("Host", ""))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_a_name_resolving_to_loopback_is_refused_without_the_allow_list(receiver: Receiver) -> None:
    sender = HttpWebhookSender(5, [])
    with pytest.raises(DeliveryError) as refused:
        sender.send(f"http://localhost:{receiver.port}/hook", "s", b"{}", "k1")
    assert not refused.value.retry and "non-public" in str(refused.value)
    assert receiver.hosts == []


def test_a_name_resolving_to_loopback_is_accepted_with_the_allow_list(receiver: Receiver) -> None:
    HttpWebhookSender(5, LOOPBACK).send(f"http://localhost:{receiver.port}/hook", "s", b"{}", "k1")
    assert receiver.hosts == [f"localhost:{receiver.port}"]


def test_the_connection_goes_to_the_address_that_was_checked(receiver: Receiver) -> None:
    """A rebinding name answers a second look-up differently; the sender asks once and connects there."""
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"] if len(asked) == 1 else ["10.9.9.9"]

    sender = HttpWebhookSender(5, LOOPBACK, resolve=resolver)
    sender.send(f"http://receiver.invalid:{receiver.port}/hook", "s", b"{}", "k1")
    assert asked == ["receiver.invalid"]  # one look-up, not a second one by the HTTP client
    assert receiver.hosts == [f"receiver.invalid:{receiver.port}"]  # the Host header keeps the name


def test_any_internal_address_among_the_answers_is_refused(receiver: Receiver) -> None:
    sender = HttpWebhookSender(5, [], resolve=lambda host, port: ["93.184.216.34", "::ffff:127.0.0.1"])
    with pytest.raises(DeliveryError, match="non-public"):
        sender.send(f"http://mixed.invalid:{receiver.port}/hook", "s", b"{}", "k1")
    for internal in ("169.254.169.254", "224.0.0.1", "::1", "fe80::1", "10.0.0.1", "0.0.0.0"):
        refusing = HttpWebhookSender(5, [], resolve=lambda host, port, ip=internal: [ip])  # type: ignore[misc]
        with pytest.raises(DeliveryError, match="non-public"):
            refusing.send("http://internal.invalid/hook", "s", b"{}", "k1")


def test_a_redirect_from_an_allowed_receiver_is_not_followed() -> None:
    target = Receiver()
    redirecting = Receiver(status=307, location=f"http://127.0.0.1:{target.port}/elsewhere")
    try:
        with pytest.raises(DeliveryError, match="redirect") as refused:
            HttpWebhookSender(5, LOOPBACK).send(f"http://127.0.0.1:{redirecting.port}/hook", "s", b"{}", "k1")
        assert not refused.value.retry
        assert len(redirecting.hosts) == 1 and target.hosts == []
    finally:
        target.close()
        redirecting.close()


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[Receiver, ssl.SSLContext]]:
    """A loopback HTTPS receiver whose certificate names only ``receiver.invalid``."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert),
            "-subj", "/CN=receiver.invalid", "-addext", "subjectAltName=DNS:receiver.invalid",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    r = Receiver()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    r.server.socket = server_side.wrap_socket(r.server.socket, server_side=True)
    trusting = ssl.create_default_context(cafile=str(cert))
    yield r, trusting
    r.close()


def test_tls_keeps_the_name_for_the_server_name_and_the_certificate(
    tls_receiver: tuple[Receiver, ssl.SSLContext],
) -> None:
    """Connected to the checked address, the TLS handshake still names (and verifies) the URL's host."""
    receiver, trusting = tls_receiver
    at_loopback = HttpWebhookSender(5, LOOPBACK, resolve=lambda host, port: ["127.0.0.1"], verify=trusting)
    at_loopback.send(f"https://receiver.invalid:{receiver.port}/hook", "s", b"{}", "k1")
    assert receiver.hosts == [f"receiver.invalid:{receiver.port}"]
    # A name the certificate does not carry fails verification, though the address is the same.
    with pytest.raises(DeliveryError, match=r"(?i)certificate|hostname"):
        at_loopback.send(f"https://other.invalid:{receiver.port}/hook", "s", b"{}", "k2")

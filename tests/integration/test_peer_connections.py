"""Connections to peers over real loopback HTTP: kept, never reused once the peer closed them, bounded."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commonground.domain.errors import DeliveryError
from commonground.federation.connections import PeerConnections


class Peer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: bytes = b'{"ok":true}', close_after: bool = False, hang_s: float = 0) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.answer, self.close_after, self.hang_s = answer, close_after, hang_s
        self.connections = 0
        self.bodies: list[bytes] = []

    def get_request(self) -> tuple[socket.socket, object]:
        self.connections += 1
        return super().get_request()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/federation/v1/probe"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the server says otherwise
    server: Peer

    def do_POST(self) -> None:
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.server.hang_s)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            self._answer()

    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Signature", "cg=:c2lnbmVk:")
        self.send_header("Content-Length", str(len(self.server.answer)))
        if self.server.close_after:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(self.server.answer)
        if self.server.close_after:
            self.close_connection = True

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def serving(peer: Peer) -> Iterator[Peer]:
    thread = threading.Thread(target=peer.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        peer.shutdown()
        peer.server_close()


def test_posts_to_a_peer_share_one_kept_connection_and_read_the_whole_answer() -> None:
    pool = PeerConnections(keepalive_s=4)
    with serving(Peer()) as peer:
        for n in range(5):
            reply = pool.post(peer.url, {"Content-Type": "application/json"}, b'{"n":%d}' % n, 2)
            assert (reply.status, reply.body) == (200, b'{"ok":true}')
            assert reply.headers["signature"] == "cg=:c2lnbmVk:"  # names as lower case, values as sent
        assert peer.connections == 1 and peer.bodies[-1] == b'{"n":4}'
    pool.close()


def test_a_connection_the_peer_closed_or_that_is_too_old_is_not_used_again() -> None:
    with serving(Peer(close_after=True)) as closing:
        pool = PeerConnections(keepalive_s=4)
        for _ in range(3):
            assert pool.post(closing.url, {}, b"{}", 2).status == 200
        assert closing.connections == 3  # "Connection: close" each time: a new one each time
    with serving(Peer()) as peer:
        aged = PeerConnections(keepalive_s=0.05)
        aged.post(peer.url, {}, b"{}", 2)
        time.sleep(0.1)
        aged.post(peer.url, {}, b"{}", 2)
        assert peer.connections == 2
        aged.close()


def test_a_peer_that_shut_a_kept_connection_is_reached_on_a_new_one() -> None:
    """The peer's server closes idle connections on its own (uvicorn after 5 s): never read as no answer."""
    with serving(Peer()) as peer:
        pool = PeerConnections(keepalive_s=60)
        pool.post(peer.url, {}, b"{}", 2)
        (kept,) = pool._idle[("http", "127.0.0.1", peer.server_address[1])]
        assert kept.conn.sock is not None
        kept.conn.sock.shutdown(socket.SHUT_RD)  # what the idle connection sees when the peer closes it
        assert pool.post(peer.url, {}, b"{}", 2).status == 200
        assert peer.connections == 2
        pool.close()


def test_silence_an_oversized_answer_and_a_closed_port_are_delivery_errors() -> None:
    with serving(Peer(hang_s=1.0)) as slow:
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="timed out"):
            PeerConnections(keepalive_s=4).post(slow.url, {}, b"{}", 0.2)
        assert time.monotonic() - started < 0.9
    with serving(Peer(answer=b"x" * 2048)) as big, pytest.raises(DeliveryError, match="over 1024 bytes"):
        PeerConnections(keepalive_s=4, max_answer_bytes=1024).post(big.url, {}, b"{}", 2)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(DeliveryError):
        PeerConnections(keepalive_s=4).post(f"http://127.0.0.1:{port}/federation/v1/probe", {}, b"{}", 1)
    with pytest.raises(DeliveryError, match="not an http"):
        PeerConnections(keepalive_s=4).post("ftp://127.0.0.1/x", {}, b"{}", 1)
